import Benchmark
import Foundation
import LRCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(2))

    // Each iteration fills 2^20 = 1,048,576 Floats on one thread: throughput (iterations/s) x 1.05M = values/s.

    Benchmark("Gaussian noise 1M", configuration: .init(scalingFactor: .one)) { benchmark in
        var x = [Float](repeating: 0, count: 1 << 20)
        let key = NoiseKey(seed: 1, step: 0, layer: 0, stream: .logitNoise)
        for _ in benchmark.scaledIterations {
            x.withUnsafeMutableBufferPointer { NoiseSampler.gaussian(key, row: 0, into: $0) }
            blackHole(x[17])
        }
    }

    // The scalar libm Box–Muller that NoiseSampler.gaussian used before FastGaussian (same counters), for the ratio.
    Benchmark("Gaussian noise 1M, scalar libm reference", configuration: .init(scalingFactor: .one)) { benchmark in
        var x = [Float](repeating: 0, count: 1 << 20)
        let key = NoiseKey(seed: 1, step: 0, layer: 0, stream: .logitNoise)
        for _ in benchmark.scaledIterations {
            x.withUnsafeMutableBufferPointer { libmBoxMuller(key, row: 0, into: $0) }
            blackHole(x[17])
        }
    }

    // Same element -> counter mapping, vectorised Philox + polynomial Box–Muller.
    Benchmark("FastGaussian noise 1M", configuration: .init(scalingFactor: .one)) { benchmark in
        var x = [Float](repeating: 0, count: 1 << 20)
        let key = NoiseKey(seed: 1, step: 0, layer: 0, stream: .logitNoise)
        for _ in benchmark.scaledIterations {
            x.withUnsafeMutableBufferPointer { FastGaussian.fill(key, row: 0, into: $0) }
            blackHole(x[17])
        }
    }

    // Scrambled Sobol' points mapped to Gaussians (AS241): 64 points of 12544 dimensions (cnn:small's first conv).
    Benchmark("Sobol Gaussian 64 x 12544", configuration: .init(scalingFactor: .one)) { benchmark in
        var sobol = try SobolSequence(dimensions: 12544, seed: 1)
        var x = [Float](repeating: 0, count: 64 * 12544)
        for _ in benchmark.scaledIterations {
            try x.withUnsafeMutableBufferPointer { try sobol.nextGaussian(rows: 64, into: $0) }
            blackHole(x[17])
        }
    }
}

/// One Philox block at a time, libm `logf`/`sinf`/`cosf` (the original NoiseSampler.gaussian).
@inline(never)
func libmBoxMuller(_ key: NoiseKey, row: UInt32, into out: UnsafeMutableBufferPointer<Float>) {
    let gen = key.generator
    let base = out.baseAddress!
    var e = 0
    var block: UInt32 = 0
    while e < out.count {
        let w = gen.block(key.counter(row: row, block: block))
        let r0 = (-2 * logf(Uniform.openClosed(w[0]))).squareRoot()
        let r1 = (-2 * logf(Uniform.openClosed(w[2]))).squareRoot()
        let t0 = Uniform.closedOpen(w[1]) * (2 * Float.pi)
        let t1 = Uniform.closedOpen(w[3]) * (2 * Float.pi)
        let g = SIMD4(r0 * cosf(t0), r0 * sinf(t0), r1 * cosf(t1), r1 * sinf(t1))
        for lane in 0..<min(4, out.count &- e) { base[e &+ lane] = g[lane] }
        e &+= 4; block &+= 1
    }
}
