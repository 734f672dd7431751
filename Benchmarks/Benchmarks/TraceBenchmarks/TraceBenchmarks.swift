// Trace write/read/verify cost for one sampled step of the Fashion-MNIST MLP 784-256-10, B=128, K=32
// (weights, biases, gradients, u8 input, labels, clean and per-copy losses: 1,763,454 bytes uncompressed).
// Issue 4 asks that tracing at --trace-every 100 cost under 5% of training time.
import Benchmark
import Foundation
import LRTrace

/// The tensors the trainer records for one MLP step, with deterministic contents.
struct MLPStep {
    let w0: [Float] = (0..<(256 * 784)).map { Float(($0 &* 7919) % 2001) * 1e-4 - 0.1 }
    let b0: [Float] = (0..<256).map { Float($0) * 1e-3 }
    let w2: [Float] = (0..<2560).map { Float(($0 &* 31) % 101) * 1e-3 - 0.05 }
    let b2: [Float] = (0..<10).map { Float($0) * 1e-2 }
    let losses: [Float] = (0..<(32 * 128)).map { 2.3 + Float(($0 &* 13) % 97) * 1e-3 }
    let input: [UInt8] = (0..<(128 * 784)).map { UInt8(truncatingIfNeeded: ($0 &* 2654435761) >> 7) }
    let labels: [Int32] = (0..<128).map { Int32($0 % 10) }

    static let rawBytes = 1_763_454

    static let header: TraceHeader = {
        let layers = [
            TraceLayer(index: 0, kind: "dense", summary: "dense 784->256", inputShape: [784], outputShape: [256],
                       parameters: [TraceParameter(name: "weight", shape: [256, 784]), TraceParameter(name: "bias", shape: [256])]),
            TraceLayer(index: 1, kind: "activation", summary: "relu", inputShape: [256], outputShape: [256], parameters: []),
            TraceLayer(index: 2, kind: "dense", summary: "dense 256->10", inputShape: [256], outputShape: [10],
                       parameters: [TraceParameter(name: "weight", shape: [10, 256]), TraceParameter(name: "bias", shape: [10])]),
        ]
        return TraceHeader(
            producer: "lrsim-benchmarks", configJSON: #"{"model":"mlp:784-256-10"}"#,
            model: TraceModel(spec: "mlp:784-256-10", activation: "relu", inputShape: [784], layers: layers),
            estimator: TraceEstimator(name: "lr", perturbedLayers: [0, 2], copies: [32, 32], sigma: [0.1, 0.1],
                                      antithetic: true, baseline: "mean", signEncoding: "none", noise: "gaussian",
                                      qmc: false, seed: 7, noiseKeyLayout: 1),
            optimizer: TraceOptimizer(name: "sgd", learningRate: 1e-3, batchSize: 128, epochs: 1),
            dataset: TraceDataset(name: "fashion-mnist", split: "train", samples: 60000, digest: "sha256:-",
                                  inputTransform: "u8/255"),
            traceEvery: 100)
    }()

    func write(to w: TraceWriter, step: UInt64) throws {
        try w.beginStep(TraceStepInfo(step: step, epoch: 0, noiseSeed: 7, noiseStep: step,
                                      scalars: [TraceScalar("loss", 2.3), TraceScalar("learning_rate", 1e-3)]),
                        tensorCount: 13)
        try input.withUnsafeBytes { try w.appendTensor(name: "input", dtype: .u8, shape: [128, 784], data: $0) }
        try labels.withUnsafeBytes { try w.appendTensor(name: "labels", dtype: .i32, shape: [128], data: $0) }
        try losses.withUnsafeBufferPointer {
            try w.appendTensor(name: "clean_losses", shape: [128], float32: UnsafeBufferPointer(rebasing: $0[0..<128]))
        }
        let tensors: [(String, [Int], [Float])] = [
            ("layer0.weight", [256, 784], w0), ("layer0.bias", [256], b0), ("layer0.grad.weight", [256, 784], w0),
            ("layer0.grad.bias", [256], b0), ("layer0.losses", [32, 128], losses),
            ("layer2.weight", [10, 256], w2), ("layer2.bias", [10], b2), ("layer2.grad.weight", [10, 256], w2),
            ("layer2.grad.bias", [10], b2), ("layer2.losses", [32, 128], losses),
        ]
        for (name, shape, values) in tensors {
            try values.withUnsafeBufferPointer { try w.appendTensor(name: name, shape: shape, float32: $0) }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .throughput], maxDuration: .seconds(3))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lrsim-trace-bench-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let data = MLPStep()

    for compression in TraceCompression.allCases {
        // One writer, one step per iteration: the cost the trainer pays per sampled step.
        Benchmark("Write MLP step (\(compression))") { benchmark in
            let w = try TraceWriter(path: directory + "/write-\(compression).lrt", header: MLPStep.header,
                                    options: .init(compression: compression))
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations { try data.write(to: w, step: UInt64(i)) }
            benchmark.stopMeasurement()
            w.cancel()
        }
    }

    let readPath = directory + "/read.lrt"
    do {
        let w = try TraceWriter(path: readPath, header: MLPStep.header)
        for s in 0..<10 { try data.write(to: w, step: UInt64(s * 100)) }
        try w.finish()
    } catch {
        fatalError("cannot prepare \(readPath): \(error)")
    }

    Benchmark("Read MLP step (open + seek + CRC + decode)") { benchmark in
        for i in benchmark.scaledIterations {
            let r = try TraceReader(path: readPath)
            blackHole(try r.readStep(at: i % r.steps.count))
        }
    }

    Benchmark("Verify 10 MLP steps") { benchmark in
        for _ in benchmark.scaledIterations {
            let report = TraceVerification.verify(path: readPath)
            precondition(report.problems.isEmpty, "\(report.problems)")
            blackHole(report)
        }
    }
}
