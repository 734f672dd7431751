import FixedPoint

/// The number formats of a hardware model, resolved into FixedPoint configs for the forward-only LR datapath.
///
/// Which format holds which value (docs/replay.md has the full picture):
/// - network input: `inputs`; weights and biases: `weights`;
/// - dense forward: each product rounded into `products`, the running sum into `accumulators`; the accumulator is
///   written back into `activations` (pre-activation outputs, and the logits the loss unit reads);
/// - noisy copy: the perturbation sigma * eps (eps the unit noise in `noise`, sigma a 16-bit constant) is added to the
///   accumulator *before* the write-back, so a noisy output is rounded once, like the clean one;
/// - activation outputs: `activations`; stored layer inputs for the gradient: `inputs`;
/// - per-copy losses and the baseline-subtracted losses: `loss`;
/// - gradient: the copy reduction and the outer product both round products into `products` and sums into
///   `accumulators`; the reduction writes back into the weighted-loss format (derived, below), the outer product into
///   `gradients`; the fixed-point update rounds lr * dW into `updates` and the new weight into `weights`.
public struct DatapathFormats: Sendable, Hashable {
    public var weights: FixedConfig
    public var activations: FixedConfig
    public var inputs: FixedConfig
    public var noise: FixedConfig
    public var loss: FixedConfig
    public var products: FixedConfig
    public var accumulators: FixedConfig
    public var gradients: FixedConfig
    public var updates: FixedConfig

    public init(
        weights: FixedConfig, activations: FixedConfig, inputs: FixedConfig, noise: FixedConfig, loss: FixedConfig,
        products: FixedConfig, accumulators: FixedConfig, gradients: FixedConfig, updates: FixedConfig
    ) {
        self.weights = weights; self.activations = activations; self.inputs = inputs; self.noise = noise
        self.loss = loss; self.products = products; self.accumulators = accumulators; self.gradients = gradients
        self.updates = updates
    }

    /// The forward MAC: products and accumulators as configured, written back unchanged (the caller rounds the
    /// accumulator into `activations` after adding any noise).
    public var forwardMAC: MACConfig { MACConfig(product: products, accumulator: accumulators, output: accumulators) }

    /// The weighted-loss register w[b, j] = sum_k (L - L0)_bk s_bkj: as wide as needed to hold every such sum exactly
    /// (`AccumulatorBound` for K terms at the exact product's fraction bits) but never wider than the accumulator,
    /// nor than the 64 bits of an operand; rounding and overflow as the accumulators.
    public func weightedLoss(score: FixedFormat, copies: Int) throws -> FixedConfig {
        let exactFrac = loss.format.fracBits + score.fracBits
        let exactWidth = AccumulatorBound.minimumWidth(a: loss.format, b: score, terms: copies)
        let acc = accumulators.format
        let frac = min(exactFrac, acc.fracBits)
        var int = min(exactWidth - exactFrac, acc.intBits)
        if int + frac > 64 { int = 64 - frac }
        do {
            return FixedConfig(
                try FixedFormat(signed: true, intBits: int, fracBits: frac),
                rounding: accumulators.rounding, overflow: accumulators.overflow)
        } catch {
            throw DatapathError(
                "weighted-loss format for loss \(loss.format) x score \(score) over \(copies) copies: \(error)")
        }
    }
}

/// A datapath problem (unsupported layer or option, formats the 128-bit datapath cannot carry, bad shapes).
public struct DatapathError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
