import LRCore
import LRTrace

/// A gnn model (`GraphConvNetwork` on its generated graph) as `Trainer` trains it: one full-graph step per epoch (the
/// batch is every training node), lr (noise on the node logits after aggregation) or bp; evaluation on the test nodes.
public final class GraphModelTrainer: TrainableModel {
    public let network: GraphConvNetwork
    public let model: GraphModel
    public let kind: EstimatorKind

    public init(_ model: GraphModel, graph: StochasticBlockGraph, settings: EstimatorSettings, seed: UInt64) throws {
        try settings.kind.checkArchitectureSupport("gnn")
        self.model = model
        kind = settings.kind
        network = try GraphConvNetwork(
            graph: graph, hidden: model.hidden, seed: seed,
            lr: try ArchitectureLRSettings(settings, for: "gnn"))
    }

    public var parameters: [Float] {
        get { network.parameters }
        _modify { yield &network.parameters }
    }

    public var tensors: [ModelTensor] {
        let F = model.features, H = model.hidden, C = model.classes, n = network
        return [
            ModelTensor(layer: 0, name: "weight", shape: [H, F], range: n.offW1..<n.offB1),
            ModelTensor(layer: 0, name: "bias", shape: [H], range: n.offB1..<n.offW2),
            ModelTensor(layer: 2, name: "weight", shape: [C, H], range: n.offW2..<n.offB2),
            ModelTensor(layer: 2, name: "bias", shape: [C], range: n.offB2..<(n.offB2 + C)),
        ]
    }

    public var checkGroups: [ParameterGroup] { network.parameterGroups }
    public var spec: NetworkSpec { model.network }
    public var writesEveryParameter: Bool { true }

    /// The batch is the training nodes, which the network holds with the whole graph; `step` keys the noise.
    public func estimate(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord {
        var record = StepRecord()
        record.loss = Double(network.gradient(kind, step: step, into: gradient))
        return record
    }

    public func referenceGradient(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        _ = network.gradient(.bp, step: step, into: gradient)
    }

    /// On the test nodes of the graph (the full-graph forward needs every node).
    public func evaluate(_ data: Dataset) -> (accuracy: Double, loss: Double) { network.evaluate() }

    public var traceLayout: TraceModelLayout {
        TraceModelLayout(
            layers: [], inputShape: [model.features], activation: "relu", perturbedLayers: [],
            perturbedPositions: [], noiseKeyLayout: 1)
    }
}
