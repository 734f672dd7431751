import LRCore
import LRTrace
import LRTrain

/// A step of an rnn, snn or gnn trace as the replay datapath takes it: the recorded parameters, the batch (a gnn: every
/// node's features and label) and the noise step.
public struct RecordedArchitectureStep {
    public let parameters: [Float]
    public let input: [Float]
    public let labels: [Int32]
    public let step: Int

    /// What a trace of one of these models needs to be replayed: the model (a gnn with its graph's edge count), its
    /// tensors and, for a gnn, the graph regenerated from the configuration (`sbm` options and seed).
    public struct Model {
        public let spec: ModelSpec
        public let tensors: [ModelTensor]
        public let graph: StochasticBlockGraph?
        /// The configuration's data (a gnn's `sbm` options), for messages.
        public let data: String
        /// The samples whose losses a step forms (a gnn: the training nodes).
        public func lossRows(batch: Int) -> Int { graph?.trainCount ?? batch }

        /// nil for mlp and cnn traces.
        public init?(config: TrainingConfiguration) throws {
            data = config.data
            switch try config.modelSpec() {
            case .feedforward: return nil
            case .sequence(let s):
                spec = .sequence(s); tensors = SequenceTensorLayout(s).tensors; graph = nil
            case .graph(let g):
                let generated = try GraphDataSpec.parse(config.data).graph(for: g)
                let model = GraphModel(
                    nodes: g.nodes, features: g.features, hidden: g.hidden, classes: g.classes,
                    edges: generated.edgeCount)
                spec = .graph(model); tensors = GraphModelTrainer.tensors(model); graph = generated
            }
        }
    }

    public init(step s: TraceStep, header: TraceHeader, model: Model) throws {
        func fail(_ what: String) -> RecordedStep.Failure {
            RecordedStep.Failure(description: "step \(s.info.step): \(what)")
        }
        var params = [Float](repeating: 0, count: model.tensors.last?.range.upperBound ?? 0)
        for t in model.tensors {
            let name = TraceNames.parameter(t.layer, t.name)
            guard let v = s.tensor(name)?.float32, v.count == t.range.count else {
                throw fail("tensor '\(name)' is missing or does not hold \(t.range.count) f32 values")
            }
            params.replaceSubrange(t.range, with: v)
        }
        parameters = params
        guard let y = s.tensor(TraceNames.labels)?.int32 else { throw fail("tensor 'labels' (i32) is missing") }
        guard let x = s.tensor(TraceNames.input) else { throw fail("tensor 'input' is missing") }
        switch (x.dtype, header.dataset.inputTransform) {
        case (.u8, "u8/255"): input = x.bytes.map { Float($0) / 255 }
        case (.f32, "identity"): input = x.float32 ?? []
        default:
            throw fail("input of type \(x.dtype) with transform '\(header.dataset.inputTransform)' is not supported")
        }
        labels = y
        step = Int(s.info.noiseStep)
        if let g = model.graph {
            // The datapath aggregates over the regenerated graph: it must be the recorded one, value for value.
            let csr: [(String, [Int32]?, [Int32])] = [
                (
                    GraphModelTrainer.rowStartTensor, s.tensor(GraphModelTrainer.rowStartTensor)?.int32,
                    g.rowStart.map { Int32($0) }
                ),
                (GraphModelTrainer.columnsTensor, s.tensor(GraphModelTrainer.columnsTensor)?.int32, g.columns),
                (TraceNames.labels, labels, g.labels),
            ]
            for (name, recorded, generated) in csr where recorded != generated {
                throw fail("tensor '\(name)' differs from the graph the configuration's data '\(model.data)' generates")
            }
            let values = s.tensor(GraphModelTrainer.valuesTensor)?.float32
            guard values?.map(\.bitPattern) == g.values.map(\.bitPattern),
                input.map(\.bitPattern) == g.features.map(\.bitPattern)
            else {
                throw fail(
                    "the recorded graph values or node features differ from the graph the configuration's data '\(model.data)' generates"
                )
            }
        } else {
            let features: Int
            if case .sequence(let sq) = model.spec { features = sq.sampleFeatures } else { features = 0 }
            guard input.count == y.count * features else {
                throw fail("input holds \(input.count) values, expected \(y.count) x \(features)")
            }
        }
    }
}
