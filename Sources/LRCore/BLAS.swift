import COpenBLAS
import Foundation

/// Single-precision GEMM and friends over OpenBLAS, row-major.
///
/// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) predates Zen 4/5 and falls back to Haswell kernels on them, about half the
/// speed of its SkylakeX (AVX-512) kernels. `BLAS.configure()` re-runs OpenBLAS's core selection with
/// `OPENBLAS_CORETYPE=SkylakeX` when the CPU has AVX-512F/BW/DQ/VL and the user did not choose a core type.
public enum BLAS {
    public struct Configuration: Sendable {
        public var coreName: String
        public var threads: Int
        public var forcedCore: Bool
    }

    private static let configured: Configuration = {
        var forced = false
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, CPUFeatures.hasAVX512Core {
            let before = String(cString: openblas_get_corename()).lowercased()
            // Cores that already run OpenBLAS's AVX-512 sgemm kernels.
            let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
            if !avx512Cores.contains(before) {
                setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
                gotoblas_dynamic_quit()
                gotoblas_dynamic_init()
                forced = true
            }
        }
        // OpenBLAS's own threading changes how a product is blocked with the thread count, and with it the float
        // rounding; lrsim splits large products into panels fixed by the shape instead (see `sgemm`).
        openblas_set_num_threads(1)
        return Configuration(
            coreName: String(cString: openblas_get_corename()),
            threads: Parallel.threads, forcedCore: forced)
    }()

    /// Selects the kernels (once) and returns what was chosen. Every entry point calls it.
    @discardableResult
    public static func configure() -> Configuration { configured }

    /// C = alpha * op(A) * op(B) + beta * C, row-major. A is M x K (or K x M if transA), B is K x N (or N x K).
    ///
    /// Large products are cut into panels of C along its longer side and the panels run on `Parallel`'s workers, each
    /// as a single-threaded OpenBLAS call. The panels depend on the shape alone, so every element of C is computed by
    /// the same call with the same operands whatever the thread count: results are bit-identical on 1 or 2 cores.
    @inlinable
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        _ = configure()
        let plan = GEMMPanels(m: m, n: n, k: k)
        if plan.count == 1 {
            sgemmSerial(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        Parallel.forEach(chunks: plan.count) { p in
            let lo = p &* plan.width, len = min(plan.extent, lo &+ plan.width) &- lo
            if plan.alongRows {
                // Rows lo..<lo+len of C use rows lo... of op(A).
                let aOff = transA ? lo : lo &* lda
                sgemmSerial(
                    transA: transA, transB: transB, m: len, n: n, k: k, alpha: alpha, a: a + aOff, lda: lda,
                    b: b, ldb: ldb, beta: beta, c: c + lo &* ldc, ldc: ldc)
            } else {
                // Columns lo..<lo+len of C use columns lo... of op(B).
                let bOff = transB ? lo &* ldb : lo
                sgemmSerial(
                    transA: transA, transB: transB, m: m, n: len, k: k, alpha: alpha, a: a, lda: lda,
                    b: b + bOff, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
            }
        }
    }

    @inlinable
    static func sgemmSerial(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// How `BLAS.sgemm` cuts C into panels: a function of (m, n, k) only, never of the thread count.
///
/// Each panel is a separate single-threaded OpenBLAS call that packs the operand all panels share (op(B) for row
/// panels, op(A) for column panels) again, so a panel must do enough multiply-adds to amortize that copy. Measured at
/// the MLP's shapes (`Benchmarks/TrainStepMeasure`, 2 cores, docs/design.md): 4 panels of X W^T (128x256x784) ran
/// 13% slower than 2, and dY^T X (256x784x128) ran 20% faster in row panels than in column panels.
@usableFromInline
struct GEMMPanels {
    /// Panels run along C's rows (else its columns).
    @usableFromInline let alongRows: Bool
    /// Length of the split side, and of one panel (a multiple of 16 but the last).
    @usableFromInline let extent: Int
    @usableFromInline let width: Int
    @usableFromInline let count: Int

    /// At least 4 M multiply-adds per panel (a fork-join costs a few microseconds).
    @usableFromInline static let minimumMACsPerPanel = 1 << 22
    /// At least 100 multiply-adds per float of the shared operand that the panel packs again.
    @usableFromInline static let minimumMACsPerSharedFloat = 100
    @usableFromInline static let minimumExtentPerPanel = 64
    /// Row panels when C has at least this many rows: each panel then writes whole, contiguous rows of C.
    @usableFromInline static let rowSplitMinimumRows = 256
    @usableFromInline static let maximumPanels = 4

    @inlinable
    init(m: Int, n: Int, k: Int) {
        alongRows = m >= Self.rowSplitMinimumRows || m >= n
        extent = alongRows ? m : n
        let shared = max(1, (alongRows ? n : m).multipliedReportingOverflow(by: max(1, k)).partialValue)
        let product = m.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: max(1, k))
        let macs = product.overflow ? Int.max : product.partialValue
        let limit = min(
            Self.maximumPanels, extent / Self.minimumExtentPerPanel, macs / Self.minimumMACsPerPanel,
            macs / shared / Self.minimumMACsPerSharedFloat)
        // A power of two, so that panels divide evenly over 1, 2 or 4 workers.
        (width, count) = Parallel.equalSplit(extent: extent, limit: limit)
    }
}

/// CPU feature bits read with CPUID (x86) — used to pick BLAS kernels.
public enum CPUFeatures {
    public static let hasAVX512Core: Bool = {
        #if arch(x86_64)
            let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            guard let line = flags.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
            let set = Set(line.split(separator: " ").map(String.init))
            return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(set.contains)
        #else
            return false
        #endif
    }()
}
