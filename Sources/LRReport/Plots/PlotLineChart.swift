/// An x-y chart: one or more series drawn as lines with markers (or markers only), axes with ticks and labels, a
/// title, a legend, and optionally a Pareto front over all points (drawn as a dashed step line through ringed points).
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
        public init(name: String, points: [(x: Double, y: Double)], labels: [String] = [], connect: Bool = true) {
            self.name = name; self.points = points; self.labels = labels; self.connect = connect
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    public var xLogarithmic = false
    public var yIncludesZero = false
    /// Mark the Pareto front of all points with these senses (nil: no front).
    public var pareto: (x: ParetoFront.Better, y: ParetoFront.Better)?
    public var width = 680.0
    public var height = 420.0

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
    }

    public static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf",
    ]

    public func svg() -> String {
        var doc = SVGDocument(width: width, height: height)
        let left = 78.0, right = width - 190, top = 44.0, bottom = height - 58
        let all = series.flatMap(\.points)
        let xs = PlotScale(values: all.map(\.x), pixels: (left, right), logarithmic: xLogarithmic)
        let ys = PlotScale(values: all.map(\.y), pixels: (bottom, top), includeZero: yIncludesZero)
        ChartFrame.draw(
            &doc, title: title, xLabel: xLabel, yLabel: yLabel, xs: xs, ys: ys,
            box: (left, top, right, bottom))
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (xs($0.x), ys($0.y)) }
            if s.connect { doc.polyline(pts, stroke: color, width: 2) }
            for (j, p) in s.points.enumerated() where p.x.isFinite && p.y.isFinite {
                let label =
                    j < s.labels.count ? s.labels[j] : "\(s.name): (\(PlotScale.label(p.x)), \(PlotScale.label(p.y)))"
                doc.circle(xs(p.x), ys(p.y), r: 4, fill: color, stroke: "#ffffff", title: label)
            }
        }
        var legend = series.enumerated().map {
            (name: $0.element.name, color: Self.palette[$0.offset % Self.palette.count], dashed: false)
        }
        if let pareto {
            let xsAll = all.map(\.x), ysAll = all.map(\.y)
            let front = ParetoFront.indices(x: xsAll, y: ysAll, xBetter: pareto.x, yBetter: pareto.y)
            var step: [(Double, Double)] = []
            for (n, i) in front.enumerated() {
                let p = (xs(xsAll[i]), ys(ysAll[i]))
                if n > 0, let last = step.last { step.append(pareto.y == .higher ? (last.0, p.1) : (p.0, last.1)) }
                step.append(p)
                doc.circle(p.0, p.1, r: 8, fill: "none", stroke: "#000000", strokeWidth: 1.5)
            }
            doc.polyline(step, stroke: "#000000", width: 1.5, dash: "6 4")
            legend.append((name: "Pareto front (\(front.count))", color: "#000000", dashed: true))
        }
        ChartFrame.legend(&doc, entries: legend, x: right + 18, y: top + 6)
        return doc.text
    }
}
