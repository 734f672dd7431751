import HWModel

/// The `lrsim gemm` JSON report.
public struct GemmReport: Sendable, Codable, Equatable {
    public var kind = "gemm"
    public var rows: Int
    public var cols: Int
    public var dataflow: String
    public var convention: String
    public var layers: [Layer]
    public var totalCycles: Int
    public var totalMacs: Int
    public var wallSeconds: Double

    public struct Layer: Sendable, Codable, Equatable {
        public var name: String
        public var m: Int, n: Int, k: Int
        public var cycles: Int
        public var folds: Int
        public var cyclesPerFold: Int
        public var macs: Int
        public var utilizationPercent: Double
        public var mappingEfficiencyPercent: Double
        public var computeUtilizationPercent: Double
    }

    /// Times every GEMM of `list` on `array`.
    public init(list: [NamedGemm], array: SystolicArray, convention: GemmTimingConvention, wallSeconds: Double = 0) {
        rows = array.rows; cols = array.cols; dataflow = array.dataflow.rawValue; self.convention = convention.rawValue
        layers = list.map { g in
            let t = array.timing(g.shape, convention: convention)
            return Layer(name: g.name, m: g.shape.m, n: g.shape.n, k: g.shape.k, cycles: t.cycles, folds: t.folds,
                         cyclesPerFold: t.cyclesPerFold, macs: t.macs, utilizationPercent: t.utilizationPercent,
                         mappingEfficiencyPercent: t.mappingEfficiencyPercent,
                         computeUtilizationPercent: t.computeUtilizationPercent)
        }
        totalCycles = layers.reduce(0) { $0 &+ $1.cycles }
        totalMacs = layers.reduce(0) { $0 &+ $1.macs }
        self.wallSeconds = wallSeconds
    }
}
