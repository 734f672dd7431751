import LRCore
import LRSim
import LRTrace

/// Trace -> simulator: the workload a trace recorded, read from its header and index (`lrsim sim --trace`, the
/// sweeps' sim points of a trace).
extension WorkloadSpec {
    /// The trace's model, estimator, batch, copies of each perturbed layer, antithetic pairs, and one iteration per
    /// training step up to the last one recorded.
    public init(trace reader: TraceReader) throws {
        let h = reader.header, file = reader.path
        guard let kind = EstimatorKind(rawValue: h.estimator.name) else {
            throw SimulationError.invalidWorkload(
                "\(file): header field 'estimator.name': expected \(EstimatorKind.spellings), got '\(h.estimator.name)'"
            )
        }
        let model: ModelSpec
        do {
            model = try ModelSpec.parse(h.model.spec, activation: Activation(rawValue: h.model.activation) ?? .relu)
        } catch {
            throw SimulationError.invalidWorkload("\(file): header field 'model.spec': \(error)")
        }
        let network = model.network
        var copies: [Int] = []
        if kind.isForwardOnly {
            // K per parametric layer; layers the trace does not perturb are not trained (K = 0).
            let parametric = network.parametricLayers
            copies = Array(repeating: 0, count: parametric.count)
            for (i, layer) in h.estimator.perturbedLayers.enumerated() {
                // rnn/snn traces number their layers 0 (cell) and 1 (head): the parametric layers' order.
                let p: Int?
                if case .sequence = model {
                    p = layer < parametric.count ? layer : nil
                } else {
                    p = parametric.firstIndex(of: layer)
                }
                guard let p, i < h.estimator.copies.count else {
                    throw SimulationError.invalidWorkload(
                        "\(file): header field 'estimator.perturbed_layers': layer \(layer) is not a dense/conv layer of \(h.model.spec)"
                    )
                }
                copies[p] = h.estimator.copies[i]
            }
        }
        // A gnn trains on the full graph: the simulated batch is every node (the recorded batch is its training nodes).
        var batch = h.optimizer.batchSize
        if case .graph(let g) = model { batch = g.nodes }
        self.init(
            network: network, method: kind, batch: batch, copies: CopyCounts(copies),
            iterations: Int((reader.steps.last?.step ?? 0) + 1), antithetic: h.estimator.antithetic)
        if case .sequence(let s) = model { sequence = s }
        if case .graph(let g) = model { graph = g }
        // Noise-key layout 4: the run injected noise into every layer at once (docs/trace-format.md).
        if h.estimator.noiseKeyLayout == 4 { injection = .allLayers }
    }
}

extension WorkloadSpec {
    /// A workload from a model spelling: the network of one time step (rnn, snn) or one node (gnn, whose batch is the
    /// whole graph), or the network itself (mlp, cnn).
    public init(
        model: ModelSpec, method: EstimatorKind, batch: Int, copies: CopyCounts, iterations: Int = 1,
        antithetic: Bool = true, copiesPerPass: Int = 1
    ) {
        self.init(
            network: model.network, method: method, batch: batch, copies: copies, iterations: iterations,
            antithetic: antithetic, copiesPerPass: copiesPerPass)
        if case .sequence(let s) = model { sequence = s }
        if case .graph(let g) = model { graph = g }
    }
}
