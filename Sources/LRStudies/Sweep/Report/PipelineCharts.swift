import LRReport
import LRSim

/// The pipeline's charts: utilisation per unit (of LR, ALR and backprop from `sim-compare.json`, else of the first
/// sweep points) and the memory each schedule keeps alive.
extension SweepReportBuilder {
    static let pipeline = "Pipeline"

    /// Utilisation per unit of the first few sweep points (when no LR/ALR/BP comparison is at hand).
    func sweepUtilization(_ t: SweepTable) -> ReportChart? {
        let units = t.metricNames.filter { $0.hasPrefix("sim.utilization.") }
        let pts = t.points.filter { $0.status == .ok }.prefix(6)
        guard !units.isEmpty, !pts.isEmpty else { return nil }
        var c = BarChart(
            title: "Pipeline utilisation per unit", yLabel: "busy fraction of cycles",
            categories: units.map { String($0.dropFirst("sim.utilization.".count)) })
        c.series = pts.map { p in .init(name: Self.overrides(p), values: units.map { p.metrics[$0] ?? 0 }) }
        return ReportChart(
            name: "utilization", svg: c.svg(),
            caption: "Busy cycles / all cycles of each unit (the first \(pts.count) points).", section: Self.pipeline)
    }

    func utilizationChart() -> ReportChart {
        var stages: [String] = []
        for r in comparison { for s in r.stages where !stages.contains(s.name) { stages.append(s.name) } }
        var c = BarChart(title: "Pipeline utilisation per unit", yLabel: "busy fraction of cycles", categories: stages)
        c.series = comparison.map { r in
            .init(
                name: "\(r.workload.estimator) on \(r.hardware.name)",
                values: stages.map { n in r.stages.first { $0.name == n }?.utilization ?? 0 })
        }
        return ReportChart(
            name: "utilization", svg: c.svg(),
            caption: "Busy cycles / all cycles per unit, for each estimator on its hardware model.",
            section: Self.pipeline)
    }

    func memoryChart() -> ReportChart {
        var roles: [String] = []
        for r in comparison {
            for k in r.memory.peakDemandByRole.keys.sorted() where !roles.contains(k) { roles.append(k) }
        }
        var c = BarChart(
            title: "Memory: LR vs ALR vs backprop", yLabel: "peak demand (KiB)",
            categories: comparison.map { "\($0.workload.estimator) (\($0.hardware.name))" })
        c.stacked = true
        c.series = roles.map { role in
            .init(name: role, values: comparison.map { Double($0.memory.peakDemandByRole[role] ?? 0) / 1024 })
        }
        return ReportChart(
            name: "memory", svg: c.svg(),
            caption:
                "Peak bytes each schedule keeps alive, by role (weights, stored inputs, noise or sign bits, accumulators, backprop's activations).",
            section: Self.pipeline)
    }
}
