import LRCore

/// What to simulate: the network, the estimator and how much of it.
public struct WorkloadSpec: Sendable, Hashable, Codable {
    public var network: NetworkSpec
    public var method: EstimatorKind
    public var batch: Int
    /// Copies per perturbed (parametric) layer; one value means the same K for every layer.
    public var copies: CopyCounts
    public var iterations: Int
    /// Antithetic pairs (eps, -eps): half the noise is generated and stored.
    public var antithetic: Bool
    /// Copies one task carries through a layer (the GEMM streams batch x copies rows). 1 = copy by copy.
    public var copiesPerPass: Int
    /// A recurrent or spiking model whose time steps are scheduled one by one (`network` is then its per-step layers).
    public var sequence: SequenceModel? = nil
    /// A graph convolutional network trained on the full graph (`batch` is then its node count; aggregation by
    /// `A_hat` is scheduled before every layer's GEMM).
    public var graph: GraphModel? = nil
    /// Where LR/ALR inject noise: one layer at a time (layer-wise) or in every layer at once (all-layers).
    public var injection: Injection = .layerwise
    /// How backprop pipelines its iteration: serial (one batch in flight), GPipe or 1F1B over `microbatches`.
    public var schedule: BackpropSchedule = .serial
    /// Micro-batches per iteration of the gpipe and 1f1b schedules (the batch is divided among them).
    public var microbatches: Int = 1

    public init(
        network: NetworkSpec, method: EstimatorKind, batch: Int, copies: CopyCounts, iterations: Int = 1,
        antithetic: Bool = true, copiesPerPass: Int = 1
    ) {
        self.network = network; self.method = method; self.batch = batch; self.copies = copies
        self.iterations = iterations; self.antithetic = antithetic; self.copiesPerPass = copiesPerPass
    }

    /// K of parametric layer `l`.
    public func copies(ofLayer l: Int) -> Int { copies.count(ofLayer: l) }

    /// Checks the workload against its network as the simulator will (batch, K, micro-batches, schedule, injection):
    /// what a study resolves up front so a bad combination fails before its first run.
    public func validate() throws {
        try validate(layers: ComputeLayer.plan(network).count)
    }

    func validate(layers: Int) throws {
        func bad(_ field: String, _ expected: String, _ got: Any) -> SimulationError {
            .invalidWorkload("workload: \(field) must be \(expected), got \(got)")
        }
        guard batch >= 1 && batch <= 1 << 20 else { throw bad("batch", "1 ... 1048576", batch) }
        guard iterations >= 1 && iterations <= 10_000_000 else { throw bad("iterations", "1 ... 10000000", iterations) }
        guard copiesPerPass >= 1 && copiesPerPass <= 1 << 16 else {
            throw bad("copies per pass", "1 ... 65536", copiesPerPass)
        }
        if method.isForwardOnly {
            // The one range rule of K (LRCore's `CopyCounts`), the same as the trainer's.
            do { try copies.validate(layers: layers, estimator: method, antithetic: antithetic) } catch {
                throw SimulationError.invalidWorkload("workload: \(error.description)")
            }
        }
        guard microbatches >= 1 && microbatches <= batch else {
            throw bad("microbatches", "1 ... the batch (\(batch))", microbatches)
        }
        if schedule != .serial && (sequence != nil || graph != nil) {
            throw bad("schedule", "serial for \(network.name)", schedule.rawValue)
        }
        if schedule == .serial && microbatches != 1 {
            throw bad(
                "microbatches", "1 with the serial backprop schedule (use gpipe or 1f1b to pipeline micro-batches)",
                microbatches)
        }
        if let sequence { try sequence.validate(self) }
        if let graph { try graph.validate(self) }
        if injection == .allLayers && method.isForwardOnly {
            guard !method.usesWeightNoise else {
                throw bad(
                    "injection",
                    "layerwise for \(method.rawValue) (weight noise perturbs one layer's weights at a time)",
                    "all-layers")
            }
            guard sequence == nil && graph == nil else {
                throw bad(
                    "injection", "layerwise for \(network.name) (its schedule perturbs one layer at a time)",
                    "all-layers")
            }
            let ks = (0..<layers).map { copies(ofLayer: $0) }
            guard Set(ks).count == 1 else {
                throw bad(
                    "copies", "one K for every layer with all-layers injection (each copy perturbs every layer)",
                    ks.map(String.init).joined(separator: ","))
            }
        }
    }
}
