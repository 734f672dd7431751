import Foundation
import LRCore
import LRTrace

/// The resolved configuration of a traced `lrsim train-arch` run (rnn, snn), stored as the trace header's
/// `config_json`: enough to rebuild the model (shapes, seed, estimator) and recompute any recorded step.
public struct ArchitectureTraceConfig: Codable, Sendable, Equatable {
    public var arch: ArchitectureKind
    public var estimator: ArchitectureEstimator
    /// rnn: features per time step (D); snn: input features (D).
    public var inputs: Int
    public var hidden: Int
    public var classes: Int
    /// Time steps T.
    public var steps: Int
    public var copies: Int?
    public var sigma: Float?
    public var seed: UInt64
    public var batch: Int
    public var epochs: Int
    public var learningRate: Float
    public var optimizer = "adam"
    public var data: String
    public var trainSamples: Int
    public var traceEvery: Int

    public init(arch: ArchitectureKind, estimator: ArchitectureEstimator, inputs: Int, hidden: Int, classes: Int,
                steps: Int, lr: ArchitectureLRSettings?, seed: UInt64, batch: Int, epochs: Int, learningRate: Float,
                data: String, trainSamples: Int, traceEvery: Int) {
        self.arch = arch; self.estimator = estimator; self.inputs = inputs; self.hidden = hidden; self.classes = classes
        self.steps = steps; self.copies = lr?.copies; self.sigma = lr?.sigma; self.seed = seed; self.batch = batch
        self.epochs = epochs; self.learningRate = learningRate; self.data = data; self.trainSamples = trainSamples
        self.traceEvery = traceEvery
    }

    /// The spelling `lrsim sim --model` parses (`SequenceModel`): `rnn:DxH-CxT<steps>` / `snn:D-H-CxT<steps>`.
    public var modelSpec: String {
        arch == .rnn ? "rnn:\(inputs)x\(hidden)-\(classes)xT\(steps)" : "snn:\(inputs)-\(hidden)-\(classes)xT\(steps)"
    }

    /// Canonical JSON (sorted keys, snake case, no whitespace).
    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? e.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ json: String) throws -> ArchitectureTraceConfig {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        do { return try d.decode(ArchitectureTraceConfig.self, from: Data(json.utf8)) } catch {
            throw ArchitectureError("header config_json is not a train-arch configuration: \(error)")
        }
    }

    public var lrSettings: ArchitectureLRSettings? {
        get throws {
            guard estimator == .lr else { return nil }
            guard let copies, let sigma else { throw ArchitectureError("config_json: an lr run needs copies and sigma") }
            return try ArchitectureLRSettings(copies: copies, sigma: sigma)
        }
    }

    /// A fresh model of this configuration (initial weights from the seed).
    public func makeModel() throws -> BatchClassifier {
        switch arch {
        case .rnn:
            return try ElmanRNN(inputSize: inputs, steps: steps, hidden: hidden, classes: classes, seed: seed, lr: try lrSettings)
        case .snn:
            return try SpikingNetwork(inputs: inputs, hidden: hidden, classes: classes, steps: steps, seed: seed, lr: try lrSettings)
        case .gnn:
            throw ArchitectureError("--trace: gnn runs are not traced (rnn and snn are)")
        }
    }
}

/// How an architecture's flat parameter vector maps onto trace tensors and the header's layer table.
///
/// rnn (`ElmanRNN`): layer 0 `elman` — `layer0.weight` = W_in `[H, D]`, `layer0.weight_hh` = W_hh `[H, H]`,
/// `layer0.bias` = b `[H]`; layer 1 `dense` (the head on the last state) — `layer1.weight` `[C, H]`, `layer1.bias` `[C]`.
/// snn (`SpikingNetwork`): layer 0 `lif` — `layer0.weight` = W1 `[H, D]`, `layer0.bias` `[H]`; layer 1 `integrator`
/// — `layer1.weight` = W2 `[C, H]`, `layer1.bias` `[C]`. Noise layers 0 and 1 of the estimators are these layers.
public struct ArchitectureTensorLayout {
    public struct Entry { public var layer: Int; public var name: String; public var shape: [Int]; public var range: Range<Int> }
    public let entries: [Entry]
    public let layers: [TraceLayer]
    /// One sample's input shape: rnn `[T, D]`, snn `[D]`.
    public let inputShape: [Int]

    public init(_ c: ArchitectureTraceConfig) throws {
        let D = c.inputs, H = c.hidden, C = c.classes, T = c.steps
        var e: [Entry] = []
        var offset = 0
        func add(_ layer: Int, _ name: String, _ shape: [Int]) {
            let n = shape.reduce(1, *)
            e.append(Entry(layer: layer, name: name, shape: shape, range: offset..<(offset + n))); offset += n
        }
        switch c.arch {
        case .rnn:
            // ElmanRNN's flat order: W_in, W_hh, b, W_o, b_o.
            add(0, "weight", [H, D]); add(0, "weight_hh", [H, H]); add(0, "bias", [H]); add(1, "weight", [C, H]); add(1, "bias", [C])
            inputShape = [T, D]
            layers = [
                TraceLayer(index: 0, kind: "elman", summary: "elman \(D)+\(H)->\(H) tanh over \(T) steps (h_t = tanh(W_in x_t + W_hh h_{t-1} + b))",
                           inputShape: [T, D], outputShape: [H], parameters: e[0...2].map { TraceParameter(name: $0.name, shape: $0.shape) }),
                TraceLayer(index: 1, kind: "dense", summary: "dense \(H)->\(C) (head on the last state)",
                           inputShape: [H], outputShape: [C], parameters: e[3...4].map { TraceParameter(name: $0.name, shape: $0.shape) }),
            ]
        case .snn:
            // SpikingNetwork's flat order: W1, b1, W2, b2.
            add(0, "weight", [H, D]); add(0, "bias", [H]); add(1, "weight", [C, H]); add(1, "bias", [C])
            inputShape = [D]
            layers = [
                TraceLayer(index: 0, kind: "lif", summary: "lif \(D)->\(H) over \(T) steps (rate-coded input, beta 0.9, threshold 1, hard threshold)",
                           inputShape: [D], outputShape: [H], parameters: e[0...1].map { TraceParameter(name: $0.name, shape: $0.shape) }),
                TraceLayer(index: 1, kind: "integrator", summary: "dense \(H)->\(C) non-leaky integrator readout (mean over steps)",
                           inputShape: [H], outputShape: [C], parameters: e[2...3].map { TraceParameter(name: $0.name, shape: $0.shape) }),
            ]
        case .gnn:
            throw ArchitectureError("--trace: gnn runs are not traced (rnn and snn are)")
        }
        entries = e
    }

    public var parameterCount: Int { entries.last.map { $0.range.upperBound } ?? 0 }
}

/// Writes sampled steps of `ArchitectureTrainer.train` into a trace (docs/trace-format.md, "Architectures"): per step
/// the parameters before the update, the input batch (u8 when every pixel is b/255), labels, clean and per-copy
/// losses and the estimated gradient, named `layer{l}.*` after `ArchitectureTensorLayout`.
public final class ArchitectureTraceRecorder {
    /// Header note marking a train-arch trace (its value is the architecture); `trace verify` picks its recomputation.
    public static let noteKey = "train_arch"

    let writer: TraceWriter
    public let config: ArchitectureTraceConfig
    let layout: ArchitectureTensorLayout
    let bytesInput: Bool
    public var traceEvery: Int { config.traceEvery }

    public init(path: String, config: ArchitectureTraceConfig, dataset: Dataset, compression: TraceCompression = .none) throws {
        guard config.traceEvery >= 1 else { throw ArchitectureError("--trace-every: expected a positive step count, got \(config.traceEvery)") }
        self.config = config
        layout = try ArchitectureTensorLayout(config)
        bytesInput = dataset.images.allSatisfy { Float(UInt8(clamping: Int(($0 * 255).rounded()))) / 255 == $0 }
        let header = Self.header(config: config, layout: layout, dataset: dataset, bytesInput: bytesInput)
        do { writer = try TraceWriter(path: path, header: header, options: .init(compression: compression)) } catch {
            throw ArchitectureError("--trace: \(error)")
        }
    }

    static func header(config c: ArchitectureTraceConfig, layout: ArchitectureTensorLayout, dataset: Dataset,
                       bytesInput: Bool) -> TraceHeader {
        let notes = [
            "blas": BLAS.configure().coreName, noteKey: c.arch.rawValue,
            "noise_key": "layout 2: NoiseKey layer field = noise layer << 12 | time step; rows b*(K/2)+k/2, odd copies negated",
        ]
        return header(config: c, layout: layout, notes: notes,
                      dataset: TraceDataset(name: dataset.name, split: dataset.split.rawValue, samples: dataset.count,
                                            digest: "fnv1a64:" + dataset.digestHex,
                                            inputTransform: bytesInput ? "u8/255" : "identity"))
    }

    /// The header of a run of `c`: every field but the dataset and notes follows from the configuration
    /// (`TraceHeaderCheck` compares a header with the one its `config_json` gives).
    static func header(config c: ArchitectureTraceConfig, layout: ArchitectureTensorLayout, notes: [String: String],
                       dataset: TraceDataset) -> TraceHeader {
        let lr = c.estimator == .lr
        let estimator = TraceEstimator(
            name: c.estimator.rawValue, perturbedLayers: lr ? [0, 1] : [], copies: lr ? [c.copies ?? 0, c.copies ?? 0] : [],
            sigma: lr ? [Double(c.sigma ?? 0), Double(c.sigma ?? 0)] : [], antithetic: true, baseline: "clean",
            signEncoding: "none", noise: "gaussian", qmc: false, seed: c.seed, noiseKeyLayout: 2)
        return TraceHeader(
            producer: TraceRecorder.producer, configJSON: c.json,
            model: TraceModel(spec: c.modelSpec, activation: c.arch == .rnn ? "tanh" : "step", inputShape: layout.inputShape,
                              layers: layout.layers),
            estimator: estimator,
            optimizer: TraceOptimizer(name: "adam", learningRate: Double(c.learningRate), batchSize: c.batch, epochs: c.epochs,
                                      settings: ["beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8]),
            dataset: dataset, traceEvery: c.traceEvery, notes: notes)
    }

    /// Whether step `step` of `total` is recorded: 0, every N-th and the last.
    public func samples(step: Int, total: Int) -> Bool { step % config.traceEvery == 0 || step == total - 1 }

    /// Records one step: `parameters` before the update, the batch's `rows` samples, the gradient and losses.
    public func record(step: Int, epoch: Int, parameters: [Float], input: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                       rows B: Int, gradient: [Float], loss: Float, losses: CapturedLosses) throws {
        precondition(parameters.count == layout.parameterCount && gradient.count == layout.parameterCount)
        let tensors = 2 + (losses.clean.isEmpty ? 0 : 1) + 2 * layout.entries.count + losses.copies.count
        let features = layout.inputShape.reduce(1, *)
        do {
            try writer.beginStep(TraceStepInfo(step: UInt64(step), epoch: UInt64(epoch), noiseSeed: config.seed, noiseStep: UInt64(step),
                                               scalars: [TraceScalar(TraceNames.loss, Double(loss)),
                                                         TraceScalar(TraceNames.learningRate, Double(config.learningRate))]),
                                 tensorCount: tensors)
            let x = UnsafeBufferPointer(start: input, count: B * features)
            if bytesInput {
                try writer.appendTensor(TraceTensor(name: TraceNames.input, shape: [B] + layout.inputShape,
                                                    uint8: x.map { UInt8(clamping: Int(($0 * 255).rounded())) }))
            } else {
                try writer.appendTensor(name: TraceNames.input, shape: [B] + layout.inputShape, float32: x)
            }
            try writer.appendTensor(TraceTensor(name: TraceNames.labels, shape: [B], int32: Array(UnsafeBufferPointer(start: labels, count: B))))
            if !losses.clean.isEmpty {
                try losses.clean.withUnsafeBufferPointer { try writer.appendTensor(name: TraceNames.cleanLosses, shape: [B], float32: $0) }
            }
            for (values, name) in [(parameters, TraceNames.parameter), (gradient, TraceNames.gradient)] {
                try values.withUnsafeBufferPointer { v in
                    for e in layout.entries {
                        try writer.appendTensor(name: name(e.layer, e.name), shape: e.shape, float32: UnsafeBufferPointer(rebasing: v[e.range]))
                    }
                }
            }
            for (layer, L) in losses.copies.enumerated() {
                try L.withUnsafeBufferPointer { try writer.appendTensor(name: TraceNames.losses(layer), shape: [L.count / max(1, B), B], float32: $0) }
            }
        } catch let e as ArchitectureError { throw e } catch {
            throw ArchitectureError("--trace: \(error)")
        }
    }

    public func finish() throws {
        do { try writer.finish() } catch { throw ArchitectureError("--trace: \(error)") }
    }
    public func cancel() { writer.cancel() }
    public var path: String { writer.path }
}

/// `trace verify`'s recomputation for train-arch traces: rebuild the model from `config_json`, load the recorded
/// parameters, regenerate the noise from the step's key (and, for the SNN, the input spikes) and recompute the
/// estimate; the gradient, the clean losses and the per-copy losses must match the recorded ones bit for bit (the
/// estimators are deterministic functions of (weights, batch, seed, step), independent of the thread count).
public struct ArchitectureGradientRecomputation: TraceStepVerifier {
    public init() {}
    public var checkName: String { "train-arch gradient recomputed from regenerated noise (rnn/snn estimator, bit for bit)" }

    public func check(header: TraceHeader) -> [String] { TraceHeaderCheck.problems(header) }

    public func verify(step s: TraceStep, header: TraceHeader) throws -> TraceStepCheck {
        let config = try ArchitectureTraceConfig.decode(header.configJSON)
        let layout = try ArchitectureTensorLayout(config)
        let model = try config.makeModel()
        guard model.parameters.count == layout.parameterCount else {
            return TraceStepCheck(passed: false, detail: "the model has \(model.parameters.count) parameters, the layout \(layout.parameterCount)")
        }
        var params = [Float](repeating: 0, count: layout.parameterCount)
        for e in layout.entries {
            let name = TraceNames.parameter(e.layer, e.name)
            guard let t = s.tensor(name)?.float32, t.count == e.range.count else {
                return TraceStepCheck(passed: false, detail: "tensor '\(name)' is missing or does not hold \(e.range.count) f32 values")
            }
            params.replaceSubrange(e.range, with: t)
        }
        model.parameters = params
        guard let labels = s.tensor(TraceNames.labels)?.int32 else {
            return TraceStepCheck(passed: false, detail: "tensor 'labels' (i32) is missing")
        }
        guard let xt = s.tensor(TraceNames.input) else { return TraceStepCheck(passed: false, detail: "tensor 'input' is missing") }
        let input: [Float]
        switch (xt.dtype, header.dataset.inputTransform) {
        case (.u8, "u8/255"): input = xt.bytes.map { Float($0) / 255 }
        case (.f32, "identity"): input = xt.float32 ?? []
        default: return TraceStepCheck(passed: false, detail: "input of type \(xt.dtype) with transform '\(header.dataset.inputTransform)' is not supported")
        }
        let B = labels.count
        guard input.count == B * model.inputFeatures else {
            return TraceStepCheck(passed: false, detail: "input holds \(input.count) values, expected \(B) x \(model.inputFeatures)")
        }
        var g = [Float](repeating: 0, count: layout.parameterCount)
        model.capturesLosses = true
        _ = input.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in g.withUnsafeMutableBufferPointer { gp in
            model.gradient(config.estimator, x: x.baseAddress!, labels: y.baseAddress!, rows: B, step: Int(s.info.noiseStep),
                           into: gp.baseAddress!)
        } } }
        var differing = 0
        for e in layout.entries {
            let name = TraceNames.gradient(e.layer, e.name)
            guard let rec = s.tensor(name)?.float32, rec.count == e.range.count else {
                return TraceStepCheck(passed: false, detail: "tensor '\(name)' is missing or of the wrong size")
            }
            differing += zip(g[e.range], rec).filter { $0.bitPattern != $1.bitPattern }.count
        }
        var lossValues = 0, lossesDiffer = 0
        var compared: [(String, [Float])] = [(TraceNames.cleanLosses, model.capturedLosses.clean)]
        for (l, L) in model.capturedLosses.copies.enumerated() { compared.append((TraceNames.losses(l), L)) }
        for (name, mine) in compared {
            guard let rec = s.tensor(name)?.float32 else {
                return TraceStepCheck(passed: false, detail: "tensor '\(name)' is missing")
            }
            lossValues += mine.count
            lossesDiffer += rec.count == mine.count ? zip(rec, mine).filter { $0.bitPattern != $1.bitPattern }.count : max(rec.count, mine.count)
        }
        if differing == 0 && lossesDiffer == 0 {
            return TraceStepCheck(passed: true, detail: "\(g.count) gradient values and \(lossValues) losses are bit-identical")
        }
        return TraceStepCheck(passed: false, detail: "\(differing) of \(g.count) gradient values and \(lossesDiffer) of \(lossValues) losses differ from the recomputation (recorded with BLAS \(header.notes["blas"] ?? "?"), recomputed with \(BLAS.configure().coreName))")
    }
}
