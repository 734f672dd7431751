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

    public var tensors: [ModelTensor] { Self.tensors(model) }

    /// `GraphConvNetwork`'s flat layout: layer 0 `weight` W1 `[H, F]`, `bias` `[H]`; layer 2 (after the relu) `weight`
    /// W2 `[C, H]`, `bias` `[C]`.
    public static func tensors(_ model: GraphModel) -> [ModelTensor] {
        let F = model.features, H = model.hidden, C = model.classes
        let w1 = 0..<(H * F), b1 = w1.upperBound..<(w1.upperBound + H)
        let w2 = b1.upperBound..<(b1.upperBound + C * H), b2 = w2.upperBound..<(w2.upperBound + C)
        return [
            ModelTensor(layer: 0, name: "weight", shape: [H, F], range: w1),
            ModelTensor(layer: 0, name: "bias", shape: [H], range: b1),
            ModelTensor(layer: 2, name: "weight", shape: [C, H], range: w2),
            ModelTensor(layer: 2, name: "bias", shape: [C], range: b2),
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
        network.capturesLosses = recordLosses
        defer { network.capturesLosses = false }
        var record = StepRecord()
        record.loss = Double(network.gradient(kind, step: step, into: gradient))
        if recordLosses {
            // Every node's losses (0 for test nodes); noise layers 0 and 1 are trace layers 0 and 2.
            record.cleanLosses = network.capturedLosses.clean
            for (i, losses) in network.capturedLosses.copies.enumerated() { record.copyLosses[2 * i] = losses }
        }
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
        let F = model.features, H = model.hidden, C = model.classes
        let t = tensors
        func parameters(_ i: Int) -> [TraceParameter] {
            [t[i], t[i + 1]].map { TraceParameter(name: $0.name, shape: $0.shape) }
        }
        let layers = [
            TraceLayer(
                index: 0, kind: "graphconv",
                summary: "gcn \(F)->\(H): P1 = (A_hat X) W1^T + b1 over the \(model.nodes) nodes",
                inputShape: [F], outputShape: [H], parameters: parameters(0)),
            TraceLayer(index: 1, kind: "relu", summary: "relu", inputShape: [H], outputShape: [H], parameters: []),
            TraceLayer(
                index: 2, kind: "graphconv", summary: "gcn \(H)->\(C): Z = (A_hat H1) W2^T + b2 (logits)",
                inputShape: [H], outputShape: [C], parameters: parameters(2)),
        ]
        let g = network.graph
        let lr = kind != .bp
        return TraceModelLayout(
            layers: layers, inputShape: [F], activation: "relu", perturbedLayers: lr ? [0, 2] : [],
            perturbedPositions: lr ? [0, 1] : [], noiseKeyLayout: 3,
            notes: [
                Self.noiseKeyNote:
                    "layout 3: NoiseKey layer field = noise layer << 12; pair p of node v is row p*nodes + v, odd copies negated",
                Self.trainNodesNote: "\(g.trainCount)",
            ],
            spec: GraphModel(nodes: model.nodes, features: F, hidden: H, classes: C, edges: g.edgeCount).spelling)
    }

    /// The header notes of a gnn trace: noise-key layout 3, and the training nodes (the first N of every step's data).
    public static let noiseKeyNote = "noise_key"
    public static let trainNodesNote = "train_nodes"

    /// Every step reads the whole graph: `input` the node features `[N, F]`, `labels` every node's class `[N]` (the
    /// first `train_nodes` are the training nodes), and `A_hat` in CSR (`graph.row_start` `[N+1]`, `graph.columns`
    /// `[nnz]` i32, `graph.values` `[nnz]` f32).
    public var traceData: [TraceTensor]? {
        let g = network.graph
        return try? [
            TraceTensor(name: TraceNames.input, shape: [g.nodes, g.options.features], float32: g.features),
            TraceTensor(name: TraceNames.labels, shape: [g.nodes], int32: g.labels),
            TraceTensor(name: Self.rowStartTensor, shape: [g.nodes + 1], int32: g.rowStart.map { Int32($0) }),
            TraceTensor(name: Self.columnsTensor, shape: [g.columns.count], int32: g.columns),
            TraceTensor(name: Self.valuesTensor, shape: [g.values.count], float32: g.values),
        ]
    }

    public static let rowStartTensor = "graph.row_start"
    public static let columnsTensor = "graph.columns"
    public static let valuesTensor = "graph.values"
}
