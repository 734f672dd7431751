import Foundation
import LRReport
import LRSim

/// Builds the `lrsim report` page from a sweep table and, when present, side-by-side simulations of LR, ALR and
/// backprop on the same hardware (`sim-compare.json`, written by `lrsim sim --compare` or `lrsim demo`).
///
/// Charts: accuracy vs bits of each varied signal; gradient fidelity vs bits; accuracy vs throughput and vs energy
/// with the Pareto front; pipeline utilisation per stage; memory of LR vs ALR vs backprop.
public struct SweepReportBuilder {
    public var table: SweepTable?
    public var comparison: [SimReport]
    /// Extra rows for the summary table (e.g. the demo's trained accuracy per estimator), already formatted.
    public var summary: (header: [String], rows: [[String]])?
    public var title = "lrsim report"
    /// The command that produced the sweep, quoted on the page.
    public var command: String?

    public init(table: SweepTable?, comparison: [SimReport] = []) { self.table = table; self.comparison = comparison }

    /// Every chart, in page order, with its file-friendly name (tests render them one by one).
    public func charts() -> [(name: String, svg: String, caption: String)] {
        var out: [(String, String, String)] = []
        if let t = table {
            out += bitsCharts(
                t, metric: "train.test_accuracy", yLabel: "test accuracy", what: "Accuracy",
                caption: "Quantized-in-the-loop training: final test accuracy at each point.")
            for (metric, label) in [
                ("replay.mean_cosine_vs_float", "cosine vs float gradient"),
                ("replay.min_cosine_vs_bp", "cosine vs backprop gradient (min)"),
                ("train.gradient_cosine_vs_bp", "cosine vs backprop gradient"),
            ]
            where t.metricNames.contains(metric) {
                out += bitsCharts(
                    t, metric: metric, yLabel: label, what: "Gradient fidelity",
                    caption: "Gradient fidelity of the fixed-point datapath (\(metric)).")
            }
            out += paretoCharts(t)
            if comparison.isEmpty, let u = sweepUtilization(t) { out.append(u) }
        }
        if !comparison.isEmpty {
            out.append(utilizationChart())
            out.append(memoryChart())
        }
        return out
    }

    public func html() -> String {
        var page = HTMLReportPage(title: title)
        var intro: [HTMLReportPage.Block] = []
        if let t = table {
            let ok = t.points.filter { $0.status == .ok }.count
            intro.append(
                .paragraph(
                    "Sweep of \(t.points.count) points (\(ok) ok, \(t.points.count - ok) failed) over "
                        + t.spec.axes.map { "\($0.key) = {\($0.values.joined(separator: ", "))}" }.joined(
                            separator: " x ")
                        + " on \(t.spec.hw); kinds: \(t.spec.kinds.joined(separator: ", "))."))
        }
        if let command { intro.append(.preformatted(command)) }
        if let summary { intro.append(.table(header: summary.header, rows: summary.rows)) }
        if !intro.isEmpty { page.add("Summary", intro) }
        let charts = charts()
        if !charts.isEmpty { page.add("Charts", charts.map { .chart(svg: $0.svg, caption: $0.caption) }) }
        if let t = table {
            let csv = t.csv
            page.add("Sweep table", [.table(header: csv.header, rows: csv.rows.map { $0.map(Self.short) })])
        }
        return page.html
    }

    static func short(_ field: String) -> String {
        guard let x = Double(field), field.count > 9 else { return field }
        return String(format: abs(x) >= 1e5 || (abs(x) < 1e-3 && x != 0) ? "%.4g" : "%.6g", x)
    }

    // MARK: charts

    /// One chart per varied `*bits*` axis: `metric` against that axis's values, one line per combination of the
    /// other axes.
    func bitsCharts(_ t: SweepTable, metric: String, yLabel: String, what: String, caption: String)
        -> [(name: String, svg: String, caption: String)]
    {
        guard t.metricNames.contains(metric) else { return [] }
        var out: [(String, String, String)] = []
        for axis in t.spec.axes where axis.key.contains("bits") {
            let others = t.spec.axes.filter { $0.key != axis.key }
            var groups: [String: [(x: Double, y: Double)]] = [:]
            var order: [String] = []
            for p in t.points where p.status == .ok {
                guard let xs = p.values[axis.key], let x = Double(xs), let y = p.metrics[metric] else { continue }
                let name =
                    others.isEmpty
                    ? metric
                    : others.map { "\(Self.shortKey($0.key))=\(p.values[$0.key] ?? "")" }.joined(separator: " ")
                if groups[name] == nil { order.append(name) }
                groups[name, default: []].append((x, y))
            }
            guard !order.isEmpty else { continue }
            var chart = LineChart(title: "\(what) vs \(Self.shortKey(axis.key))", xLabel: axis.key, yLabel: yLabel)
            chart.series = order.map { .init(name: $0, points: groups[$0]!.sorted { $0.x < $1.x }) }
            out.append(
                (
                    "\(metric)-vs-\(axis.key)", chart.svg(),
                    caption + " x: \(axis.key); one line per "
                        + (others.isEmpty ? "sweep." : others.map(\.key).joined(separator: ", ") + ".")
                ))
        }
        return out
    }

    /// Accuracy against simulated throughput and against energy per iteration, the Pareto front marked.
    func paretoCharts(_ t: SweepTable) -> [(name: String, svg: String, caption: String)] {
        let names = Set(t.metricNames)
        guard names.contains("sim.iterations_per_second") else { return [] }
        let yMetric =
            names.contains("train.test_accuracy")
            ? "train.test_accuracy"
            : names.contains("replay.mean_cosine_vs_float") ? "replay.mean_cosine_vs_float" : nil
        guard let yMetric else { return [] }
        let yLabel = yMetric == "train.test_accuracy" ? "test accuracy" : "gradient cosine vs float"
        let first = t.spec.axes.first
        func chart(_ xMetric: String, _ xLabel: String, _ better: ParetoFront.Better, _ title: String) -> LineChart {
            var c = LineChart(title: title, xLabel: xLabel, yLabel: yLabel)
            var groups: [String: (pts: [(x: Double, y: Double)], labels: [String])] = [:]
            var order: [String] = []
            for p in t.points where p.status == .ok {
                guard let x = p.metrics[xMetric], let y = p.metrics[yMetric] else { continue }
                let g = first.map { "\(Self.shortKey($0.key))=\(p.values[$0.key] ?? "")" } ?? "points"
                if groups[g] == nil { order.append(g) }
                groups[g, default: ([], [])].pts.append((x, y))
                groups[g, default: ([], [])].labels.append(
                    p.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
            c.series = order.map {
                .init(name: $0, points: groups[$0]!.pts, labels: groups[$0]!.labels, connect: false)
            }
            c.pareto = (better, .higher)
            return c
        }
        let a = chart(
            "sim.iterations_per_second", "simulated training iterations per second", .higher,
            "\(yMetric == "train.test_accuracy" ? "Accuracy" : "Fidelity") vs throughput")
        let b = chart(
            "sim.energy_uj_per_iteration", "energy per iteration (uJ)", .lower,
            "\(yMetric == "train.test_accuracy" ? "Accuracy" : "Fidelity") vs energy")
        return [
            (
                "pareto-throughput", a.svg(),
                "Each point of the sweep; the dashed line and rings mark the Pareto front (higher throughput and "
                    + "higher \(yLabel) are better)."
            ),
            (
                "pareto-energy", b.svg(),
                "Each point of the sweep; the Pareto front marks points no other point beats in both lower energy "
                    + "and higher \(yLabel)."
            ),
        ]
    }

    /// Utilisation per unit of the first few sweep points (when no LR/ALR/BP comparison is at hand).
    func sweepUtilization(_ t: SweepTable) -> (name: String, svg: String, caption: String)? {
        let units = t.metricNames.filter { $0.hasPrefix("sim.utilization.") }
        let pts = t.points.filter { $0.status == .ok }.prefix(6)
        guard !units.isEmpty, !pts.isEmpty else { return nil }
        var c = BarChart(
            title: "Pipeline utilisation per stage", yLabel: "busy fraction of cycles",
            categories: units.map { String($0.dropFirst("sim.utilization.".count)) })
        c.series = pts.map { p in
            .init(
                name: p.values.sorted { $0.key < $1.key }.map { "\(Self.shortKey($0.key))=\($0.value)" }.joined(
                    separator: " "),
                values: units.map { p.metrics[$0] ?? 0 })
        }
        return ("utilization", c.svg(), "Busy cycles / all cycles of each unit (the first \(pts.count) points).")
    }

    func utilizationChart() -> (name: String, svg: String, caption: String) {
        var stages: [String] = []
        for r in comparison { for s in r.stages where !stages.contains(s.name) { stages.append(s.name) } }
        var c = BarChart(title: "Pipeline utilisation per stage", yLabel: "busy fraction of cycles", categories: stages)
        c.series = comparison.map { r in
            .init(
                name: "\(r.workload.estimator) on \(r.hardware.name)",
                values: stages.map { n in r.stages.first { $0.name == n }?.utilization ?? 0 })
        }
        return ("utilization", c.svg(), "Busy cycles / all cycles per unit, for each estimator on its hardware model.")
    }

    func memoryChart() -> (name: String, svg: String, caption: String) {
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
        return (
            "memory", c.svg(),
            "Peak bytes each schedule keeps alive, by role (weights, stored inputs, noise or sign bits, "
                + "accumulators, backprop's activations)."
        )
    }

    /// `formats.activations.bits` -> `activations.bits`, `all_stages.array.rows` -> `array.rows`.
    static func shortKey(_ k: String) -> String {
        let parts = k.split(separator: ".")
        return parts.count > 2 ? parts.suffix(2).joined(separator: ".") : k
    }
}
