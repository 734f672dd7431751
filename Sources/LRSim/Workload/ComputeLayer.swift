import LRCore

/// A parametric layer (dense or conv) with the non-parametric layers after it (activation, pooling, flatten) fused in:
/// the unit of work a stage schedules. Element counts are per sample.
public struct ComputeLayer: Sendable, Hashable, Codable {
    /// Index among the network's parametric layers.
    public var index: Int
    public var summary: String
    /// Elements of the layer input.
    public var inputElements: Int
    /// Elements of the clean logit `v = W x + b` (where LR adds its noise).
    public var logitElements: Int
    /// Elements after the fused post-ops: what flows to the next layer.
    public var outputElements: Int
    /// Elementwise work of the fused post-ops (activation, pooling window reads).
    public var postOpElements: Int
    /// Output positions (1 for dense; H_out * W_out for conv).
    public var positions: Int
    /// Output channels (dense: outputs).
    public var outChannels: Int
    /// Reduction length of one output (dense: inputs; conv: C_in * k * k).
    public var reduction: Int
    public var weightCount: Int
    public var biasCount: Int
    public var parameterCount: Int { weightCount &+ biasCount }

    /// The forward GEMM for `rows` samples (or samples x copies): M = rows * positions, K = reduction, N = channels.
    public func forwardGemm(rows: Int) -> GemmShape { GemmShape(m: rows &* positions, n: outChannels, k: reduction) }
    /// The weight-gradient GEMM (backprop's, and LR's outer product `dW = sum_b w_b (x) x_b`): reduces over samples
    /// and positions.
    public func weightGradientGemm(rows: Int) -> GemmShape { GemmShape(m: reduction, n: outChannels, k: rows &* positions) }
    /// Backprop's input-gradient GEMM `delta_in = delta W`.
    public func inputGradientGemm(rows: Int) -> GemmShape { GemmShape(m: rows &* positions, n: reduction, k: outChannels) }
}

extension ComputeLayer {
    /// Splits a network into compute layers. Non-parametric layers before the first parametric layer only reshape
    /// the input; they are folded into its input size.
    public static func plan(_ network: NetworkSpec) throws -> [ComputeLayer] {
        var result: [ComputeLayer] = []
        var shape = network.inputShape
        for layer in network.layers {
            let out = layer.outputShape(input: shape)
            let inCount = shape.reduce(1, *), outCount = out.reduce(1, *)
            switch layer {
            case let .dense(i, o):
                guard i == inCount else {
                    throw SimulationError.invalidWorkload("model '\(network.name)': dense layer expects \(i) inputs but receives \(inCount)")
                }
                result.append(ComputeLayer(index: result.count, summary: layer.summary, inputElements: inCount,
                                           logitElements: o, outputElements: o, postOpElements: 0, positions: 1,
                                           outChannels: o, reduction: i, weightCount: i &* o, biasCount: o))
            case let .conv2d(c):
                guard shape.count == 3, shape[0] == c.inChannels, out[1] > 0, out[2] > 0 else {
                    throw SimulationError.invalidWorkload("model '\(network.name)': conv layer '\(layer.summary)' does not fit input shape \(shape)")
                }
                let positions = out[1] &* out[2]
                result.append(ComputeLayer(index: result.count, summary: layer.summary, inputElements: inCount,
                                           logitElements: outCount, outputElements: outCount, postOpElements: 0,
                                           positions: positions, outChannels: c.outChannels,
                                           reduction: c.inChannels &* c.kernel &* c.kernel,
                                           weightCount: c.outChannels &* c.inChannels &* c.kernel &* c.kernel,
                                           biasCount: c.outChannels))
            case .activation, .pool:
                if !result.isEmpty {
                    result[result.count - 1].postOpElements &+= inCount
                    result[result.count - 1].outputElements = outCount
                }
            case .flatten:
                if !result.isEmpty { result[result.count - 1].outputElements = outCount }
            }
            shape = out
        }
        guard !result.isEmpty else {
            throw SimulationError.invalidWorkload("model '\(network.name)': no dense or conv layer to train")
        }
        return result
    }
}
