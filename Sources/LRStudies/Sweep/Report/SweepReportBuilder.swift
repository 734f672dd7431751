import Foundation
import LRReport
import LRSim

/// Builds the `lrsim report` page from a sweep table and, when present, side-by-side simulations of LR, ALR and
/// backprop on the same hardware (`sim-compare.json`, written by `lrsim sim --compare` or `lrsim demo`).
///
/// Sections: accuracy and gradient fidelity against each axis; throughput, energy, on-chip memory and DRAM traffic
/// against each axis; Pareto fronts of accuracy (or fidelity) against energy and throughput; the pipeline
/// (utilisation per unit, memory of LR vs ALR vs backprop); the sweep table.
public struct SweepReportBuilder {
    public var table: SweepTable?
    public var comparison: [SimReport]
    /// Extra rows for the summary table (e.g. the demo's trained accuracy per estimator), already formatted.
    public var summary: (header: [String], rows: [[String]])?
    /// Extra paragraphs for the summary (e.g. the demo's replay verdict).
    public var notes: [String] = []
    /// Reference levels drawn across a metric's charts, by metric (e.g. the float run's accuracy on the same samples).
    public var references: [String: (name: String, value: Double)] = [:]
    public var title = "lrsim report"
    /// The command that produced the sweep, quoted on the page.
    public var command: String?
    /// A baseline sweep the points are set against (`lrsim report DIR --baseline BASE`), and the shared axis whose
    /// values get a chart each (nil: the first shared axis with several values).
    public var baseline: BaselineComparison?
    public var facet: String?

    public init(table: SweepTable?, comparison: [SimReport] = []) { self.table = table; self.comparison = comparison }

    /// Every chart, in page order (tests render them one by one).
    public func charts() -> [ReportChart] {
        var out: [ReportChart] = []
        if let baseline { out += baselineCharts(baseline) }
        if let t = table {
            for m in ReportMetric.catalog { out += axisCharts(t, metric: m) }
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
        intro += notes.map { .paragraph($0) }
        if !intro.isEmpty { page.add("Summary", intro) }
        let charts = charts()
        let constants = table.map(constantNotes) ?? []
        var sections: [String] = baseline == nil ? [] : [baselineSection]
        for name in ReportMetric.Section.allCases.map(\.rawValue) + charts.map(\.section)
        where !sections.contains(name)
            && (charts.contains { $0.section == name } || constants.contains { $0.section == name })
        {
            sections.append(name)
        }
        for s in sections {
            var blocks: [HTMLReportPage.Block] = constants.filter { $0.section == s }.map { .paragraph($0.text) }
            if s == baselineSection, let b = baseline {
                blocks.append(
                    .paragraph(
                        "Each point set against \(b.baselineName): the best baseline point with the same "
                            + (b.shared.isEmpty
                                ? "settings (the sweeps share no axis: the best of all)"
                                : b.shared.joined(separator: ", "))
                            + (b.baselineOnly.isEmpty
                                ? "" : ", over the baseline's own " + b.baselineOnly.joined(separator: ", "))
                            + ". Ratios are candidate / baseline. Below: the candidate's best ratio of each kind per shared "
                            + "setting, then charts; every ratio is in the table at the end."))
                let summary = baselineSummary(b)
                blocks.append(.table(header: summary.header, rows: summary.rows))
            }
            for c in charts where c.section == s {
                blocks.append(.chart(svg: c.svg, caption: c.caption))
                if let table = c.table { blocks.append(.table(header: table.header, rows: table.rows)) }
            }
            page.add(s, blocks)
        }
        if let b = baseline {
            let csv = b.csv
            page.add("Ratios to the baseline", [.table(header: csv.header, rows: csv.rows.map { $0.map(Self.short) })])
        }
        if let t = table {
            // The point ids (a slug and a hash) are in sweep.csv; the page shows the settings and the metrics.
            let csv = t.csv
            let keep = csv.header.indices.filter { i in
                csv.header[i] != "id" && (csv.header[i] != "error" || csv.rows.contains { !$0[i].isEmpty })
            }
            page.add(
                "Sweep table",
                [
                    .table(
                        header: keep.map { csv.header[$0] }, rows: csv.rows.map { r in keep.map { Self.short(r[$0]) } })
                ])
        }
        return page.html
    }

    static func short(_ field: String) -> String {
        guard let x = Double(field), field.count > 9 else { return field }
        return String(format: abs(x) >= 1e5 || (abs(x) < 1e-3 && x != 0) ? "%.4g" : "%.6g", x)
    }

    /// `formats.activations.bits` -> `activations.bits`, `all_stages.array.rows` -> `array.rows`.
    static func shortKey(_ k: String) -> String {
        let parts = k.split(separator: ".")
        return parts.count > 2 ? parts.suffix(2).joined(separator: ".") : k
    }
}
