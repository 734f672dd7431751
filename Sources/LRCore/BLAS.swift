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
            let before = String(cString: openblas_get_corename())
            if before.lowercased() != "skylakex" && before.lowercased() != "cooperlake" {
                setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
                gotoblas_dynamic_quit()
                gotoblas_dynamic_init()
                forced = true
            }
        }
        return Configuration(coreName: String(cString: openblas_get_corename()),
                             threads: Int(openblas_get_num_threads()), forcedCore: forced)
    }()

    /// Selects the kernels (once) and returns what was chosen. Every entry point calls it.
    @discardableResult
    public static func configure() -> Configuration { configured }

    /// Sets the number of OpenBLAS threads (results do not depend on it: OpenBLAS splits M and N, never K).
    public static func setThreads(_ n: Int) {
        configure()
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// C = alpha * op(A) * op(B) + beta * C, row-major. A is M x K (or K x M if transA), B is K x N (or N x K).
    @inlinable
    public static func sgemm(transA: Bool = false, transB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        _ = configure()
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
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
