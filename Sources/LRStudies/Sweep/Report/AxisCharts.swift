import Foundation
import LRReport

/// One chart per metric against each varied axis: the metric at every value of the axis, one line per combination of
/// the other axes. Numeric axes put a tick at every swept value; other axes (rounding modes) are categories in the
/// order given. Series whose values coincide everywhere are named in a note under the chart (each still has its own
/// marker and dash, so all of them show).
extension SweepReportBuilder {
    func axisCharts(_ t: SweepTable, metric m: ReportMetric) -> [ReportChart] {
        guard t.metricNames.contains(m.key), Self.constantValue(t, m) == nil else { return [] }
        var out: [ReportChart] = []
        for axis in t.spec.axes {
            let others = t.spec.axes.filter { $0.key != axis.key }
            let numeric = axis.values.allSatisfy { Double($0) != nil }
            func x(_ value: String) -> Double? {
                numeric ? Double(value) : axis.values.firstIndex(of: value).map(Double.init)
            }
            var groups: [String: [(x: Double, y: Double)]] = [:], labels: [String: [String]] = [:]
            var order: [String] = []
            for p in t.points where p.status == .ok {
                guard let v = p.values[axis.key], let xv = x(v), let y = p.metrics[m.key], y.isFinite else { continue }
                let name =
                    others.isEmpty
                    ? Self.shortKey(m.key)
                    : others.map { "\(Self.shortKey($0.key))=\(p.values[$0.key] ?? "")" }.joined(separator: " ")
                if groups[name] == nil { order.append(name) }
                groups[name, default: []].append((xv, y * m.scale))
                labels[name, default: []].append(
                    p.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                        + ": " + PlotScale.label(y * m.scale))
            }
            guard !order.isEmpty else { continue }
            var chart = LineChart(title: "\(m.title) vs \(Self.shortKey(axis.key))", xLabel: axis.key, yLabel: m.label)
            chart.series = order.map { name in
                let sorted = zip(groups[name]!, labels[name]!).sorted { $0.0.x < $1.0.x }
                return .init(name: name, points: sorted.map(\.0), labels: sorted.map(\.1))
            }
            if numeric {
                chart.xTicks = axis.values.compactMap(Double.init).sorted()
            } else {
                chart.xTicks = axis.values.indices.map(Double.init)
                chart.xTickLabels = axis.values
            }
            chart.notes = Self.coincidenceNotes(chart.series)
            if let r = references[m.key], let ticks = chart.xTicks, let lo = ticks.first, let hi = ticks.last {
                chart.series.append(
                    .init(
                        name: "\(r.name): \(Self.format(r.value * m.scale))",
                        points: [(lo, r.value * m.scale), (hi, r.value * m.scale)],
                        style: SeriesStyle(color: "#555555", marker: .circle, dash: "3 3"), markers: false))
            }
            let per = others.isEmpty ? "the sweep" : others.map(\.key).joined(separator: ", ")
            out.append(
                ReportChart(
                    name: "\(m.key)-vs-\(axis.key)", svg: chart.svg(),
                    caption: "\(m.label) at each value of \(axis.key); one line per \(per).",
                    section: m.section.rawValue))
        }
        return out
    }

    /// The metric's value when it is the same at every ok point (no chart then: a sentence says so).
    static func constantValue(_ t: SweepTable, _ m: ReportMetric) -> Double? {
        let v = t.points.filter { $0.status == .ok }.compactMap { $0.metrics[m.key] }.filter(\.isFinite)
        guard let first = v.first, v.count > 1 else { return nil }
        return v.allSatisfy({ abs($0 - first) <= 1e-9 * max(abs(first), 1e-300) }) ? first * m.scale : nil
    }

    /// One sentence per charted metric that does not vary over the sweep.
    func constantNotes(_ t: SweepTable) -> [(section: String, text: String)] {
        ReportMetric.catalog.compactMap { m in
            Self.constantValue(t, m).map {
                (
                    m.section.rawValue,
                    "\(m.label.prefix(1).uppercased() + m.label.dropFirst()) is \(Self.format($0)) at every point of the sweep (not charted)."
                )
            }
        }
    }

    /// "a, b and c coincide at every point": series with the same points (values equal to 1e-9 relative).
    static func coincidenceNotes(_ series: [LineChart.Series]) -> [String] {
        func same(_ a: LineChart.Series, _ b: LineChart.Series) -> Bool {
            a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy {
                    $0.x == $1.x && abs($0.y - $1.y) <= 1e-9 * max(abs($0.y), abs($1.y), 1e-300)
                }
        }
        var used = Set<Int>(), notes: [String] = []
        for i in series.indices where !used.contains(i) {
            let group = series.indices.filter { $0 >= i && !used.contains($0) && same(series[i], series[$0]) }
            guard group.count > 1 else { continue }
            used.formUnion(group)
            let names = group.map { series[$0].name }
            let list =
                names.count == 2
                ? "\(names[0]) and \(names[1])"
                : names.dropLast().joined(separator: ", ") + " and " + names.last!
            notes.append("\(list) coincide at every point (drawn with different markers and dashes).")
        }
        // Many coinciding groups would bury the chart under text: name a few, count the rest.
        if notes.count > 4 {
            let rest = notes.count - 3
            notes =
                Array(notes.prefix(3)) + [
                    "\(rest) more groups of series coincide at every point (the table lists every value)."
                ]
        }
        return notes
    }
}
