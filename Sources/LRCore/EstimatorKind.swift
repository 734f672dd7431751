/// Which gradient estimator trains (or, in the simulator, which work an iteration schedules). One vocabulary for the
/// trainer, the traces, the simulator and every command.
public enum EstimatorKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Exact backpropagation (the reference): forward, stored activations, the backward chain, update.
    case bp
    /// Likelihood ratio: Gaussian noise on layer outputs (logits), layer-wise injection.
    case lr
    /// Approximated LR: only the sign of each noise sample is kept (1 bit per neuron per copy).
    case alr
    /// Evolution strategies: Gaussian noise on the weights of one layer at a time.
    case es
    /// ES with sign-encoded weight noise.
    case aes

    /// Everything but backprop: noisy copies instead of a backward pass.
    public var isForwardOnly: Bool { self != .bp }
    /// Whether the stored perturbation is one sign bit per value rather than a noise word (alr, aes).
    public var signEncoded: Bool { self == .alr || self == .aes }
    /// Whether the noise goes on the weights (es, aes) rather than on the layer outputs (lr, alr).
    public var usesWeightNoise: Bool { self == .es || self == .aes }

    /// The spellings, for messages: `bp, lr, alr, es, aes`.
    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
