/// A grouped bar chart: categories along x, one bar per series in each category, values from zero, legend.
///
///     var chart = BarChart(title: "Peak memory", yLabel: "KiB", categories: ["LR", "ALR", "BP"])
///     chart.series = [.init(name: "weights", values: [64, 64, 64])]
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) { self.name = name; self.values = values }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var categories: [String]
    public var series: [Series] = []
    /// Stack the series in each category instead of placing them side by side.
    public var stacked = false
    public var width = 660.0
    public var height = 420.0

    public init(title: String, xLabel: String = "", yLabel: String, categories: [String]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.categories = categories
    }

    public func svg() -> String {
        var doc = SVGDocument(width: width, height: height)
        let legend = series.indices.map {
            ChartFrame.LegendEntry(name: series[$0].name, style: .default($0), line: false, marker: false, swatch: true)
        }
        let legendWidth = ChartFrame.legendWidth(legend)
        let left = 78.0, right = width - legendWidth - 22, top = 44.0
        let slot = (right - left) / Double(max(1, categories.count))
        let labels = categories.map { $0.count > 18 ? String($0.prefix(17)) + "…" : $0 }
        // Category names wider than their slot (about 6.2 px per character at 11 px) are set at -35 degrees, with
        // the plot raised to make room for them.
        let widest = Double(labels.map(\.count).max() ?? 0) * 6.2
        let slanted = widest > slot - 4
        let bottom = height - 58 - (slanted ? min(100, widest * 0.57) : 0)
        let totals: [Double] =
            stacked
            ? categories.indices.map { c in series.reduce(0) { $0 + (c < $1.values.count ? max(0, $1.values[c]) : 0) } }
            : series.flatMap(\.values)
        let ys = PlotScale(values: totals, pixels: (bottom, top), includeZero: true)
        ChartFrame.draw(
            &doc, title: title, xLabel: slanted ? "" : xLabel, yLabel: yLabel, xs: nil, ys: ys,
            box: (left, top, right, bottom))
        if slanted && !xLabel.isEmpty {
            doc.text(xLabel, x: (left + right) / 2, y: height - 14, size: 13, anchor: .middle)
        }
        let groupWidth = slot * 0.8
        let barWidth = stacked ? groupWidth : groupWidth / Double(max(1, series.count))
        for (c, name) in categories.enumerated() {
            let x0 = left + Double(c) * slot + (slot - groupWidth) / 2
            var base = 0.0
            for (s, ser) in series.enumerated() where c < ser.values.count && ser.values[c].isFinite {
                let v = ser.values[c]
                let color = SeriesStyle.default(s).color
                let x = stacked ? x0 : x0 + Double(s) * barWidth
                let y1 = ys(stacked ? base + v : v), y0 = ys(stacked ? base : 0)
                doc.rect(
                    x, min(y0, y1), barWidth - (stacked ? 0 : 1), abs(y0 - y1), fill: color,
                    title: "\(name) \(ser.name): \(PlotScale.label(v))")
                if stacked { base += v }
            }
            doc.line(
                left + Double(c) * slot + slot / 2, bottom, left + Double(c) * slot + slot / 2, bottom + 5,
                stroke: "#333333")
            let cx = left + Double(c) * slot + slot / 2
            if slanted {
                doc.text(labels[c], x: cx + 3, y: bottom + 14, size: 11, anchor: .end, rotate: -35)
            } else {
                doc.text(labels[c], x: cx, y: bottom + 18, size: 11, anchor: .middle)
            }
        }
        ChartFrame.legend(&doc, entries: legend, x: right + 22, y: top + 6, width: legendWidth)
        return doc.text
    }
}
