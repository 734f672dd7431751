import Benchmark
import FixedPoint
import LRCore

// The three targets of docs/fixed-point.md ("Performance"). Throughput is iterations/s; multiply by the work per
// iteration given in each comment. Thread counts are pinned with `Parallel.threads`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .throughput], maxDuration: .seconds(3))

    // 2^22 Float32 -> s3.12 (15-bit, Int16 storage), RND_CONV + SAT, one thread: elements/s = throughput x 4.19M.
    Benchmark("quantize f32->s3.12 RND_CONV SAT 4M x1 thread") { benchmark in
        let n = 1 << 22
        let x = (0..<n).map { Float($0 % 10_007) * 0.000_731 - 3.7 }
        var out = [Int16](repeating: 0, count: n)
        let cfg = FixedConfig(try! FixedFormat.parse("s3.12"), rounding: .roundHalfToEven, overflow: .saturate)
        Parallel.threads = 1
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try! x.withUnsafeBufferPointer { s in
                try out.withUnsafeMutableBufferPointer { try FixedKernels.quantize(s, into: $0, config: cfg) }
            }
            blackHole(out[17])
        }
    }

    // Int16 x Int16 GEMM, 1024^3, wrapping Int32 accumulation, two threads: MAC/s = throughput x 1.07G.
    Benchmark("gemm int16 1024^3 int32-acc x2 threads") { benchmark in
        let m = 1024, n = 1024, k = 1024
        let a = (0..<(m * k)).map { Int16(truncatingIfNeeded: $0 &* 7919) }
        let b = (0..<(k * n)).map { Int16(truncatingIfNeeded: $0 &* 104_729) }
        var c = [Int32](repeating: 0, count: m * n)
        Parallel.threads = 2
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try! a.withUnsafeBufferPointer { pa in
                try b.withUnsafeBufferPointer { pb in
                    try c.withUnsafeMutableBufferPointer {
                        try FixedKernels.gemmInt16Wrapping(a: pa, b: pb, m: m, n: n, k: k, into: $0)
                    }
                }
            }
            blackHole(c[17])
        }
    }

    // Exact GMP gradient of a 784x256 dense layer, B = 128 samples, K = 32 sign-encoded copies, float32 operands,
    // two threads: seconds per gradient = 1 / throughput.
    Benchmark("exact GMP LR gradient 784x256 B128 K32 x2 threads", configuration: .init(maxDuration: .seconds(10), maxIterations: 5)) { benchmark in
        let (b, kk, j, i) = (128, 32, 256, 784)
        var g = SplitMix(seed: 42)
        let losses = (0..<(b * kk)).map { _ in g.float() * 2 - 1 }
        let signs = (0..<(b * kk * j)).map { _ in UInt8(g.next() & 1) }
        let x = (0..<(b * i)).map { _ in Float(g.next() % 256) / 255 }
        Parallel.threads = 2
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let dW = try! ExactReference.lrGradient(losses: losses, signs: signs, inputs: x, batch: b, copies: kk,
                                                    outputs: j, inputCount: i)
            blackHole(dW.fracBits)
        }
    }
}

/// A tiny deterministic generator for benchmark inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float() -> Float { Float(next() >> 40) * 0x1p-24 }
}
