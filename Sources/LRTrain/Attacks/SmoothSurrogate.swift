import LRCore

extension Network {
    /// The BPDA surrogate of a threshold network (Athalye et al. 2018, arXiv 1802.00420): every `step` activation
    /// 1[z > 0] replaced by sigmoid(k z), which tends to the step as k grows and has a useful gradient. The sharpness
    /// k is folded into the weights and bias of the layer feeding each activation (sigmoid(k (W x + b)) =
    /// sigmoid((kW) x + kb)), so the surrogate is an ordinary network whose outputs differ from the original only
    /// where a unit is near its threshold. Gradient attacks crafted on it (`lrsim eval --surrogate-sharpness K`) are
    /// the adaptive white-box test of step networks, whose own input gradient is zero.
    public func smoothSurrogate(sharpness k: Float) throws(SettingError) -> Network {
        guard k > 0 && k.isFinite else {
            throw SettingError("surrogate-sharpness", "expected a positive number, got \(k)")
        }
        var layers = spec.layers, p = parameters
        var steps = 0
        for (i, layer) in layers.enumerated() {
            guard case .activation(.step) = layer else { continue }
            steps += 1
            layers[i] = .activation(.sigmoid)
            // The nearest parametric layer before it (activations follow dense or conv layers, maybe via pooling).
            guard let slot = layout.slots.last(where: { $0.layer < i }) else { continue }
            for j in slot.weightOffset..<(slot.biasOffset + slot.biasCount) { p[j] *= k }
        }
        guard steps > 0 else {
            throw SettingError(
                "surrogate-sharpness",
                "replaces step activations by sigmoid(k z); \(spec.name) has none (attack it directly)")
        }
        return Network(spec: NetworkSpec(name: spec.name, inputShape: spec.inputShape, layers: layers), parameters: p)
    }
}
