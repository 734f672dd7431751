import Benchmark
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

    // Same element -> counter mapping as above, vectorised (compare the two throughputs).
    Benchmark("FastGaussian noise 1M", configuration: .init(scalingFactor: .one)) { benchmark in
        var x = [Float](repeating: 0, count: 1 << 20)
        let key = NoiseKey(seed: 1, step: 0, layer: 0, stream: .logitNoise)
        for _ in benchmark.scaledIterations {
            x.withUnsafeMutableBufferPointer { FastGaussian.fill(key, row: 0, into: $0) }
            blackHole(x[17])
        }
    }
}
