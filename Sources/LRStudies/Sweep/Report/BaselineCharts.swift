import Foundation
import LRReport

/// The report's section against a baseline sweep: per ratio, one chart per value of the facet axis with the ratio
/// against the candidate's first numeric axis (K), one line per combination of the other settings and a parity line;
/// then the best candidate setting for each combination of the shared axes; then every row.
extension SweepReportBuilder {
    var baselineSection: String { "Against the baseline" }

    /// The axes the charts are split by: `facet`'s comma-separated keys (default: the first shared axis that takes
    /// several values). One chart per combination of their values.
    func facetKeys(_ c: BaselineComparison) -> [String] {
        if let facet { return facet.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return c.shared.first { key in Set(c.candidate.points.compactMap { $0.values[key] }).count > 1 }.map { [$0] }
            ?? []
    }

    /// The last component of an axis key (`mapping.split` -> `split`): series names stay short enough for the legend.
    static func leafKey(_ k: String) -> String { k.split(separator: ".").last.map(String.init) ?? k }

    func baselineCharts(_ c: BaselineComparison) -> [ReportChart] {
        let rows = c.rows()
        let axes = c.candidate.spec.axes
        let facetKeys = facetKeys(c)
        let candidates = axes.filter { !facetKeys.contains($0.key) }
        guard
            let xAxis = candidates.first(where: { a in
                c.candidateOnly.contains(a.key) && a.values.allSatisfy { Double($0) != nil }
            })
                ?? candidates.first(where: { c.candidateOnly.contains($0.key) }) ?? candidates.first
        else { return [] }
        let numeric = xAxis.values.allSatisfy { (Double($0) ?? 0) > 0 }
        let logX =
            numeric
            && (xAxis.values.compactMap(Double.init).max() ?? 1) / (xAxis.values.compactMap(Double.init).min() ?? 1)
                >= 8
        // Series: the other axes that vary (a single-valued axis would only lengthen every name).
        let others = axes.filter { $0.key != xAxis.key && !facetKeys.contains($0.key) && $0.values.count > 1 }
        // Every combination of the facet axes' values, in grid order ([[]]: one chart of everything).
        var facetValues: [[String]] = [[]]
        for k in facetKeys {
            let values = axes.first { $0.key == k }?.values ?? []
            facetValues = facetValues.flatMap { f in values.map { f + [$0] } }
        }
        func x(_ v: String) -> Double? { numeric ? Double(v) : xAxis.values.firstIndex(of: v).map(Double.init) }

        var out: [ReportChart] = []
        for ratio in BaselineComparison.ratios {
            for f in facetValues {
                var groups: [String: [(x: Double, y: Double)]] = [:], labels: [String: [String]] = [:]
                var order: [String] = []
                for r in rows where facetKeys.indices.allSatisfy({ r.point.values[facetKeys[$0]] == f[$0] }) {
                    guard let v = r.point.values[xAxis.key], let xv = x(v), let y = r.ratios[ratio.key], y > 0 else {
                        continue
                    }
                    let name =
                        others.isEmpty
                        ? ratio.title
                        : others.map { "\(Self.leafKey($0.key))=\(r.point.values[$0.key] ?? "")" }.joined(
                            separator: " ")
                    if groups[name] == nil { order.append(name) }
                    groups[name, default: []].append((xv, y))
                    let against = c.baselineOnly.map { "\($0)=\(r.references[ratio.key]?.values[$0] ?? "")" }.joined(
                        separator: " ")
                    labels[name, default: []].append(
                        "\(name) \(xAxis.key)=\(v): \(PlotScale.label(y))"
                            + (against.isEmpty ? "" : " (baseline \(against))"))
                }
                guard !order.isEmpty else { continue }
                let where_ = facetKeys.indices.map { ", \(Self.leafKey(facetKeys[$0]))=\(f[$0])" }.joined()
                var chart = LineChart(
                    title: "\(ratio.title) ratio\(where_)",
                    xLabel: xAxis.key, yLabel: "\(ratio.title): candidate / best baseline")
                chart.series = order.map { name in
                    let sorted = zip(groups[name]!, labels[name]!).sorted { $0.0.x < $1.0.x }
                    return .init(name: name, points: sorted.map(\.0), labels: sorted.map(\.1))
                }
                chart.yLogarithmic = true
                chart.xLogarithmic = logX
                if numeric {
                    chart.xTicks = xAxis.values.compactMap(Double.init).sorted()
                } else {
                    chart.xTicks = xAxis.values.indices.map(Double.init)
                    chart.xTickLabels = xAxis.values
                }
                chart.notes = Self.coincidenceNotes(chart.series)
                if let ticks = chart.xTicks, let lo = ticks.first, let hi = ticks.last {
                    chart.series.append(
                        .init(
                            name: "parity with the baseline", points: [(lo, 1), (hi, 1)],
                            style: SeriesStyle(color: "#555555", marker: .circle, dash: "3 3"), markers: false))
                }
                let direction =
                    ratio.better == .higher ? "above 1 the candidate is faster" : "below 1 the candidate uses less"
                out.append(
                    ReportChart(
                        name: "\(ratio.key)-vs-\(xAxis.key)\(f.map { "-\($0)" }.joined())", svg: chart.svg(),
                        caption:
                            "\(ratio.title) of each candidate point over the best point of \(c.baselineName) with the same "
                            + "\(c.shared.isEmpty ? "settings (none shared: the best of all)" : c.shared.joined(separator: ", ")); "
                            + "\(direction). Log scale.",
                        section: baselineSection))
            }
        }
        return out
    }

    /// Per combination of the shared axes: the candidate's best ratio of each kind and the setting that reaches it.
    func baselineSummary(_ c: BaselineComparison) -> (header: [String], rows: [[String]]) {
        let rows = c.rows()
        var keys: [[String]] = []
        for r in rows {
            let k = c.shared.map { r.point.values[$0] ?? "" }
            if !keys.contains(k) { keys.append(k) }
        }
        let settings = c.candidateOnly
        var header = c.shared.map(Self.shortKey)
        for ratio in BaselineComparison.ratios { header += ["best \(ratio.title) ratio", "at"] }
        var table: [[String]] = []
        for k in keys {
            let mine = rows.filter { r in c.shared.indices.allSatisfy { r.point.values[c.shared[$0]] == k[$0] } }
            var line = k
            for ratio in BaselineComparison.ratios {
                let scored = mine.compactMap { r in r.ratios[ratio.key].map { (r, $0) } }
                let best = ratio.better == .higher ? scored.max { $0.1 < $1.1 } : scored.min { $0.1 < $1.1 }
                guard let (r, v) = best else { line += ["", ""]; continue }
                line.append(String(format: "%.3g", v))
                line.append(settings.map { "\(Self.shortKey($0))=\(r.point.values[$0] ?? "")" }.joined(separator: " "))
            }
            table.append(line)
        }
        return (header, table)
    }
}
