import Benchmark
import LRCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(2))

    Benchmark("Gaussian noise 1M", configuration: .init(scalingFactor: .mega)) { benchmark in
        var x = [Float](repeating: 0, count: 1 << 20)
        let key = NoiseKey(seed: 1, step: 0, layer: 0, stream: .logitNoise)
        for _ in benchmark.scaledIterations {
            x.withUnsafeMutableBufferPointer { NoiseSampler.gaussian(key, row: 0, into: $0) }
            blackHole(x[17])
        }
    }
}
