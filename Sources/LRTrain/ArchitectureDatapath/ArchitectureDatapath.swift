import FixedPoint
import LRCore

/// A recorded LR step of an rnn, snn or gnn model through a hardware model's fixed-point datapath, value by value:
/// what `lrsim replay` runs for those traces (the mlp's is `FixedPointDatapath`).
///
/// The three share the MLP datapath's vocabulary (docs/replay.md): weights and biases rounded into `weights`, inputs
/// into `inputs`, every layer a fixed-point GEMM (products into `products`, sums into `accumulators`, the bias
/// preloaded) written back once into `activations`, noise regenerated from the trace key and rounded into `noise`,
/// sigma x eps added to the accumulator before the write-back, an ideal loss unit rounding into `loss`, the clean
/// baseline subtracted in `loss`, and every parameter tensor's gradient formed by `LRGradientDatapath` (reduction over
/// copies, outer product with the stored input in `inputs`) into `gradients`. A time step of the rnn or snn is one
/// more GEMM of the same layer; the gnn's aggregation `A_hat * Y` is a fixed-point sparse product.
public protocol ArchitectureDatapath: AnyObject {
    var formats: DatapathFormats { get }
    /// The model's parameter tensors in flat-vector order (trace names `layer{l}.{name}`).
    var tensors: [ModelTensor] { get }
    /// Trace layers the estimator perturbs, in noise-layer order.
    var perturbedLayers: [Int] { get }
    /// Features of one sample of `input` (a gnn: of one node).
    var sampleFeatures: Int { get }
    /// Runs one LR step on float parameters (rounded into `weights`) and a batch (a gnn: every node's features and
    /// label), with the noise of `step`.
    func run(parameters: [Float], input: [Float], labels: [Int32], step: Int) throws -> ArchitectureStepResult
}

extension ArchitectureDatapath {
    public var parameterCount: Int { tensors.last?.range.upperBound ?? 0 }

    /// The trainer-scaled float gradient of a step, in the flat parameter layout.
    public func floatGradient(_ r: ArchitectureStepResult) -> [Float] {
        var g = [Float](repeating: 0, count: parameterCount)
        let gf = formats.gradients.format
        for l in r.layers {
            for t in l.tensors {
                for e in 0..<t.raw.count {
                    g[t.range.lowerBound + e] = Float(FixedArithmetic.toDouble(t.raw[e], format: gf) * l.scale)
                }
            }
        }
        return g
    }

    /// Every tensor of one layer against the exact GMP evaluation of the same formula on the same operands.
    public func exactCheck(_ l: ArchitectureLayerResult) throws -> ArchitectureLayerCheck {
        var tensors: [(name: String, comparison: ExactReference.Comparison)] = []
        var reduction = 0, outer = 0
        for t in l.tensors {
            let (c, r, o) = try t.exactCheck(gradients: formats.gradients)
            tensors.append((t.name, c))
            reduction = max(reduction, r); outer = max(outer, o)
        }
        return ArchitectureLayerCheck(
            layer: l.layer, tensors: tensors, reductionBoundBits: reduction, outerBoundBits: outer)
    }
}

/// Builds the datapath of a model spelling.
public enum ArchitectureDatapaths {
    /// `settings` must be the resolved LR settings of an rnn, snn or gnn run (one K, one sigma, antithetic, Gaussian,
    /// clean baseline); `graph` is the gnn's graph (required for gnn).
    public static func make(
        model: ModelSpec, settings: EstimatorSettings, seed: UInt64, formats: DatapathFormats,
        graph: StochasticBlockGraph? = nil
    ) throws -> any ArchitectureDatapath {
        let name: String
        switch model {
        case .feedforward: throw DatapathError("\(model.spelling): mlp models replay through FixedPointDatapath")
        case .sequence(let s): name = s.kind.rawValue
        case .graph: name = "gnn"
        }
        guard settings.kind == .lr else {
            throw DatapathError(
                "the \(name) datapath replays the lr estimator (the one \(name) models train with besides bp); got \(settings.kind.rawValue)"
            )
        }
        let lr: ArchitectureLRSettings
        do {
            guard let s = try ArchitectureLRSettings(settings, for: name) else {
                throw DatapathError("\(name): no LR settings")
            }
            lr = s
        } catch let e as SettingError { throw DatapathError("\(name) estimator settings: \(e)") }
        let kit = try ArchitectureDatapathKit(formats: formats, seed: seed, settings: lr)
        switch model {
        case .sequence(let s) where s.kind == .rnn: return try ElmanDatapath(s, kit: kit)
        case .sequence(let s): return try SpikingDatapath(s, kit: kit)
        case .graph(let g):
            guard let graph else { throw DatapathError("\(g.spelling): the gnn datapath needs the graph") }
            return try GraphDatapath(g, graph: graph, kit: kit)
        case .feedforward: preconditionFailure("handled above")
        }
    }
}
