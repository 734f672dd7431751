import LRCore

/// Which gradient estimator trains the network.
public enum EstimatorKind: String, Sendable, Codable, CaseIterable {
    /// Exact backpropagation (the reference).
    case bp
    /// Likelihood ratio: Gaussian noise on layer outputs (logits), layer-wise injection.
    case lr
    /// Approximated LR: only the sign of each noise sample is kept (1 bit per neuron per copy).
    case alr
    /// Evolution strategies: Gaussian noise on the weights of one layer at a time.
    case es
    /// ES with sign-encoded weight noise.
    case aes

    public var usesWeightNoise: Bool { self == .es || self == .aes }
    public var signEncoded: Bool { self == .alr || self == .aes }
}

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

/// Every knob of the estimators, per parametric layer where it makes sense.
public struct EstimatorSettings: Sendable, Codable, Equatable {
    public var kind: EstimatorKind
    /// Whether parametric layer p (position in `parametricLayers`) is perturbed through its weights.
    public func usesWeightNoise(layer p: Int) -> Bool {
        kind.usesWeightNoise || (weightNoiseLayers ?? []).contains(p)
    }

    /// Copies K per parametric layer (in order of `NetworkSpec.parametricLayers`).
    public var copies: [Int]
    /// Noise scale per parametric layer.
    public var sigma: [Float]
    public var antithetic: Bool
    public var baseline: Baseline
    public var qmc: Bool
    public var noise: NoiseKind
    /// Parametric layers (by position in `parametricLayers`) that use weight noise under `lr`/`alr` instead of
    /// logit noise; nil means `automaticWeightNoiseLayers` (resolved against the network).
    public var weightNoiseLayers: [Int]?

    public init(kind: EstimatorKind, copies: [Int], sigma: [Float], antithetic: Bool = true, baseline: Baseline = .clean,
                qmc: Bool = false, noise: NoiseKind = .gaussian, weightNoiseLayers: [Int]? = []) {
        self.kind = kind; self.copies = copies; self.sigma = sigma; self.antithetic = antithetic
        self.baseline = baseline; self.qmc = qmc; self.noise = noise; self.weightNoiseLayers = weightNoiseLayers
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
    public func resolved(spec: NetworkSpec) throws -> EstimatorSettings {
        var s = try resolved(parametricLayers: spec.parametricLayers.count)
        if s.weightNoiseLayers == nil { s.weightNoiseLayers = Self.automaticWeightNoiseLayers(spec) }
        return s
    }

    /// Expands one-element lists to every parametric layer and checks the rest.
    public func resolved(parametricLayers n: Int) throws -> EstimatorSettings {
        func expand<T>(_ xs: [T], _ name: String) throws -> [T] {
            if xs.count == n { return xs }
            if xs.count == 1 { return Array(repeating: xs[0], count: n) }
            throw TrainingError.invalidOption("--\(name): expected 1 or \(n) comma-separated values (one per parametric layer), got \(xs.count)")
        }
        var s = self
        s.copies = try expand(copies, "copies")
        s.sigma = try expand(sigma, "sigma")
        if kind != .bp {
            for k in s.copies where k < 1 || k > 1 << 16 {
                throw TrainingError.invalidOption("--copies: expected values in 1...65536, got \(k)")
            }
            if antithetic, let odd = s.copies.first(where: { $0 % 2 != 0 }) {
                throw TrainingError.invalidOption("--copies: antithetic pairs need an even number of copies, got \(odd) (or pass --no-antithetic)")
            }
            for v in s.sigma where !(v > 0 && v.isFinite) {
                throw TrainingError.invalidOption("--sigma: expected positive finite values, got \(v)")
            }
            if let bad = weightNoiseLayers?.first(where: { $0 < 0 || $0 >= n }) {
                throw TrainingError.invalidOption("--weight-noise-layers: layer \(bad) is not one of the \(n) parametric layers (0-based)")
            }
        }
        return s
    }

    /// The ALR scale: for Gaussian noise E[eps * sign(eps)] = sqrt(2/pi), so c * sign(eps) matches eps/sigma to first
    /// order when c = sqrt(pi/2)/sigma.
    public static func signScale(sigma: Float) -> Float { (Float.pi / 2).squareRoot() / sigma }
}
