/// An x-y chart: one or more series drawn as lines with markers (or markers only), axes with ticks and labels, a
/// title, a legend, notes under the plot, and optionally a Pareto front over all points (a dashed step line through
/// ringed, numbered points).
///
/// Reading aids, on by default: every series has its own colour, marker shape and dash (`SeriesStyle`), so series
/// that coincide stay visible; an axis that starts away from zero gets a break mark and a note saying where it
/// starts.
///
///     var chart = LineChart(title: "Accuracy vs activation bits", xLabel: "activation bits", yLabel: "test accuracy")
///     chart.series = [.init(name: "acc 32 bits", points: [(4, 0.61), (8, 0.83)])]
///     let svg = chart.svg()
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Hover text per point (shown as an SVG title), e.g. the point's overrides.
        public var labels: [String]
        public var connect: Bool
        /// nil: `SeriesStyle.default` of the series' position.
        public var style: SeriesStyle?
        /// false: a line only (a reference level).
        public var markers: Bool
        public init(
            name: String, points: [(x: Double, y: Double)], labels: [String] = [], connect: Bool = true,
            style: SeriesStyle? = nil, markers: Bool = true
        ) {
            self.name = name; self.points = points; self.labels = labels; self.connect = connect; self.style = style
            self.markers = markers
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    public var xLogarithmic = false
    /// A log10 y axis (ratios spanning decades); its ticks are the decades the data covers.
    public var yLogarithmic = false
    public var yIncludesZero = false
    /// Ticks at exactly these x values, labelled with `xTickLabels` when given (a swept axis, or categories placed at
    /// 0, 1, 2, ...); nil: nice ticks covering the data.
    public var xTicks: [Double]?
    public var xTickLabels: [String]?
    /// Lines of text under the plot (e.g. which series coincide); the chart grows to hold them.
    public var notes: [String] = []
    /// Mark the Pareto front of all points with these senses (nil: no front).
    public var pareto: (x: ParetoFront.Better, y: ParetoFront.Better)?
    public var width = 660.0
    public var height = 420.0

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
    }

    public static var palette: [String] { SeriesStyle.palette }

    /// The style series `i` is drawn with.
    public func style(_ i: Int) -> SeriesStyle { series[i].style ?? .default(i) }

    /// The Pareto front's points, in x order, as (series, point) indices (empty without `pareto`).
    public var frontPoints: [(series: Int, point: Int)] {
        guard let pareto else { return [] }
        var refs: [(Int, Int)] = [], xs: [Double] = [], ys: [Double] = []
        for (s, ser) in series.enumerated() {
            for (j, p) in ser.points.enumerated() { refs.append((s, j)); xs.append(p.x); ys.append(p.y) }
        }
        return ParetoFront.indices(x: xs, y: ys, xBetter: pareto.x, yBetter: pareto.y).map { refs[$0] }
    }

    /// The notes the chart adds by itself: where a cut axis starts.
    public var axisNotes: [String] {
        let (xs, ys, _) = scales(top: 44, bottom: height - 58, left: 78, right: 400)
        let all = series.flatMap(\.points)
        var out: [String] = []
        if ys.excludesZero(values: all.map(\.y)) {
            out.append(
                "The y axis starts at \(PlotScale.label(ys.ticks.first ?? ys.lower)), not at 0 (marked on the axis).")
        }
        if xTicks == nil, xs.excludesZero(values: all.map(\.x)) {
            out.append(
                "The x axis starts at \(PlotScale.label(xs.ticks.first ?? xs.lower)), not at 0 (marked on the axis).")
        }
        return out
    }

    func scales(top: Double, bottom: Double, left: Double, right: Double) -> (PlotScale, PlotScale, [Double]) {
        let all = series.flatMap(\.points)
        let xs =
            xTicks.map { PlotScale(ticks: $0, pixels: (left, right), logarithmic: xLogarithmic) }
            ?? PlotScale(values: all.map(\.x), pixels: (left, right), logarithmic: xLogarithmic)
        let ys = PlotScale(
            values: all.map(\.y), pixels: (bottom, top), logarithmic: yLogarithmic,
            includeZero: yIncludesZero)
        return (xs, ys, all.map(\.y))
    }

    var legendEntries: [ChartFrame.LegendEntry] {
        var legend = series.indices.map {
            ChartFrame.LegendEntry(
                name: series[$0].name, style: style($0), line: series[$0].connect, marker: series[$0].markers)
        }
        if pareto != nil {
            legend.append(
                .init(
                    name: "Pareto front (\(frontPoints.count), numbered)",
                    style: SeriesStyle(color: "#000000", marker: .circle, dash: "6 4"), marker: false))
        }
        return legend
    }

    /// The plot area in pixels (the legend takes the width its names need, right of it).
    public var plotBox: (left: Double, top: Double, right: Double, bottom: Double) {
        (78, 44, width - ChartFrame.legendWidth(legendEntries) - 22, height - 58)
    }

    public func svg() -> String {
        let lines = ChartFrame.wrap(axisNotes + notes, width: width - 24)
        let legend = legendEntries
        // A legend taller than the plot pushes the notes down instead of running over them.
        let notesTop = max(height, plotBox.top + 6 + Double(legend.count) * 20 + 12)
        let total = notesTop + Double(lines.count) * 16 + (lines.isEmpty ? 0 : 6)
        var doc = SVGDocument(width: width, height: total)
        let legendWidth = ChartFrame.legendWidth(legend)
        let (left, top, right, bottom) = plotBox
        let (xs, ys, _) = scales(top: top, bottom: bottom, left: left, right: right)
        let all = series.flatMap(\.points)
        ChartFrame.draw(
            &doc, title: title, xLabel: xLabel, yLabel: yLabel, xs: xs, ys: ys,
            box: (left, top, right, bottom), xTickLabels: xTickLabels)
        if ys.excludesZero(values: all.map(\.y)) { ChartFrame.breakMark(&doc, vertical: true, at: (left, bottom - 12)) }
        if xTicks == nil, xs.excludesZero(values: all.map(\.x)) {
            ChartFrame.breakMark(&doc, vertical: false, at: (left + 16, bottom))
        }
        for (i, s) in series.enumerated() {
            let st = style(i)
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (xs($0.x), ys($0.y)) }
            if s.connect { doc.polyline(pts, stroke: st.color, width: 2, dash: st.dash) }
            for (j, p) in s.points.enumerated() where s.markers && p.x.isFinite && p.y.isFinite {
                let label =
                    j < s.labels.count ? s.labels[j] : "\(s.name): (\(PlotScale.label(p.x)), \(PlotScale.label(p.y)))"
                st.marker.draw(&doc, xs(p.x), ys(p.y), r: 4.5, fill: st.color, title: label)
            }
        }
        if let pareto {
            var step: [(Double, Double)] = []
            for (n, ref) in frontPoints.enumerated() {
                let q = series[ref.series].points[ref.point]
                let p = (xs(q.x), ys(q.y))
                if n > 0, let last = step.last { step.append(pareto.y == .higher ? (last.0, p.1) : (p.0, last.1)) }
                step.append(p)
                doc.circle(p.0, p.1, r: 8.5, fill: "none", stroke: "#000000", strokeWidth: 1.5)
                doc.text("\(n + 1)", x: p.0 + 9, y: p.1 - 8, size: 11, weight: "bold", fill: "#000000")
            }
            doc.polyline(step, stroke: "#000000", width: 1.5, dash: "6 4")
        }
        ChartFrame.legend(&doc, entries: legend, x: right + 22, y: top + 6, width: legendWidth)
        ChartFrame.notes(&doc, lines, x: 12, y: notesTop + 4)
        return doc.text
    }
}
