/// Cross-reference checks between the header and the tensors of a step, under the trainer's naming convention.
/// Each returns problems as text; the verifier attaches the chunk location.
enum TraceConventions {
    /// Internal consistency of the header.
    static func check(header h: TraceHeader) -> [String] {
        var problems: [String] = []
        let expectedHash = TraceHeader.hash(ofConfig: h.configJSON)
        if h.configHash != expectedHash {
            problems.append("config_hash \(h.configHash) does not match config_json (computed \(expectedHash))")
        }
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
            problems.append("estimator: perturbed_layers (\(e.perturbedLayers.count)), copies (\(e.copies.count)) and sigma (\(e.sigma.count)) must have one entry each per perturbed layer")
        }
        for l in e.perturbedLayers where !h.model.layers.indices.contains(l) || h.model.layers[l].parameters.isEmpty {
            problems.append("estimator: perturbed layer \(l) is not a layer with parameters in model.layers")
        }
        if let k = e.copies.first(where: { $0 < 1 }) { problems.append("estimator: copies \(k) must be at least 1") }
        if let s = e.sigma.first(where: { !$0.isFinite || $0 < 0 }) { problems.append("estimator: sigma \(s) must be finite and >= 0") }
        if h.optimizer.batchSize < 1 { problems.append("optimizer: batch_size \(h.optimizer.batchSize) must be at least 1") }
        return problems
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
        case .labels:
            if t.dtype != .i32 { return ["labels must be i32, is \(t.dtype)"] }
            if t.shape.count != 1 { return ["labels shape \(t.shape) must be [B]"] }
            if let b = batch, t.shape[0] != b { return ["labels shape \(t.shape) does not match the batch size \(b) of input"] }
        case .cleanLosses:
            if t.shape.count != 1 { return ["clean_losses shape \(t.shape) must be [B]"] }
            if let b = batch, t.shape[0] != b { return ["clean_losses shape \(t.shape) does not match the batch size \(b) of input"] }
        case let .parameter(l, name), let .gradient(l, name), let .backprop(l, name):
            if let p = layerExists(l) { return [p] }
            guard let shape = parameterShape(l, name) else {
                return ["layer \(l) has no parameter '\(name)' in the header (it has \(layers[l].parameters.map(\.name)))"]
            }
            if t.shape != shape { return ["shape \(t.shape) does not match layer \(l)'s parameter '\(name)' shape \(shape) in the header"] }
            if t.dtype != .f32 && t.dtype != .f64 { return ["parameters and gradients must be f32 or f64, is \(t.dtype)"] }
        case let .losses(l):
            if let p = layerExists(l) { return [p] }
            if !h.estimator.perturbedLayers.isEmpty, !h.estimator.perturbedLayers.contains(l) {
                return ["layer \(l) is not a perturbed layer (estimator.perturbed_layers \(h.estimator.perturbedLayers))"]
            }
            if t.shape.count != 2 || t.shape[0] < 1 { return ["losses shape \(t.shape) must be [copies, B]"] }
            if let b = batch, t.shape[1] != b { return ["losses shape \(t.shape) does not match the batch size \(b) of input"] }
        case let .otherLayerTensor(l):
            if let p = layerExists(l) { return [p] }
        case .other:
            break
        }
        return []
    }
}
