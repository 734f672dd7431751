import CIntKernels

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The integer instruction sets the datapath's SIMD kernels are compiled for, chosen at run time with CPUID
/// (`lrsim_int_best_isa`): AVX-512 VNNI (`vpdpwssd`, 32 int16 multiply-adds per instruction), AVX2 (`vpmaddwd`), or
/// portable scalar code. Every path computes the same integers (the kernels' lanes never overflow and their int32
/// sums wrap, which is order-independent); `IntKernelTests` checks it on random formats and modes.
public enum IntKernelISA: Int32, CaseIterable, Sendable, CustomStringConvertible {
    case scalar = 0
    case avx2 = 1
    case avx512VNNI = 2

    /// The best instruction set this CPU and OS support.
    public static let best = IntKernelISA(rawValue: lrsim_int_best_isa()) ?? .scalar

    /// What the datapath uses: `best`, or `LRSIM_INT_ISA` (scalar, avx2, avx512-vnni) when set to a supported one
    /// (to compare paths from the command line; results are identical).
    public static let preferred: IntKernelISA = {
        guard let raw = getenv("LRSIM_INT_ISA").map({ String(cString: $0) }),
            let isa = allCases.first(where: { $0.description == raw.lowercased() }), isa.rawValue <= best.rawValue
        else { return best }
        return isa
    }()

    /// Every path this machine can run (the tests compare them bit for bit).
    public static var supported: [IntKernelISA] { allCases.filter { $0.rawValue <= best.rawValue } }

    public var description: String {
        switch self {
        case .scalar: return "scalar"
        case .avx2: return "avx2"
        case .avx512VNNI: return "avx512-vnni"
        }
    }

    /// int16 multiply-adds per instruction of the widest multiply-add this path issues.
    public var int16MACsPerInstruction: Int {
        switch self {
        case .scalar: return 1
        case .avx2: return 16
        case .avx512VNNI: return 32
        }
    }
}

extension IntKernelISA {
    /// Runs `iterations` rounds of independent multiply-add instructions of this path (8 accumulators: throughput,
    /// not latency) and returns the int16 multiply-accumulates performed; time it to get the core's peak rate.
    public func peakProbe(iterations: Int) -> (macs: Int, check: Int32) {
        let check = lrsim_int_peak_probe(rawValue, iterations)
        return (Int(lrsim_int_probe_macs(rawValue)) &* iterations, check)
    }
}
