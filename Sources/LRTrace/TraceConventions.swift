import Foundation

/// Cross-reference checks between the header and the tensors of a step, under the trainer's naming convention.
/// Each returns problems as text; the verifier attaches the chunk location.
enum TraceConventions {
    /// Estimator names of the format (docs/trace-format.md).
    static let estimatorNames = ["bp", "lr", "alr", "es", "aes"]
    /// Noise-key layouts this lrsim can regenerate: 1 (LRCore's `NoiseKey`), 2 (rnn/snn time-step layers), 3 (a
    /// gnn's whole graph per step) and 4 (all-layer injection: every layer's noise in one pass per copy).
    static let noiseKeyLayouts = [1, 2, 3, 4]
    /// The largest batch and copy count lrsim's trainer and simulator accept.
    static let maxBatch = 1 << 20, maxCopies = 1 << 20
    static let inputTransforms = ["identity", "u8/255"]

    /// Internal consistency of the header: what every field must be by the format, and the layer table's shapes
    /// chained from the model input (reliability report D9: CRC-valid headers contradicting themselves were "OK").
    /// `TraceReader` refuses a trace with any of these problems, so `sim` and `replay` never use such a header.
    static func check(header h: TraceHeader) -> [String] {
        var problems: [String] = []
        let expectedHash = TraceHeader.hash(ofConfig: h.configJSON)
        if h.configHash != expectedHash {
            problems.append("config_hash \(h.configHash) does not match config_json (computed \(expectedHash))")
        }
        if (try? JSONSerialization.jsonObject(with: Data(h.configJSON.utf8))) as? [String: Any] == nil {
            problems.append("config_json is not a JSON object")
        }
        problems += checkModel(h.model)
        for (i, layer) in h.model.layers.enumerated() where layer.index != i {
            problems.append("model.layers[\(i)] has index \(layer.index), expected \(i)")
        }
        for layer in h.model.layers {
            for p in layer.parameters where TraceLimits.elementCount(p.shape) == nil {
                problems.append("layer \(layer.index) parameter '\(p.name)' has invalid shape \(p.shape)")
            }
        }
        let e = h.estimator
        if e.copies.count != e.perturbedLayers.count || e.sigma.count != e.perturbedLayers.count {
            problems.append(
                "estimator: perturbed_layers (\(e.perturbedLayers.count)), copies (\(e.copies.count)) and sigma (\(e.sigma.count)) must have one entry each per perturbed layer"
            )
        }
        for l in e.perturbedLayers where !h.model.layers.indices.contains(l) || h.model.layers[l].parameters.isEmpty {
            problems.append("estimator: perturbed layer \(l) is not a layer with parameters in model.layers")
        }
        if !estimatorNames.contains(e.name) {
            problems.append("estimator: name '\(e.name)' is not one of \(estimatorNames.joined(separator: ", "))")
        } else if (e.name == "bp") != e.perturbedLayers.isEmpty {
            problems.append(
                e.name == "bp"
                    ? "estimator: bp perturbs no layer, but perturbed_layers is \(e.perturbedLayers)"
                    : "estimator: \(e.name) perturbs at least one layer, but perturbed_layers is empty")
        }
        if !noiseKeyLayouts.contains(e.noiseKeyLayout) {
            problems.append(
                "estimator: noise_key_layout \(e.noiseKeyLayout) is not one this lrsim regenerates (\(noiseKeyLayouts.map(String.init).joined(separator: ", ")))"
            )
        }
        if let k = e.copies.first(where: { $0 < 1 || $0 > maxCopies }) {
            problems.append("estimator: copies \(k) must be in 1...\(maxCopies)")
        }
        if let s = e.sigma.first(where: { !$0.isFinite || $0 < 0 }) {
            problems.append("estimator: sigma \(s) must be finite and >= 0")
        }
        if h.optimizer.batchSize < 1 || h.optimizer.batchSize > maxBatch {
            problems.append("optimizer: batch_size \(h.optimizer.batchSize) must be in 1...\(maxBatch)")
        }
        if !inputTransforms.contains(h.dataset.inputTransform) {
            problems.append(
                "dataset: input_transform '\(h.dataset.inputTransform)' is not one of \(inputTransforms.joined(separator: ", "))"
            )
        }
        if h.traceEvery < 1 { problems.append("trace_every \(h.traceEvery) must be at least 1") }
        return problems
    }

    /// The layer table: shapes positive and chained (each layer's input is the previous output, the first is the
    /// model's input), dense and conv parameters shaped by their layer's input and output.
    static func checkModel(_ m: TraceModel) -> [String] {
        if m.spec.isEmpty { return ["model: spec is empty"] }
        if m.layers.isEmpty { return ["model: the layer table is empty"] }
        func valid(_ s: [Int]) -> Bool { !s.isEmpty && s.allSatisfy { $0 >= 1 } && TraceLimits.elementCount(s) != nil }
        guard valid(m.inputShape) else { return ["model: input_shape \(m.inputShape) is not a valid shape"] }
        var previous = m.inputShape
        for layer in m.layers {
            let name = "model.layers[\(layer.index)] (\(layer.kind))"
            guard valid(layer.inputShape), valid(layer.outputShape) else {
                return ["\(name): shapes \(layer.inputShape) -> \(layer.outputShape) are not valid"]
            }
            if layer.inputShape != previous {
                return ["\(name): input_shape \(layer.inputShape) is not the previous output \(previous)"]
            }
            let ins = layer.inputShape.reduce(1, *), outs = layer.outputShape.reduce(1, *)
            func parameter(_ n: String) -> [Int]? { layer.parameters.first { $0.name == n }?.shape }
            switch layer.kind {
            case "dense" where parameter("weight") != [outs, ins] || parameter("bias") != [outs]:
                return [
                    "\(name): a dense layer \(ins)->\(outs) has weight [\(outs), \(ins)] and bias [\(outs)], the table says \(layer.parameters.map { "\($0.name) \($0.shape)" }.joined(separator: ", "))"
                ]
            case "conv2d"
            where parameter("weight")?.prefix(2) != [layer.outputShape[0], layer.inputShape[0]][...]
                || parameter("bias") != [layer.outputShape[0]]:
                return [
                    "\(name): a conv layer \(layer.inputShape[0])->\(layer.outputShape[0]) channels has weight [\(layer.outputShape[0]), \(layer.inputShape[0]), k, k] and bias [\(layer.outputShape[0])], the table says \(layer.parameters.map { "\($0.name) \($0.shape)" }.joined(separator: ", "))"
                ]
            default: break
            }
            previous = layer.outputShape
        }
        return []
    }

    /// Checks one tensor against the header. `batch` is the step's batch size once known (from `input`).
    static func check(tensor t: TraceTensor, header h: TraceHeader, batch: Int?) -> [String] {
        let layers = h.model.layers
        func parameterShape(_ layer: Int, _ name: String) -> [Int]? {
            guard layers.indices.contains(layer) else { return nil }
            return layers[layer].parameters.first { $0.name == name }?.shape
        }
        func layerExists(_ l: Int) -> String? {
            layers.indices.contains(l) ? nil : "layer \(l) is not in the header's layer table (\(layers.count) layers)"
        }
        switch TraceNames.role(of: t.name) {
        case .input:
            guard t.dtype == .f32 || t.dtype == .u8 else { return ["input must be f32 or u8, is \(t.dtype)"] }
            if t.shape.count != h.model.inputShape.count + 1 || Array(t.shape.dropFirst()) != h.model.inputShape {
                return ["input shape \(t.shape) is not [B] + model input shape \(h.model.inputShape)"]
            }
            // A gnn step records its whole graph: every node's features, of which batch_size are training nodes.
            let wholeGraph = h.model.spec.hasPrefix("gnn:")
            if t.shape[0] < 1 || (!wholeGraph && t.shape[0] > h.optimizer.batchSize) {
                return [
                    "input holds \(t.shape[0]) samples, but optimizer.batch_size is \(h.optimizer.batchSize) (a batch has 1...batch_size)"
                ]
            }
        case .labels:
            if t.dtype != .i32 { return ["labels must be i32, is \(t.dtype)"] }
            if t.shape.count != 1 { return ["labels shape \(t.shape) must be [B]"] }
            if let b = batch, t.shape[0] != b {
                return ["labels shape \(t.shape) does not match the batch size \(b) of input"]
            }
        case .cleanLosses:
            if t.shape.count != 1 { return ["clean_losses shape \(t.shape) must be [B]"] }
            if let b = batch, t.shape[0] != b {
                return ["clean_losses shape \(t.shape) does not match the batch size \(b) of input"]
            }
        case let .parameter(l, name), let .gradient(l, name), let .backprop(l, name):
            if let p = layerExists(l) { return [p] }
            guard let shape = parameterShape(l, name) else {
                return [
                    "layer \(l) has no parameter '\(name)' in the header (it has \(layers[l].parameters.map(\.name)))"
                ]
            }
            if t.shape != shape {
                return ["shape \(t.shape) does not match layer \(l)'s parameter '\(name)' shape \(shape) in the header"]
            }
            if t.dtype != .f32 && t.dtype != .f64 {
                return ["parameters and gradients must be f32 or f64, is \(t.dtype)"]
            }
        case let .losses(l):
            if let p = layerExists(l) { return [p] }
            if !h.estimator.perturbedLayers.isEmpty, !h.estimator.perturbedLayers.contains(l) {
                return [
                    "layer \(l) is not a perturbed layer (estimator.perturbed_layers \(h.estimator.perturbedLayers))"
                ]
            }
            if t.shape.count != 2 || t.shape[0] < 1 { return ["losses shape \(t.shape) must be [copies, B]"] }
            if let i = h.estimator.perturbedLayers.firstIndex(of: l), i < h.estimator.copies.count,
                t.shape[0] != h.estimator.copies[i]
            {
                return [
                    "losses shape \(t.shape) holds \(t.shape[0]) copies, but estimator.copies gives layer \(l) \(h.estimator.copies[i])"
                ]
            }
            if let b = batch, t.shape[1] != b {
                return ["losses shape \(t.shape) does not match the batch size \(b) of input"]
            }
        case let .otherLayerTensor(l):
            if let p = layerExists(l) { return [p] }
        case .other:
            break
        }
        return []
    }
}
