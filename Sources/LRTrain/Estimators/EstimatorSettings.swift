import LRCore

/// What is subtracted from each copy's loss before it weights the noise. Any baseline that does not depend on the
/// copy's own noise leaves the estimate unbiased.
public enum Baseline: String, Sendable, Codable, CaseIterable {
    /// The clean (noise-free) loss of the same sample: one extra forward, lowest variance in practice.
    case clean
    /// The mean loss over the sample's copies (slightly biased by 1/K; no clean pass needed).
    case mean
    case none
}

/// The distribution of injected noise (LR/ALR). Laplace noise makes the sign-only score exact: s(z) = sign(z)/b.
public enum NoiseKind: String, Sendable, Codable, CaseIterable {
    case gaussian, laplace
}

/// Where an rnn's cell puts its noise in time (`--step-injection`).
public enum StepInjection: String, Sendable, Codable, CaseIterable {
    /// Every time step of each copy at once: K noisy trajectories per sample (T x H noise values per copy).
    case allSteps = "all-steps"
    /// One time step at a time: per step t, K copies start from the clean state and run only steps t...T-1 (H noise
    /// values per copy; about T/2 times the recurrent work of all-steps for the same K).
    case perStep = "per-step"
}

/// Every knob of the estimators, per parametric layer where it makes sense.
public struct EstimatorSettings: Sendable, Codable, Equatable {
    public var kind: EstimatorKind
    /// Whether parametric layer p (position in `parametricLayers`) is perturbed through its weights.
    public func usesWeightNoise(layer p: Int) -> Bool {
        kind.usesWeightNoise || (weightNoiseLayers ?? []).contains(p)
    }

    /// Copies K per parametric layer (in order of `NetworkSpec.parametricLayers`); K = 0: the layer is not trained.
    public var copies: CopyCounts
    /// Noise scale per parametric layer.
    public var sigma: [Float]
    public var antithetic: Bool
    public var baseline: Baseline
    public var qmc: Bool
    public var noise: NoiseKind
    /// Parametric layers (by position in `parametricLayers`) that use weight noise under `lr`/`alr` instead of
    /// logit noise; nil means `automaticWeightNoiseLayers` (resolved against the network).
    public var weightNoiseLayers: [Int]?
    /// Where lr/alr put their noise: one layer at a time, or every layer in each copy (`AllLayersInjection.swift`).
    public var injection: Injection {
        get { injectionChoice ?? .layerwise }
        set { injectionChoice = newValue == .layerwise ? nil : newValue }
    }
    /// nil for layer-wise, so the JSON of a layer-wise run (reports, checkpoints, trace headers) is what it was before
    /// the option existed, and files written before it decode as layer-wise.
    var injectionChoice: Injection?
    /// rnn models: the cell's noise in time; nil means all steps (and is left out of the JSON, like `injection`).
    public var stepInjection: StepInjection?

    enum CodingKeys: String, CodingKey {
        case kind, copies, sigma, antithetic, baseline, qmc, noise, weightNoiseLayers, injectionChoice = "injection"
        case stepInjection
    }

    public init(
        kind: EstimatorKind, copies: CopyCounts, sigma: [Float], antithetic: Bool = true, baseline: Baseline = .clean,
        qmc: Bool = false, noise: NoiseKind = .gaussian, weightNoiseLayers: [Int]? = [],
        injection: Injection = .layerwise
    ) {
        self.kind = kind; self.copies = copies; self.sigma = sigma; self.antithetic = antithetic
        self.baseline = baseline; self.qmc = qmc; self.noise = noise; self.weightNoiseLayers = weightNoiseLayers
        self.injection = injection
    }

    /// The default choice of weight noise: convolutions with fewer parameters than outputs per sample.
    ///
    /// LR's variance grows with the number of perturbed values and ES's with the number of parameters. An early conv
    /// layer has few weights but a large output map (cnn:small's first layer: 160 parameters, 12544 outputs per
    /// sample), so perturbing its weights gives a far less noisy estimate for the same copies; dense layers are the
    /// opposite (200k weights, 128 outputs). The LR papers make the same choice for early, high-resolution layers.
    public static func automaticWeightNoiseLayers(_ spec: NetworkSpec) -> [Int] {
        let shapes = spec.shapes
        return spec.parametricLayers.enumerated().compactMap { p, li in
            if case .conv2d = spec.layers[li], spec.layers[li].parameterCount < shapes[li].reduce(1, *) { return p }
            return nil
        }
    }

    /// Expands one-element lists to every parametric layer, resolves automatic choices, and checks the rest.
    public func resolved(spec: NetworkSpec) throws(SettingError) -> EstimatorSettings {
        var s = try resolved(parametricLayers: spec.parametricLayers.count)
        if s.weightNoiseLayers == nil {
            // All-layer injection puts logit noise on every layer (the authors' scheme): 'auto' picks no weight noise.
            s.weightNoiseLayers = s.injection == .allLayers ? [] : Self.automaticWeightNoiseLayers(spec)
        }
        return s
    }

    /// Expands one-element lists to every parametric layer and checks the rest (K by `CopyCounts.validate`, the rule
    /// the simulator applies too).
    public func resolved(parametricLayers n: Int) throws(SettingError) -> EstimatorSettings {
        var s = self
        if kind.isForwardOnly { try copies.validate(layers: n, estimator: kind, antithetic: antithetic) }
        s.copies = try copies.expanded(toLayers: n)
        if sigma.count == 1 {
            s.sigma = Array(repeating: sigma[0], count: n)
        } else if sigma.count != n {
            throw SettingError(
                "sigma", "expected 1 or \(n) comma-separated values (one per parametric layer), got \(sigma.count)")
        }
        if kind.isForwardOnly {
            for v in s.sigma where !(v > 0 && v.isFinite) {
                throw SettingError("sigma", "expected positive finite values, got \(v)")
            }
            if let bad = weightNoiseLayers?.first(where: { $0 < 0 || $0 >= n }) {
                throw SettingError(
                    "weight-noise-layers", "layer \(bad) is not one of the \(n) parametric layers (0-based)")
            }
            if injection == .allLayers { try s.checkAllLayers() }
        }
        return s
    }

    /// What all-layer injection cannot do: every copy is one forward pass with logit noise on every layer, so the
    /// layers share one K, and weight noise (es, aes, weight-noise layers) and QMC points (one sequence per layer
    /// over its own rows) have no place in it.
    func checkAllLayers() throws(SettingError) {
        guard !kind.usesWeightNoise else {
            throw SettingError(
                "injection",
                "all-layers injection puts noise on layer outputs (lr, alr); \(kind.rawValue) perturbs weights one layer at a time: use --injection layerwise"
            )
        }
        if let layers = weightNoiseLayers, !layers.isEmpty {
            throw SettingError(
                "weight-noise-layers",
                "all-layers injection puts logit noise on every layer; got weight-noise layers \(layers.map(String.init).joined(separator: ",")) (give 'none' or leave it 'auto')"
            )
        }
        guard let k = copies.first, copies.allSatisfy({ $0 == k }) else {
            throw SettingError(
                "copies",
                "all-layers injection runs one set of K noisy passes for every layer: give one K, got \(copies)")
        }
        guard !qmc else {
            throw SettingError("qmc", "all-layers injection draws Philox noise; QMC points are layer-wise only")
        }
    }

    /// The ALR scale: for Gaussian noise E[eps * sign(eps)] = sqrt(2/pi), so c * sign(eps) matches eps/sigma to first
    /// order when c = sqrt(pi/2)/sigma.
    public static func signScale(sigma: Float) -> Float { (Float.pi / 2).squareRoot() / sigma }
}
