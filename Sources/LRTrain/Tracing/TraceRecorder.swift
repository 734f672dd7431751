import Foundation
import LRCore
import LRIO
import LRTrace

/// Writes the trainer's sampled steps into a trace (docs/trace-format.md): per step the weights before the update,
/// the batch, the noise key, the per-copy losses, the float gradient and optionally backprop's gradient.
///
/// Inputs are stored as u8 with `input_transform = "u8/255"` when every pixel of the dataset is exactly b/255 (true
/// for the IDX and CIFAR loaders), which makes an MLP step about 1.7 MB instead of 2.0 MB; otherwise as f32.
public final class TraceRecorder {
    let writer: TraceWriter
    let tensors: [ModelTensor]
    let inputShape: [Int]
    let config: TrainingConfiguration
    let bytesInput: Bool
    /// The tensors that stand for every step's data when the batch is not the model's input (a gnn's graph).
    let data: [TraceTensor]?

    public static let producer = "lrsim 0.1.0"

    /// Header note keys the trainer writes.
    public enum TraceNotes {
        /// The resolved hardware model of a `train --hw` run (TOML text).
        public static let hardwareModel = "hw_model"
    }

    /// Records the sampled steps of `model` trained with `config` (resolved) on `dataset`. `datapath`: the hardware
    /// datapath the run trains on (`train --hw`), whose resolved model the header records.
    public init(
        path: String, config: TrainingConfiguration, model: any TrainableModel, dataset: Dataset,
        datapath: TrainingDatapath? = nil, compression: TraceCompression = .none
    ) throws {
        if config.estimator.stepInjection == .perStep {
            throw SettingError(
                "trace",
                "per-step rnn runs are not traced (their T groups of copies have no trace layout); trace an all-steps run"
            )
        }
        self.config = config
        tensors = model.tensors
        let layout = model.traceLayout
        inputShape = layout.inputShape
        data = model.traceData
        bytesInput =
            data == nil && dataset.images.allSatisfy { Float(UInt8(clamping: Int(($0 * 255).rounded()))) / 255 == $0 }
        let header = Self.header(
            config: config, layout: layout, dataset: dataset, datapath: datapath, bytesInput: bytesInput)
        writer = try TraceWriter(path: path, header: header, options: .init(compression: compression))
    }

    /// The configuration as the header's canonical `config_json` (one line, sorted, snake_case).
    public static func configJSON(_ config: TrainingConfiguration) -> String {
        (try? JSONReport.canonical(config)) ?? ""
    }

    static func header(
        config: TrainingConfiguration, layout: TraceModelLayout, dataset: Dataset,
        datapath: TrainingDatapath?, bytesInput: Bool
    ) -> TraceHeader {
        var notes = ["blas": BLAS.configure().coreName]
        notes.merge(layout.notes) { _, new in new }
        if let datapath {
            // `train --hw`: the gradients come from the fixed-point datapath; the resolved model makes the trace
            // self-contained, so `trace verify` can recompute them without the file.
            notes[TraceNotes.hardwareModel] = datapath.resolvedModel
        }
        let data = TraceDataset(
            name: dataset.name, split: dataset.split.rawValue, samples: dataset.count,
            digest: "fnv1a64:" + dataset.digestHex, inputTransform: bytesInput ? "u8/255" : "identity")
        return header(config: config, layout: layout, dataset: data, notes: notes)
    }

    /// The header of a run of `config` (resolved) on a model laid out as `layout`: every field but the dataset and
    /// notes follows from the configuration, which is how `TraceHeaderCheck` tests a header against its `config_json`.
    public static func header(
        config: TrainingConfiguration, layout: TraceModelLayout, dataset: TraceDataset,
        notes: [String: String]
    ) -> TraceHeader {
        let est = config.estimator
        let estimator = TraceEstimator(
            name: est.kind.rawValue, perturbedLayers: layout.perturbedLayers,
            copies: layout.perturbedPositions.map { est.copies[$0] },
            sigma: layout.perturbedPositions.map { Double(est.sigma[$0]) },
            antithetic: est.antithetic, baseline: est.baseline.rawValue,
            signEncoding: est.kind.signEncoded || est.noise == .laplace ? "sign" : "none",
            noise: est.noise.rawValue, qmc: est.qmc, seed: config.seed, noiseKeyLayout: layout.noiseKeyLayout)
        var settings: [String: Double] = ["momentum": Double(config.momentum)]
        if config.optimizer == .adam { settings = ["beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8] }
        return TraceHeader(
            producer: producer, configJSON: configJSON(config),
            model: TraceModel(
                spec: layout.spec ?? config.model, activation: layout.activation ?? config.activation.rawValue,
                inputShape: layout.inputShape, layers: layout.layers),
            estimator: estimator,
            optimizer: TraceOptimizer(
                name: config.optimizer.rawValue, learningRate: Double(config.learningRate),
                batchSize: config.batch, epochs: config.epochs, settings: settings),
            dataset: dataset, traceEvery: config.traceEvery, notes: notes)
    }

    public func record(_ s: SampledStep) throws {
        let B = data?.first { $0.name == TraceNames.labels }?.shape.first ?? s.labels.count
        var count =
            (data?.count ?? 2) + 1 + tensors.count * (s.backpropGradient == nil ? 2 : 3) + s.record.copyLosses.count
        if s.record.cleanLosses.isEmpty { count -= 1 }
        try writer.beginStep(
            TraceStepInfo(
                step: UInt64(s.step), epoch: UInt64(s.epoch), noiseSeed: config.seed,
                noiseStep: UInt64(s.step),
                scalars: [
                    TraceScalar(TraceNames.loss, s.record.loss),
                    TraceScalar(TraceNames.learningRate, Double(config.learningRate)),
                ]),
            tensorCount: count)
        let shape = [B] + inputShape
        if let data {
            for t in data { try writer.appendTensor(t) }
        } else if bytesInput {
            let bytes = s.input.map { UInt8(clamping: Int(($0 * 255).rounded())) }
            try writer.appendTensor(TraceTensor(name: TraceNames.input, shape: shape, uint8: bytes))
        } else {
            try writer.appendTensor(name: TraceNames.input, shape: shape, float32: s.input)
        }
        if data == nil {
            try writer.appendTensor(TraceTensor(name: TraceNames.labels, shape: [B], int32: Array(s.labels)))
        }
        if !s.record.cleanLosses.isEmpty {
            try s.record.cleanLosses.withUnsafeBufferPointer {
                try writer.appendTensor(name: TraceNames.cleanLosses, shape: [B], float32: $0)
            }
        }
        func put(_ values: [Float], _ name: (Int, String) -> String) throws {
            try values.withUnsafeBufferPointer { v in
                for t in tensors {
                    try writer.appendTensor(
                        name: name(t.layer, t.name), shape: t.shape, float32: UnsafeBufferPointer(rebasing: v[t.range]))
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
        case .batchNorm: return "batchnorm"
        case .residual: return "residual"
        case .projection: return "projection"
        }
    }
}

extension Trainer {
    /// Runs training and records its sampled steps into `path` (plain `run()` when nil). A run that fails leaves no
    /// partial trace behind: the writer's temporary file is removed.
    @discardableResult
    public func run(tracingTo path: String?, compression: TraceCompression = .none) throws -> TrainingReport {
        guard let path else { return try run() }
        let recorder = try TraceRecorder(
            path: path, config: config, model: model, dataset: train, datapath: datapath,
            compression: compression)
        sampledStepObserver = { try recorder.record($0) }
        defer { sampledStepObserver = nil }
        let report: TrainingReport
        do { report = try run() } catch { recorder.cancel(); throw error }
        try recorder.finish()
        return report
    }
}
