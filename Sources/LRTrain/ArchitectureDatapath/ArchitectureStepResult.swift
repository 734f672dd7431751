import FixedPoint
import LRCore

/// One parameter tensor's LR gradient on the fixed-point datapath, with the operands it was formed from, so the exact
/// GMP reference can evaluate the same formula on the same quantized values:
/// `dW[j, i] = sum_r (sum_k L[r, k] * s[r, k, j]) * x[r, i]` over the tensor's rows r (samples, sample x time step,
/// or nodes), through `LRGradientDatapath` (copy reduction, then outer product).
public struct TensorGradientResult: Sendable {
    /// Trace layer and parameter name (`layer0.weight_hh` is layer 0, `weight_hh`).
    public let layer: Int
    public let name: String
    /// Where the tensor sits in the model's flat parameter vector.
    public let range: Range<Int>
    /// The datapath's gradient, raw in the gradients format.
    public let raw: [Int128]
    public let rows: Int
    public let copies: Int
    public let outputs: Int
    public let inputCount: Int
    let datapath: LRGradientDatapath
    /// The weighted-loss register of the copy reduction (derived, as for the mlp).
    public var weightedLossFormat: FixedConfig { datapath.reduction.config.output }
    /// rows x copies, raw in the datapath's loss format.
    let losses: [Int64]
    /// rows x copies x outputs, raw noise (odd antithetic copies negated).
    let scores: [Int64]
    /// rows x inputCount, raw in the datapath's input format.
    let inputs: [Int64]
}

/// One perturbed layer of a replayed step: its per-copy losses and the gradients of its tensors.
public struct ArchitectureLayerResult: Sendable {
    /// Trace layer (rnn/snn: 0 the cell, 1 the head; gnn: 0 and 2, the dense layers).
    public let layer: Int
    public let copies: Int
    /// Per-copy losses, row b*K + k over the loss rows (samples, or training nodes), raw in the loss format.
    public let copyLosses: [Int64]
    public let tensors: [TensorGradientResult]
    /// The trainer's float gradient is `scale` times the datapath's value (1 / (sigma B K), B the loss rows).
    public let scale: Double
}

/// A replayed step of an rnn, snn or gnn model.
public struct ArchitectureStepResult: Sendable {
    /// Clean per-row losses L0 (samples, or training nodes), raw in the loss format, and their mean.
    public let cleanLosses: [Int64]
    public let meanCleanLoss: Double
    public let layers: [ArchitectureLayerResult]
}

/// A layer's gradients against the exact GMP evaluation of the same formula on the same operands, each exact value
/// rounded once into the gradients format.
public struct ArchitectureLayerCheck: Sendable {
    public let layer: Int
    public let tensors: [(name: String, comparison: ExactReference.Comparison)]
    /// `AccumulatorBound` widths, the largest over the layer's tensors: the copy reduction (K terms) and the outer
    /// product (its rows: B, B x T, B x T x K or nodes).
    public let reductionBoundBits: Int
    public let outerBoundBits: Int

    public var bitExact: Bool { tensors.allSatisfy { $0.comparison.bitExact } }
    public var bitExactCount: Int { tensors.reduce(0) { $0 + $1.comparison.bitExactCount } }
    public var count: Int { tensors.reduce(0) { $0 + $1.comparison.count } }
    public var maxAbsError: Double { tensors.map(\.comparison.maxAbsError).max() ?? 0 }
    public var meanAbsError: Double {
        let n = Double(count)
        return n > 0 ? tensors.reduce(0) { $0 + $1.comparison.meanAbsError * Double($1.comparison.count) } / n : 0
    }
}

extension TensorGradientResult {
    /// The exact GMP check of this tensor (multiply-adds on raw `mpz_t`, both cores).
    func exactCheck(gradients: FixedConfig) throws -> (ExactReference.Comparison, reduction: Int, outer: Int) {
        let exact = try ExactReference.lrGradientRaw(
            datapath: datapath, losses: losses, scores: scores, inputs: inputs,
            batch: rows, copies: copies, outputs: outputs, inputCount: inputCount)
        let c = try ExactReference.compare(datapath: raw, config: gradients, exact: exact)
        return (
            c, AccumulatorBound.minimumWidth(a: datapath.reduction.a, b: datapath.reduction.b, terms: copies),
            AccumulatorBound.minimumWidth(a: datapath.outer.a, b: datapath.outer.b, terms: rows)
        )
    }
}
