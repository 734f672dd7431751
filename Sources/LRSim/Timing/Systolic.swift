import HWModel

/// A GEMM as a systolic array sees it: `m` rows streamed (output pixels or batch rows), `k` the reduction (window),
/// `n` outputs (filters). `C[m][n] = sum_k A[m][k] * B[k][n]`; `macs = m * n * k`.
public struct GemmShape: Sendable, Hashable, Codable {
    public var m: Int
    public var n: Int
    public var k: Int
    public init(m: Int, n: Int, k: Int) { self.m = m; self.n = n; self.k = k }
    public var macs: Int { m &* n &* k }
    public var isEmpty: Bool { m <= 0 || n <= 0 || k <= 0 }
}

/// The cycle-counting convention for one GEMM on a systolic array. Supporting several lets users bracket a serialized
/// array (SCALE-Sim) against a tile-pipelined one (ONNXim).
public enum GemmTimingConvention: String, Sendable, Hashable, Codable, CaseIterable {
    /// SCALE-Sim v2/v3: `folds * cycles_per_fold - 1`, folds run back to back with full fill and drain.
    case scalesim
    /// What RTL takes (SCALE-Sim's own issue tracker): `folds * cycles_per_fold`, one cycle more.
    case scalesimRTL = "scalesim_rtl"
    /// ONNXim-style overlapped tiles: a fold streams `max(T, 4)` cycles and the fill/drain skew is paid once,
    /// `folds * max(T, 4) + (cycles_per_fold - T)`.
    case onnxim
}

/// An R x C systolic array with a dataflow.
public struct SystolicArray: Sendable, Hashable, Codable {
    public var rows: Int
    public var cols: Int
    public var dataflow: Dataflow
    public init(rows: Int, cols: Int, dataflow: Dataflow) {
        self.rows = rows; self.cols = cols; self.dataflow = dataflow
    }
    public var peCount: Int { rows &* cols }
}

/// Cycles and efficiencies of one GEMM on one array (no memory stalls: operands are assumed to be on chip).
public struct SystolicTiming: Sendable, Hashable, Codable {
    /// Total compute cycles under the chosen convention.
    public var cycles: Int
    /// Number of folds, `ceil(Sr/R) * ceil(Sc/C)`.
    public var folds: Int
    /// Cycles of one fold, `2R + C + T - 2` (ws, is) or `R + C + T - 2` (os).
    public var cyclesPerFold: Int
    /// The spatial extents mapped on rows and columns and the streamed (temporal) extent.
    public var spatialRows: Int, spatialCols: Int, temporal: Int
    /// `macs * 100 / (cycles * R * C)` (SCALE-Sim's "Overall Util %").
    public var utilizationPercent: Double
    /// Mean over folds of `used_rows * used_cols / (R * C)`, in percent (SCALE-Sim's "Mapping Efficiency %").
    public var mappingEfficiencyPercent: Double
    /// Mean over folds of `used_rows * used_cols * T / (R * C * cycles_per_fold)`, in percent.
    public var computeUtilizationPercent: Double
    public var macs: Int
}

extension SystolicArray {
    /// The timing of `gemm` on this array. Zero-sized GEMMs take zero cycles.
    public func timing(_ gemm: GemmShape, convention: GemmTimingConvention = .scalesim) -> SystolicTiming {
        let (sr, sc, t): (Int, Int, Int)
        switch dataflow {
        case .ws: (sr, sc, t) = (gemm.k, gemm.n, gemm.m)
        case .os: (sr, sc, t) = (gemm.m, gemm.n, gemm.k)
        case .is: (sr, sc, t) = (gemm.k, gemm.m, gemm.n)
        }
        let r = rows, c = cols
        guard !gemm.isEmpty, r > 0, c > 0 else {
            return SystolicTiming(
                cycles: 0, folds: 0, cyclesPerFold: 0, spatialRows: sr, spatialCols: sc, temporal: t,
                utilizationPercent: 0, mappingEfficiencyPercent: 0, computeUtilizationPercent: 0,
                macs: 0)
        }
        let rowFolds = ceilDiv(sr, r), colFolds = ceilDiv(sc, c)
        let folds = rowFolds &* colFolds
        let perFold = dataflow == .os ? r &+ c &+ t &- 2 : 2 &* r &+ c &+ t &- 2
        let cycles: Int
        switch convention {
        case .scalesim: cycles = folds &* perFold &- 1
        case .scalesimRTL: cycles = folds &* perFold
        case .onnxim: cycles = folds &* max(t, 4) &+ (perFold &- t)
        }
        // Used PEs summed over folds: every full fold uses R (or C), the last one the remainder.
        let usedRowsSum = (rowFolds &- 1) &* r &+ (sr &- (rowFolds &- 1) &* r)  // == sr
        let usedColsSum = (colFolds &- 1) &* c &+ (sc &- (colFolds &- 1) &* c)  // == sc
        let usedPEs = Double(usedRowsSum) * Double(usedColsSum)  // sum over folds of used_r * used_c
        let mapping = usedPEs / (Double(folds) * Double(r) * Double(c))
        let computeUtil = usedPEs * Double(t) / (Double(folds) * Double(r) * Double(c) * Double(perFold))
        let macs = gemm.macs
        return SystolicTiming(
            cycles: cycles, folds: folds, cyclesPerFold: perFold,
            spatialRows: sr, spatialCols: sc, temporal: t,
            utilizationPercent: Double(macs) * 100 / (Double(cycles) * Double(r) * Double(c)),
            mappingEfficiencyPercent: mapping * 100, computeUtilizationPercent: computeUtil * 100,
            macs: macs)
    }
}

@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { b <= 0 ? 0 : (a &+ b &- 1) / b }

extension GemmTimingConvention {
    /// The hardware model's `timing.systolic` setting.
    public init(_ convention: SystolicConvention) {
        switch convention {
        case .scalesim: self = .scalesim
        case .scalesimRTL: self = .scalesimRTL
        }
    }
}
