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

    public init(network: NetworkSpec, method: EstimatorKind, batch: Int, copies: CopyCounts, iterations: Int = 1,
                antithetic: Bool = true, copiesPerPass: Int = 1) {
        self.network = network; self.method = method; self.batch = batch; self.copies = copies
        self.iterations = iterations; self.antithetic = antithetic; self.copiesPerPass = copiesPerPass
    }

    /// K of parametric layer `l`.
    public func copies(ofLayer l: Int) -> Int { copies.count(ofLayer: l) }

    func validate(layers: Int) throws {
        func bad(_ field: String, _ expected: String, _ got: Any) -> SimulationError {
            .invalidWorkload("workload: \(field) must be \(expected), got \(got)")
        }
        guard batch >= 1 && batch <= 1 << 20 else { throw bad("batch", "1 ... 1048576", batch) }
        guard iterations >= 1 && iterations <= 10_000_000 else { throw bad("iterations", "1 ... 10000000", iterations) }
        guard copiesPerPass >= 1 && copiesPerPass <= 1 << 16 else { throw bad("copies per pass", "1 ... 65536", copiesPerPass) }
        if method.isForwardOnly {
            // The one range rule of K (LRCore's `CopyCounts`), the same as the trainer's.
            do { try copies.validate(layers: layers, estimator: method, antithetic: antithetic) } catch {
                throw SimulationError.invalidWorkload("workload: \(error.description)")
            }
        }
        if let sequence { try sequence.validate(self) }
        if let graph { try graph.validate(self) }
    }
}
