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
    /// Elements of shortcut tensors travelling with the output to a later residual add (0 without shortcuts).
    public var carryElements: Int = 0
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
    /// What the layer passes to the next stage per sample: its output and any shortcut it carries along.
    public var flowElements: Int { outputElements &+ carryElements }

    /// The forward GEMM for `rows` samples (or samples x copies): M = rows * positions, K = reduction, N = channels.
    public func forwardGemm(rows: Int) -> GemmShape { GemmShape(m: rows &* positions, n: outChannels, k: reduction) }
    /// The weight-gradient GEMM (backprop's, and LR's outer product `dW = sum_b w_b (x) x_b`): reduces over samples
    /// and positions.
    public func weightGradientGemm(rows: Int) -> GemmShape {
        GemmShape(m: reduction, n: outChannels, k: rows &* positions)
    }
    /// Backprop's input-gradient GEMM `delta_in = delta W`.
    public func inputGradientGemm(rows: Int) -> GemmShape {
        GemmShape(m: rows &* positions, n: reduction, k: outChannels)
    }
}

extension ComputeLayer {
    /// Splits a network into compute layers. Non-parametric layers before the first parametric layer only reshape
    /// the input; they are folded into its input size.
    public static func plan(_ network: NetworkSpec) throws -> [ComputeLayer] {
        var result: [ComputeLayer] = []
        var shape = network.inputShape
        let shapes = network.shapes
        /// The compute layer that produced each spec layer's output (-1: the network input).
        var producer: [Int] = []
        func invalid(_ message: String) -> SimulationError {
            .invalidWorkload("model '\(network.name)': \(message)")
        }
        /// A shortcut from spec layer `from` joins the compute layer about to be `target`: the tensor rides along
        /// with the outputs of every compute layer between its producer's successor and the target.
        func carry(from: Int, elements: Int, target: Int) {
            let a = from < 0 ? -1 : producer[from]
            guard a &+ 1 < target else { return }
            for c in (a &+ 1)..<target { result[c].carryElements &+= elements }
        }
        for (i, layer) in network.layers.enumerated() {
            let out = layer.outputShape(input: shape)
            let inCount = shape.reduce(1, *), outCount = out.reduce(1, *)
            switch layer {
            case let .dense(n, o):
                guard n == inCount else { throw invalid("dense layer expects \(n) inputs but receives \(inCount)") }
                result.append(
                    ComputeLayer(
                        index: result.count, summary: layer.summary, inputElements: inCount,
                        logitElements: o, outputElements: o, postOpElements: 0, positions: 1,
                        outChannels: o, reduction: n, weightCount: n &* o, biasCount: o))
            case let .conv2d(c):
                guard shape.count == 3, shape[0] == c.inChannels, out[1] > 0, out[2] > 0 else {
                    throw invalid("conv layer '\(layer.summary)' does not fit input shape \(shape)")
                }
                result.append(
                    ComputeLayer(
                        index: result.count, summary: layer.summary, inputElements: inCount,
                        logitElements: outCount, outputElements: outCount, postOpElements: 0,
                        positions: out[1] &* out[2], outChannels: c.outChannels,
                        reduction: c.inChannels &* c.kernel &* c.kernel,
                        weightCount: c.outChannels &* c.inChannels &* c.kernel &* c.kernel,
                        biasCount: c.outChannels))
            case let .projection(c, from):
                // A compute layer of its own: the strided 1x1 convolution of the shortcut tensor, whose result is
                // added to the main path's tensor (which arrives with the shortcut from the previous stage).
                guard from >= -1, from < i else {
                    throw invalid("layer \(i) ('\(layer.summary)') adds layer \(from), which does not come before it")
                }
                let source = from < 0 ? network.inputShape : shapes[from]
                let projected = ConvSpec(
                    inChannels: c.inChannels, outChannels: c.outChannels, kernel: c.kernel,
                    stride: c.stride, padding: c.padding)
                guard source.count == 3, source[0] == c.inChannels,
                    [c.outChannels, projected.outputSize(source[1]), projected.outputSize(source[2])] == shape
                else {
                    throw invalid(
                        "layer \(i) ('\(layer.summary)'): projecting layer \(from)'s \(source) does not give \(shape)")
                }
                let sourceCount = source.reduce(1, *)
                carry(from: from, elements: sourceCount, target: result.count)
                result.append(
                    ComputeLayer(
                        index: result.count, summary: layer.summary, inputElements: sourceCount,
                        logitElements: outCount, outputElements: outCount, postOpElements: outCount,
                        positions: shape[1] &* shape[2], outChannels: c.outChannels,
                        reduction: c.inChannels &* c.kernel &* c.kernel,
                        weightCount: c.outChannels &* c.inChannels &* c.kernel &* c.kernel,
                        biasCount: c.outChannels))
            case let .residual(from):
                guard from >= -1, from < i else {
                    throw invalid("layer \(i) ('\(layer.summary)') adds layer \(from), which does not come before it")
                }
                let source = from < 0 ? network.inputShape : shapes[from]
                guard source == shape else {
                    throw invalid("layer \(i) adds layer \(from)'s \(source) to a \(shape) tensor")
                }
                guard !result.isEmpty else { throw invalid("a residual add needs a dense or conv layer before it") }
                carry(from: from, elements: inCount, target: result.count - 1)
                result[result.count - 1].postOpElements &+= inCount
            case .batchNorm:
                // Statistics (sum, sum of squares), normalise, scale and shift: 4 vector operations per element.
                if !result.isEmpty { result[result.count - 1].postOpElements &+= 4 &* inCount }
            case .activation, .pool:
                if !result.isEmpty {
                    result[result.count - 1].postOpElements &+= inCount
                    result[result.count - 1].outputElements = outCount
                }
            case .flatten:
                if !result.isEmpty { result[result.count - 1].outputElements = outCount }
            }
            producer.append(result.count - 1)
            shape = out
        }
        guard !result.isEmpty else { throw invalid("no dense or conv layer to train") }
        return result
    }
}
