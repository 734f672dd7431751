import LRCore

/// Builds the `TrainableModel` a configuration names (`config.model`, any `ModelSpec` spelling), checked against the
/// data it will train on.
public enum TrainableModels {
    /// `config` resolved (`TrainingConfiguration.resolved()`); `datapath` only for mlp models (`train --hw`).
    public static func make(
        _ config: TrainingConfiguration, train: Dataset,
        datapath: TrainingDatapath?
    ) throws -> any TrainableModel {
        let model = try config.modelSpec()
        if let datapath {
            guard case .feedforward = model else {
                throw SettingError(
                    "hw",
                    "the fixed-point datapath (\(datapath.name)) trains mlp models; \(model.spelling) trains in float")
            }
        }
        switch model {
        case .feedforward(let spec):
            guard train.featureCount == spec.inputCount else {
                throw SettingError(
                    "model",
                    "\(config.model) takes \(spec.inputCount) inputs but \(train.name) samples have "
                        + "\(train.featureCount) (shape \(train.shape))"
                )
            }
            guard spec.outputCount == train.classes else {
                throw SettingError(
                    "model",
                    "\(config.model) has \(spec.outputCount) outputs but \(train.name) has \(train.classes) classes")
            }
            return try build(config, datapath: datapath)
        case .sequence(let s):
            guard train.featureCount == s.sampleFeatures else {
                let reads =
                    s.kind == .rnn
                    ? "\(s.sampleFeatures) features per sample (\(s.steps) steps of \(s.inputs))"
                    : "\(s.inputs) features per sample"
                throw SettingError(
                    "model", "\(s.spelling) reads \(reads) but \(train.name) samples have \(train.featureCount)")
            }
            guard s.classes == train.classes else {
                throw SettingError(
                    "model", "\(s.spelling) has \(s.classes) classes but \(train.name) has \(train.classes)")
            }
            if config.estimator.kind == .lr {
                // The copies of every time step are held at once: bound them so the noise buffers stay addressable.
                let work =
                    Double(config.batch) * Double(config.estimator.copies.max() ?? 0) * Double(s.steps)
                    * Double(s.hidden)
                guard work <= 4e9 else {
                    throw SettingError(
                        "copies",
                        "batch x copies x steps x hidden is \(Int(work)) noise values per layer; expected at most 4e9")
                }
            }
            if config.estimator.qmc, let k = config.estimator.copies.first {
                // The rnn's Sobol points: step x batch x draws + draw must stay below 2^32 for the whole run.
                let draws = config.estimator.antithetic ? k / 2 : k
                let steps = Double(config.epochs) * (Double(train.count) / Double(config.batch)).rounded(.up)
                guard steps * Double(config.batch * draws) < Double(SobolSequence.maxPoints) else {
                    throw SettingError(
                        "qmc",
                        "\(Int(steps)) steps of \(config.batch) x \(draws) Sobol points exceed the sequence's 2^32 "
                            + "points; use fewer epochs or copies")
                }
            }
            return try build(config, datapath: nil)
        case .graph:
            return try build(config, datapath: nil)
        }
    }

    /// The model `config` (resolved) names, built without data to check it against (`make` checks): what a trace
    /// header's `config_json` describes (`TraceHeaderCheck`).
    public static func build(_ config: TrainingConfiguration, datapath: TrainingDatapath?) throws -> any TrainableModel
    {
        switch try config.modelSpec() {
        case .feedforward(let spec):
            return try FeedForwardModel(
                network: Network(spec: spec, seed: config.seed, initialization: config.initialization ?? .uniform),
                config: config, datapath: datapath)
        case .sequence(let s):
            return try SequenceModelTrainer(s, settings: config.estimator, seed: config.seed)
        case .graph(let g):
            let data = try GraphDataSpec.parse(config.data)
            let graph = try data.graph(for: g)
            // An explicit e<E> (the simulator's edge count) must be this graph's; without it the graph decides.
            if config.model.dropFirst(4).contains("e"), g.edges != graph.edgeCount {
                throw SettingError(
                    "model",
                    "\(config.model): the generated graph has \(graph.edgeCount) edges; write "
                        + "gnn:\(g.nodes)-\(g.features)-\(g.hidden)-\(g.classes)e\(graph.edgeCount) or leave e<E> out"
                )
            }
            guard config.batch == graph.trainCount else {
                throw SettingError(
                    "batch",
                    "\(g.spelling) trains on the full graph: the batch is its \(graph.trainCount) training nodes, "
                        + "got \(config.batch)"
                )
            }
            return try GraphModelTrainer(g, graph: graph, settings: config.estimator, seed: config.seed)
        }
    }
}
