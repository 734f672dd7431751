/// The weight update W <- W - lr * dW of a fixed-point datapath: the step lr * dW is rounded into `step`, then the
/// difference is rounded and saturated (or wrapped) into `weight`.
public struct WeightUpdate: Sendable, Hashable {
    public let weight: FixedConfig
    public let gradientFormat: FixedFormat
    public let learningRateFormat: FixedFormat
    public let step: FixedConfig
    @usableFromInline let productFrac: Int
    @usableFromInline let sumFrac: Int

    public init(weight: FixedConfig, gradientFormat: FixedFormat, learningRateFormat: FixedFormat, step: FixedConfig)
        throws
    {
        try weight.format.requireValueFormat("weight")
        try gradientFormat.requireValueFormat("gradient")
        try learningRateFormat.requireValueFormat("learning rate")
        self.weight = weight
        self.gradientFormat = gradientFormat
        self.learningRateFormat = learningRateFormat
        self.step = step
        productFrac = try FixedFormat.exactProduct(learningRateFormat, gradientFormat).fracBits
        sumFrac = try FixedFormat.exactSum(weight.format, step.format).fracBits
    }

    /// One element: the new raw weight.
    @inlinable
    public func updated(
        weight w: Int128, gradient g: Int128, learningRate lr: Int128,
        randomStep: UInt32 = 0, randomWeight: UInt32 = 0
    ) -> Int128 {
        let s = FixedArithmetic.quantize(lr &* g, fracBits: productFrac, into: step, random: randomStep)
        let diff = (w << (sumFrac &- weight.format.fracBits)) &- (s << (sumFrac &- step.format.fracBits))
        return FixedArithmetic.quantize(diff, fracBits: sumFrac, into: weight, random: randomWeight)
    }

    /// Updates every weight in place; element e draws stochastic words 2e (step) and 2e + 1 (weight).
    public func apply(
        weights: UnsafeMutableBufferPointer<Int64>, gradient: UnsafeBufferPointer<Int64>,
        learningRate: Int128, stochastic: StochasticStream = .default
    ) throws {
        guard weights.count == gradient.count else {
            throw FixedPointError(
                .shapeMismatch, "weight update: \(weights.count) weights but \(gradient.count) gradient values")
        }
        guard learningRateFormat.contains(raw: learningRate) else {
            throw FixedPointError(
                .invalidValue, "weight update: learning rate raw \(learningRate) is outside \(learningRateFormat)")
        }
        let random = step.rounding == .stochastic || weight.rounding == .stochastic
        for e in 0..<weights.count {
            let w = weight.format.raw(fromBits: weights[e])
            let g = gradientFormat.raw(fromBits: gradient[e])
            let r0: UInt32 = random ? stochastic.word(2 &* e) : 0
            let r1: UInt32 = random ? stochastic.word(2 &* e &+ 1) : 0
            weights[e] = Int64(
                truncatingIfNeeded: updated(
                    weight: w, gradient: g, learningRate: learningRate,
                    randomStep: r0, randomWeight: r1))
        }
    }
}
