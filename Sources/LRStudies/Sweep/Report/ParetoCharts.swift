import Foundation
import LRReport

/// Accuracy (or, without training, gradient fidelity) against energy per iteration and against simulated throughput,
/// over every point of the sweep, hardware and precision axes alike: the Pareto front ringed, numbered, joined by a
/// dashed step line and listed in a table under the chart.
extension SweepReportBuilder {
    func paretoCharts(_ t: SweepTable) -> [ReportChart] {
        let names = Set(t.metricNames)
        guard
            let y = ["train.test_accuracy", "replay.mean_cosine_vs_float"].first(where: names.contains).flatMap(
                ReportMetric.named)
        else { return [] }
        // Colour by the hardware axes (anything but number formats) when the sweep has both kinds, so the front shows
        // which silicon and which precision it takes; else by the first axis.
        let hardwareAxes = t.spec.axes.filter { !$0.key.hasPrefix("formats.") }
        let groupAxes =
            hardwareAxes.isEmpty || hardwareAxes.count == t.spec.axes.count
            ? Array(t.spec.axes.prefix(1)) : hardwareAxes
        var out: [ReportChart] = []
        for x in ["sim.energy_uj_per_iteration", "sim.iterations_per_second"].compactMap(ReportMetric.named)
        where names.contains(x.key) {
            var chart = LineChart(title: "\(y.title) vs \(x.title.lowercased())", xLabel: x.label, yLabel: y.label)
            var groups: [String: (pts: [(x: Double, y: Double)], labels: [String], rows: [SweepTable.Row])] = [:]
            var order: [String] = []
            for p in t.points where p.status == .ok {
                guard let xv = p.metrics[x.key], let yv = p.metrics[y.key], xv.isFinite, yv.isFinite else { continue }
                let g =
                    groupAxes.isEmpty
                    ? "points"
                    : groupAxes.map { "\(Self.shortKey($0.key))=\(p.values[$0.key] ?? "")" }.joined(separator: " ")
                if groups[g] == nil { order.append(g) }
                groups[g, default: ([], [], [])].pts.append((xv * x.scale, yv * y.scale))
                groups[g, default: ([], [], [])].labels.append(Self.overrides(p))
                groups[g, default: ([], [], [])].rows.append(p)
            }
            guard !order.isEmpty else { continue }
            chart.series = order.map {
                .init(name: $0, points: groups[$0]!.pts, labels: groups[$0]!.labels, connect: false)
            }
            chart.pareto = (x.better, y.better)
            let front = chart.frontPoints
            let rows = front.enumerated().map { n, ref -> [String] in
                let r = groups[order[ref.series]]!.rows[ref.point]
                return [
                    "\(n + 1)", Self.overrides(r), Self.format(r.metrics[y.key]! * y.scale),
                    Self.format(r.metrics[x.key]! * x.scale),
                ]
            }
            let better = x.better == .lower ? "lower \(x.label)" : "higher \(x.label)"
            out.append(
                ReportChart(
                    name: x.key == "sim.energy_uj_per_iteration" ? "pareto-energy" : "pareto-throughput",
                    svg: chart.svg(),
                    caption:
                        "Every point of the sweep (colour and marker: \(groupAxes.map(\.key).joined(separator: ", ")); hover a marker for its settings). The numbered, ringed points are the Pareto front: no other point has both \(better) and higher \(y.label).",
                    section: "Pareto fronts", table: (["front", "settings", y.label, x.label], rows)))
        }
        return out
    }

    static func overrides(_ p: SweepTable.Row) -> String {
        p.values.sorted { $0.key < $1.key }.map { "\(shortKey($0.key))=\($0.value)" }.joined(separator: " ")
    }

    /// Four significant figures for small values, whole numbers from 100 up.
    static func format(_ v: Double) -> String {
        if abs(v) >= 1e6 || (abs(v) < 1e-3 && v != 0) { return String(format: "%.4g", v) }
        if abs(v) >= 100 { return String(format: "%.0f", v) }
        return String(format: "%.4f", v).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }
}
