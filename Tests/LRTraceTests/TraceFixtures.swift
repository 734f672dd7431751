import Foundation
import LRTestSupport

@testable import LRTrace

/// Small, fully known traces for the tests.
enum Fixtures {
    /// A 4-3-2 MLP: dense 4->3, relu, dense 3->2.
    static func header(producer: String = "lrsim 0.1.0", seed: UInt64 = 42) -> TraceHeader {
        let layers = [
            TraceLayer(
                index: 0, kind: "dense", summary: "dense 4->3", inputShape: [4], outputShape: [3],
                parameters: [TraceParameter(name: "weight", shape: [3, 4]), TraceParameter(name: "bias", shape: [3])]),
            TraceLayer(index: 1, kind: "relu", summary: "relu", inputShape: [3], outputShape: [3], parameters: []),
            TraceLayer(
                index: 2, kind: "dense", summary: "dense 3->2", inputShape: [3], outputShape: [2],
                parameters: [TraceParameter(name: "weight", shape: [2, 3]), TraceParameter(name: "bias", shape: [2])]),
        ]
        return TraceHeader(
            producer: producer,
            configJSON: #"{"batch":2,"model":"mlp:4-3-2","seed":42}"#,
            model: TraceModel(spec: "mlp:4-3-2", activation: "relu", inputShape: [4], layers: layers),
            estimator: TraceEstimator(
                name: "lr", perturbedLayers: [0, 2], copies: [3, 3], sigma: [0.1, 0.05],
                antithetic: true, baseline: "mean", signEncoding: "none", noise: "gaussian",
                qmc: false, seed: seed, noiseKeyLayout: 1),
            optimizer: TraceOptimizer(
                name: "sgd", learningRate: 0.01, batchSize: 2, epochs: 1, settings: ["momentum": 0.9]),
            dataset: TraceDataset(
                name: "synthetic", split: "train", samples: 8, digest: "sha256:" + String(repeating: "ab", count: 32),
                inputTransform: "identity"),
            traceEvery: 5)
    }

    /// A step with every dtype and deterministic values derived from `step`.
    static func step(_ step: UInt64, includeExtras: Bool = true) throws -> TraceStep {
        var rng = SeededRandom(seed: step &+ 1)
        func floats(_ n: Int) -> [Float] { (0..<n).map { _ in Float.random(in: -1...1, using: &rng) } }
        var tensors = [
            try TraceTensor(name: "input", shape: [2, 4], float32: floats(8)),
            try TraceTensor(name: "labels", shape: [2], int32: [1, 0]),
            try TraceTensor(name: "layer0.weight", shape: [3, 4], float32: floats(12)),
            try TraceTensor(name: "layer0.bias", shape: [3], float32: floats(3)),
            try TraceTensor(name: "layer0.grad.weight", shape: [3, 4], float32: floats(12)),
            try TraceTensor(name: "layer0.losses", shape: [3, 2], float32: floats(6)),
            try TraceTensor(name: "layer2.weight", shape: [2, 3], float32: floats(6)),
            try TraceTensor(name: "layer2.grad.bias", shape: [2], float32: [.nan, -.infinity]),
        ]
        if includeExtras {
            tensors += [
                try TraceTensor(name: "extra.f64", shape: [3], float64: [1.0 / 3.0, -0.0, .greatestFiniteMagnitude]),
                try TraceTensor(name: "extra.u8", shape: [5], uint8: [0, 1, 127, 128, 255]),
                try TraceTensor(
                    name: "extra.bits", shape: [11],
                    bits: [true, false, true, true, false, false, false, true, true, false, true]),
                try TraceTensor(name: "extra.scalar", shape: [], int32: [Int32.min]),
                try TraceTensor(name: "extra.empty", shape: [0, 3], float32: []),
            ]
        }
        let info = TraceStepInfo(
            step: step, epoch: step / 4, noiseSeed: 42, noiseStep: step,
            scalars: [
                TraceScalar("loss", 2.302585), TraceScalar("learning_rate", 0.01),
                TraceScalar("odd", .nan),
            ])
        return TraceStep(info: info, tensors: tensors)
    }

    /// Writes a trace with the given steps and returns its path.
    @discardableResult
    static func write(
        _ path: String, steps: [UInt64] = [0, 5], compression: TraceCompression = .none,
        version: TraceFormatVersion = .current, header: TraceHeader = header(),
        extras: Bool = true, beforeFinish: ((TraceWriter) throws -> Void)? = nil
    ) throws -> String {
        let w = try TraceWriter(
            path: path, header: header, options: .init(compression: compression), formatVersion: version)
        for s in steps { try w.appendStep(try step(s, includeExtras: extras)) }
        try beforeFinish?(w)
        try w.finish()
        return path
    }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Writes `bytes` to `path` as a new file. (Removing first matters: ext4 flushes to disk when a file is truncated
    /// and rewritten, which made the damage tests a hundred times slower.)
    static func save(_ bytes: [UInt8], _ path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// Runs `body` and returns the `TraceError` it throws (nil if it does not throw; other errors are returned as nil too
/// and make the caller's assertions fail).
func traceError(_ body: () throws -> Void) -> TraceError? {
    do { try body() } catch let e as TraceError { return e } catch { return nil }
    return nil
}
