import FixedPoint

/// A layer's datapath gradient against the exact GMP evaluation of the same formula on the same quantized operands:
/// dW = sum_b (sum_k (L - L0)_bk s_bkj) x_bi and db = sum_b sum_k (L - L0)_bk s_bkj, exact, rounded once into the
/// gradients format. A datapath whose products and accumulators are wide enough (`AccumulatorBound`) is bit-exact.
public struct ExactLayerCheck: Sendable {
    public let layer: Int
    public let weight: ExactReference.Comparison
    public let bias: ExactReference.Comparison
    /// AccumulatorBound widths of the copy reduction (K terms) and the outer product (B terms), and the accumulator's.
    public let reductionBoundBits: Int
    public let outerBoundBits: Int
    public let accumulatorBits: Int

    public var bitExact: Bool { weight.bitExact && bias.bitExact }
    public var maxAbsError: Double { max(weight.maxAbsError, bias.maxAbsError) }
    public var meanAbsError: Double {
        let n = Double(weight.count + bias.count)
        return n > 0 ? (weight.meanAbsError * Double(weight.count) + bias.meanAbsError * Double(bias.count)) / n : 0
    }
}

extension FixedPointDatapath {
    /// The exact check of one layer of a step (GMP multiply-adds over both cores).
    public func exactCheck(_ l: DatapathLayerResult, rows B: Int) throws -> ExactLayerCheck {
        let d = gradients[l.position], db = biasGradients[l.position]
        let ones = [Int64](repeating: 1, count: B)
        let wExact: DyadicMatrix, bExact: DyadicMatrix
        if Self.signEncoded(settings) {
            wExact = try ExactReference.lrGradientRaw(
                datapath: d, losses: l.lossOperands, scores: l.signs, inputs: l.inputs,
                batch: B, copies: l.copies, outputs: l.outputs, inputCount: l.inputCount)
            bExact = try ExactReference.lrGradientRaw(
                datapath: db, losses: l.lossOperands, scores: l.signs, inputs: ones,
                batch: B, copies: l.copies, outputs: l.outputs, inputCount: 1)
        } else {
            wExact = try ExactReference.lrGradientRaw(
                datapath: d, losses: l.lossOperands, scores: l.noise, inputs: l.inputs,
                batch: B, copies: l.copies, outputs: l.outputs, inputCount: l.inputCount)
            bExact = try ExactReference.lrGradientRaw(
                datapath: db, losses: l.lossOperands, scores: l.noise, inputs: ones,
                batch: B, copies: l.copies, outputs: l.outputs, inputCount: 1)
        }
        let w = try ExactReference.compare(datapath: l.weightGradient, config: formats.gradients, exact: wExact)
        let b = try ExactReference.compare(datapath: l.biasGradient, config: formats.gradients, exact: bExact)
        return ExactLayerCheck(
            layer: l.layer, weight: w, bias: b,
            reductionBoundBits: AccumulatorBound.minimumWidth(a: d.reduction.a, b: d.reduction.b, terms: l.copies),
            outerBoundBits: AccumulatorBound.minimumWidth(a: d.outer.a, b: d.outer.b, terms: B),
            accumulatorBits: formats.accumulators.format.width)
    }
}
