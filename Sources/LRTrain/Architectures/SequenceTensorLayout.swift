import LRCore
import LRTrace

/// How a recurrent or spiking model's flat parameter vector maps onto trace tensors and the header's layer table.
///
/// rnn (`ElmanRNN`): layer 0 `elman` — `layer0.weight` = W_in `[H, D]`, `layer0.weight_hh` = W_hh `[H, H]`,
/// `layer0.bias` = b `[H]`; layer 1 `dense` (the head on the last state) — `layer1.weight` `[C, H]`,
/// `layer1.bias` `[C]`.
/// snn (`SpikingNetwork`): layer 0 `lif` — `layer0.weight` = W1 `[H, D]`, `layer0.bias` `[H]`; layer 1 `integrator`
/// — `layer1.weight` = W2 `[C, H]`, `layer1.bias` `[C]`. Noise layers 0 and 1 of the estimators are these layers.
package struct SequenceTensorLayout: Sendable {
    package let tensors: [ModelTensor]
    package let layers: [TraceLayer]
    /// One sample's input shape: rnn `[T, D]`, snn `[D]`.
    package let inputShape: [Int]

    package init(_ s: SequenceModel) {
        let D = s.inputs, H = s.hidden, C = s.classes, T = s.steps
        var e: [ModelTensor] = []
        var offset = 0
        func add(_ layer: Int, _ name: String, _ shape: [Int]) {
            let n = shape.reduce(1, *)
            e.append(ModelTensor(layer: layer, name: name, shape: shape, range: offset..<(offset + n))); offset += n
        }
        func parameters(_ r: ClosedRange<Int>) -> [TraceParameter] {
            e[r].map { TraceParameter(name: $0.name, shape: $0.shape) }
        }
        switch s.kind {
        case .rnn:
            // ElmanRNN's flat order: W_in, W_hh, b, W_o, b_o.
            add(0, "weight", [H, D]); add(0, "weight_hh", [H, H]); add(0, "bias", [H]); add(1, "weight", [C, H]);
            add(1, "bias", [C])
            inputShape = [T, D]
            layers = [
                TraceLayer(
                    index: 0, kind: "elman",
                    summary: "elman \(D)+\(H)->\(H) tanh over \(T) steps (h_t = tanh(W_in x_t + W_hh h_{t-1} + b))",
                    inputShape: [T, D], outputShape: [H], parameters: parameters(0...2)),
                TraceLayer(
                    index: 1, kind: "dense", summary: "dense \(H)->\(C) (head on the last state)",
                    inputShape: [H], outputShape: [C], parameters: parameters(3...4)),
            ]
        case .snn:
            // SpikingNetwork's flat order: W1, b1, W2, b2.
            add(0, "weight", [H, D]); add(0, "bias", [H]); add(1, "weight", [C, H]); add(1, "bias", [C])
            inputShape = [D]
            layers = [
                TraceLayer(
                    index: 0, kind: "lif",
                    summary: "lif \(D)->\(H) over \(T) steps (rate-coded input, beta 0.9, threshold 1, hard threshold)",
                    inputShape: [D], outputShape: [H], parameters: parameters(0...1)),
                TraceLayer(
                    index: 1, kind: "integrator",
                    summary: "dense \(H)->\(C) non-leaky integrator readout (mean over steps)",
                    inputShape: [H], outputShape: [C], parameters: parameters(2...3)),
            ]
        }
        tensors = e
    }

    package var parameterCount: Int { tensors.last.map { $0.range.upperBound } ?? 0 }
}
