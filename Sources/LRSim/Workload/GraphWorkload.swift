import LRCore

/// The simulator's side of `GraphModel` (LRCore): which workloads its schedules support, and the aggregation work
/// `A_hat * (.)` scheduled before every layer's GEMM (vector lanes) with `A_hat` read from DRAM in CSR every batch.
extension GraphModel {
    /// What the graph schedules support.
    func validate(_ spec: WorkloadSpec) throws {
        guard spec.method == .lr || spec.method == .alr || spec.method == .bp else {
            throw SimulationError.invalidWorkload(
                "workload: \(spelling) supports the estimators lr, alr and bp, got \(spec.method.rawValue)")
        }
        guard spec.batch == nodes else {
            throw SimulationError.invalidWorkload(
                "workload: \(spelling) trains on the full graph: batch must be the \(nodes) nodes, got \(spec.batch)")
        }
    }
}

extension ScheduleBuilder {
    /// The aggregation `A_hat * (.)` before parametric layer `l`'s GEMM for `copies` copies: (MACs, vector cycles on
    /// stage `st`); zero for non-graph workloads.
    func aggregation(layer l: Int, copies: Int, _ st: Place) -> (macs: Int, cycles: Int) {
        guard let g = spec.graph else { return (0, 0) }
        let macs = copies &* g.aggregationMACs(layer: l)
        return (macs, vectorCycles(macs, st))
    }

    /// Bytes of `A_hat` in CSR (row pointers and column indices of 4 bytes, values in the weight format), read from
    /// DRAM with every batch; 0 for non-graph workloads.
    var adjacencyBytes: Int {
        guard let g = spec.graph else { return 0 }
        return (g.nodes &+ 1) &* 4 &+ g.nonZeros &* (4 &+ sizes.weight)
    }
}
