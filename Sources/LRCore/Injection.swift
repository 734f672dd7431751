/// Where the likelihood-ratio estimators (lr, alr) put their noise in one training step.
public enum Injection: String, Sendable, Hashable, Codable, CaseIterable {
    /// One layer at a time: the clean forward is shared, and each perturbed layer's K noisy copies run only the layers
    /// after it (work grows with the square of the depth; every layer's estimate has its own copies).
    case layerwise
    /// Every layer at once (the authors' code): K noisy forward passes with noise on every layer's output, and every
    /// layer's gradient from the same per-copy losses (work linear in the depth; estimates share the copies' noise).
    case allLayers = "all-layers"
}
