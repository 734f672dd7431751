import Foundation
import HWModel
import LRCore
import LRTrace

/// Writes the trainer's sampled steps into a trace (docs/trace-format.md): per step the weights before the update,
/// the batch, the noise key, the per-copy losses, the float gradient and optionally backprop's gradient.
///
/// Inputs are stored as u8 with `input_transform = "u8/255"` when every pixel of the dataset is exactly b/255 (true
/// for the IDX and CIFAR loaders), which makes an MLP step about 1.7 MB instead of 2.0 MB; otherwise as f32.
public final class TraceRecorder {
    let writer: TraceWriter
    let spec: NetworkSpec
    let layout: ParameterLayout
    let config: TrainingConfiguration
    let bytesInput: Bool

    public static let producer = "lrsim 0.1.0"

    /// Header note keys the trainer writes.
    public enum TraceNotes {
        /// The resolved hardware model of a `train --hw` run (TOML text).
        public static let hardwareModel = "hw_model"
    }

    public init(path: String, config: TrainingConfiguration, spec: NetworkSpec, dataset: Dataset,
                compression: TraceCompression = .none) throws {
        self.spec = spec
        self.config = config
        layout = ParameterLayout(spec)
        bytesInput = dataset.images.allSatisfy { Float(UInt8(clamping: Int(($0 * 255).rounded()))) / 255 == $0 }
        writer = try TraceWriter(path: path, header: try Self.header(config: config, spec: spec, dataset: dataset, bytesInput: bytesInput),
                                 options: .init(compression: compression))
    }

    public static func configJSON(_ config: TrainingConfiguration) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? e.encode(config)) ?? Data(), as: UTF8.self)
    }

    static func header(config: TrainingConfiguration, spec: NetworkSpec, dataset: Dataset, bytesInput: Bool) throws -> TraceHeader {
        var notes = ["blas": BLAS.configure().coreName,
                     "weight_noise_layers": (config.estimator.weightNoiseLayers ?? []).map(String.init).joined(separator: ",")]
        if let path = config.hardwareModel {
            // `train --hw`: the gradients come from the fixed-point datapath; the resolved model makes the trace
            // self-contained, so `trace verify` can recompute them without the file.
            do { notes[TraceNotes.hardwareModel] = try HardwareModel.load(path: path).resolvedTOML() } catch {
                throw TrainingError.invalidOption("--hw: \(error)")
            }
        }
        let data = TraceDataset(name: dataset.name, split: dataset.split.rawValue, samples: dataset.count,
                                digest: "fnv1a64:" + dataset.digestHex, inputTransform: bytesInput ? "u8/255" : "identity")
        return header(config: config, spec: spec, dataset: data, notes: notes)
    }

    /// The header of a run of `config` (resolved) on `spec`: every field but the dataset and notes follows from the
    /// configuration, which is how `TraceHeaderCheck` tests a header against its `config_json`.
    static func header(config: TrainingConfiguration, spec: NetworkSpec, dataset: TraceDataset, notes: [String: String]) -> TraceHeader {
        let shapes = spec.shapes
        let layers = spec.layers.enumerated().map { i, l -> TraceLayer in
            var params: [TraceParameter] = []
            switch l {
            case let .dense(inputs, outputs):
                params = [TraceParameter(name: "weight", shape: [outputs, inputs]), TraceParameter(name: "bias", shape: [outputs])]
            case let .conv2d(c):
                params = [TraceParameter(name: "weight", shape: [c.outChannels, c.inChannels, c.kernel, c.kernel]),
                          TraceParameter(name: "bias", shape: [c.outChannels])]
            default: break
            }
            return TraceLayer(index: i, kind: l.kindName, summary: l.summary, inputShape: spec.inputShape(of: i),
                              outputShape: shapes[i], parameters: params)
        }
        let est = config.estimator
        let estimator = TraceEstimator(
            name: est.kind.rawValue, perturbedLayers: est.kind == .bp ? [] : spec.parametricLayers,
            copies: est.kind == .bp ? [] : est.copies, sigma: est.kind == .bp ? [] : est.sigma.map(Double.init),
            antithetic: est.antithetic, baseline: est.baseline.rawValue,
            signEncoding: est.kind.signEncoded || est.noise == .laplace ? "sign" : "none",
            noise: est.noise.rawValue, qmc: est.qmc, seed: config.seed, noiseKeyLayout: 1)
        var settings: [String: Double] = ["momentum": Double(config.momentum)]
        if config.optimizer == .adam { settings = ["beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8] }
        return TraceHeader(
            producer: producer, configJSON: configJSON(config),
            model: TraceModel(spec: config.model, activation: config.activation.rawValue, inputShape: spec.inputShape, layers: layers),
            estimator: estimator,
            optimizer: TraceOptimizer(name: config.optimizer.rawValue, learningRate: Double(config.learningRate),
                                      batchSize: config.batch, epochs: config.epochs, settings: settings),
            dataset: dataset,
            traceEvery: config.traceEvery,
            notes: notes)
    }

    public func record(_ s: SampledStep) throws {
        let B = s.labels.count
        var tensors = 2 + 1 + 2 * layout.slots.count * (s.backpropGradient == nil ? 2 : 3) + s.record.copyLosses.count
        if s.record.cleanLosses.isEmpty { tensors -= 1 }
        try writer.beginStep(TraceStepInfo(step: UInt64(s.step), epoch: UInt64(s.epoch), noiseSeed: config.seed,
                                           noiseStep: UInt64(s.step),
                                           scalars: [TraceScalar("loss", s.record.loss),
                                                     TraceScalar("learning_rate", Double(config.learningRate))]),
                             tensorCount: tensors)
        let inputShape = [B] + spec.inputShape
        if bytesInput {
            let bytes = s.input.map { UInt8(clamping: Int(($0 * 255).rounded())) }
            try writer.appendTensor(TraceTensor(name: TraceNames.input, shape: inputShape, uint8: bytes))
        } else {
            try writer.appendTensor(name: TraceNames.input, shape: inputShape, float32: s.input)
        }
        try writer.appendTensor(TraceTensor(name: TraceNames.labels, shape: [B], int32: Array(s.labels)))
        if !s.record.cleanLosses.isEmpty {
            try s.record.cleanLosses.withUnsafeBufferPointer {
                try writer.appendTensor(name: TraceNames.cleanLosses, shape: [B], float32: $0)
            }
        }
        func put(_ values: [Float], _ name: (Int, String) -> String) throws {
            try values.withUnsafeBufferPointer { v in
                for slot in layout.slots {
                    let (w, b) = parameterShapes(slot.layer)
                    try writer.appendTensor(name: name(slot.layer, "weight"), shape: w,
                                            float32: UnsafeBufferPointer(rebasing: v[slot.weightOffset..<(slot.weightOffset + slot.weightCount)]))
                    try writer.appendTensor(name: name(slot.layer, "bias"), shape: b,
                                            float32: UnsafeBufferPointer(rebasing: v[slot.biasOffset..<(slot.biasOffset + slot.biasCount)]))
                }
            }
        }
        try put(s.parameters, TraceNames.parameter)
        try put(s.gradient, TraceNames.gradient)
        if let bp = s.backpropGradient { try put(bp, TraceNames.backprop) }
        for layer in s.record.copyLosses.keys.sorted() {
            let L = s.record.copyLosses[layer]!
            try L.withUnsafeBufferPointer {
                try writer.appendTensor(name: TraceNames.losses(layer), shape: [L.count / max(1, B), B], float32: $0)
            }
        }
    }

    func parameterShapes(_ layer: Int) -> ([Int], [Int]) {
        switch spec.layers[layer] {
        case let .dense(inputs, outputs): return ([outputs, inputs], [outputs])
        case let .conv2d(c): return ([c.outChannels, c.inChannels, c.kernel, c.kernel], [c.outChannels])
        default: return ([], [])
        }
    }

    public func finish() throws { try writer.finish() }
    public func cancel() { writer.cancel() }
    public var path: String { writer.path }
}

extension LayerSpec {
    /// `dense`, `conv2d`, `maxpool`, `avgpool`, `flatten` or the activation's name.
    public var kindName: String {
        switch self {
        case .dense: return "dense"
        case .conv2d: return "conv2d"
        case let .pool(k, _, _): return "\(k.rawValue)pool"
        case .flatten: return "flatten"
        case let .activation(a): return a.rawValue
        }
    }
}

extension Trainer {
    /// Runs training and records its sampled steps into `path` (plain `run()` when nil). A run that fails leaves no
    /// partial trace behind: the writer's temporary file is removed.
    @discardableResult
    public func run(tracingTo path: String?, compression: TraceCompression = .none) throws -> TrainingReport {
        guard let path else { return try run() }
        let recorder = try TraceRecorder(path: path, config: config, spec: spec, dataset: train, compression: compression)
        sampledStepObserver = { try recorder.record($0) }
        defer { sampledStepObserver = nil }
        let report: TrainingReport
        do { report = try run() } catch { recorder.cancel(); throw error }
        try recorder.finish()
        return report
    }
}
