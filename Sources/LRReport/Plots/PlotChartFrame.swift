/// The parts every chart shares: title, plot box, grid, ticks, tick labels, axis labels, a cut-axis mark, notes and the
/// legend.
enum ChartFrame {
    /// `xTickLabels`: labels for the x ticks in order (a categorical axis); nil: the tick values.
    static func draw(
        _ doc: inout SVGDocument, title: String, xLabel: String, yLabel: String, xs: PlotScale?,
        ys: PlotScale, box: (left: Double, top: Double, right: Double, bottom: Double),
        xTickLabels: [String]? = nil
    ) {
        // Centred over the plot, unless that would run off the left edge (a long title beside a wide legend).
        let centre = (box.left + box.right) / 2
        if centre - textWidth(title, size: 15) / 2 >= 8 {
            doc.text(title, x: centre, y: 24, size: 15, anchor: .middle, weight: "bold")
        } else {
            doc.text(title, x: 8, y: 24, size: 15, anchor: .start, weight: "bold")
        }
        for t in ys.ticks {
            let y = ys(t)
            doc.line(box.left, y, box.right, y, stroke: "#e3e3e3")
            doc.line(box.left - 5, y, box.left, y, stroke: "#333333")
            doc.text(PlotScale.label(t), x: box.left - 8, y: y + 4, size: 11, anchor: .end)
        }
        if let xs {
            for (i, t) in xs.ticks.enumerated() {
                let x = xs(t)
                doc.line(x, box.top, x, box.bottom, stroke: "#eeeeee")
                doc.line(x, box.bottom, x, box.bottom + 5, stroke: "#333333")
                let label = xTickLabels.map { i < $0.count ? $0[i] : "" } ?? PlotScale.label(t)
                doc.text(label, x: x, y: box.bottom + 18, size: 11, anchor: .middle)
            }
        }
        doc.line(box.left, box.bottom, box.right, box.bottom, stroke: "#333333", width: 1.2)
        doc.line(box.left, box.top, box.left, box.bottom, stroke: "#333333", width: 1.2)
        doc.text(xLabel, x: (box.left + box.right) / 2, y: box.bottom + 40, size: 13, anchor: .middle)
        let cy = (box.top + box.bottom) / 2
        doc.text(yLabel, x: 18, y: cy, size: 13, anchor: .middle, rotate: -90)
    }

    /// The mark of an axis that does not start at zero: two slanted strokes across the axis line near its origin,
    /// on a white gap (the usual broken-axis sign).
    static func breakMark(_ doc: inout SVGDocument, vertical: Bool, at p: (x: Double, y: Double)) {
        if vertical {
            doc.rect(p.x - 7, p.y - 6, 14, 8, fill: "#ffffff")
            doc.line(p.x - 7, p.y - 2, p.x + 7, p.y - 7, stroke: "#333333", width: 1.2)
            doc.line(p.x - 7, p.y + 3, p.x + 7, p.y - 2, stroke: "#333333", width: 1.2)
        } else {
            doc.rect(p.x - 6, p.y - 7, 8, 14, fill: "#ffffff")
            doc.line(p.x - 7, p.y + 7, p.x - 2, p.y - 7, stroke: "#333333", width: 1.2)
            doc.line(p.x - 2, p.y + 7, p.x + 3, p.y - 7, stroke: "#333333", width: 1.2)
        }
    }

    /// Notes under the chart, one line each, from `y` down (16 px apart).
    static func notes(_ doc: inout SVGDocument, _ lines: [String], x: Double, y: Double) {
        for (i, line) in lines.enumerated() {
            doc.text(line, x: x, y: y + Double(i) * 16, size: 11.5, fill: "#444444")
        }
    }

    /// Lines broken at spaces to at most `width` px of 11.5 px text.
    static func wrap(_ lines: [String], width: Double) -> [String] {
        let limit = max(20, Int(width / (11.5 * 0.575)))
        var out: [String] = []
        for line in lines {
            var current = ""
            for word in line.split(separator: " ") {
                if !current.isEmpty && current.count + 1 + word.count > limit {
                    out.append(current); current = "   " + word
                } else {
                    current += current.isEmpty ? String(word) : " " + word
                }
            }
            if !current.isEmpty { out.append(current) }
        }
        return out
    }

    /// Approximate width of `text` at 11 px (DejaVu Sans averages about 6.3 px per character).
    static func textWidth(_ text: String, size: Double = 11) -> Double { Double(text.count) * size * 0.575 }

    struct LegendEntry {
        var name: String
        var style: SeriesStyle
        /// Draw the line sample (false: a marker or a swatch only).
        var line: Bool = true
        /// Draw the marker (false: a dashed line only, e.g. the Pareto front).
        var marker: Bool = true
        /// A filled square swatch (bar charts).
        var swatch: Bool = false
    }

    /// The legend box's width for these names, between 120 and `maximum` px.
    static func legendWidth(_ entries: [LegendEntry], maximum: Double = 300) -> Double {
        min(maximum, max(120, (entries.map { textWidth($0.name) }.max() ?? 0) + 52))
    }

    static func legend(_ doc: inout SVGDocument, entries: [LegendEntry], x: Double, y: Double, width: Double) {
        guard !entries.isEmpty else { return }
        doc.rect(x - 8, y - 8, width, Double(entries.count) * 20 + 10, fill: "#ffffff", stroke: "#cccccc")
        let room = Int((width - 52) / (11 * 0.575))
        for (i, e) in entries.enumerated() {
            let yy = y + Double(i) * 20 + 6
            if e.swatch {
                doc.rect(x + 4, yy - 6, 14, 12, fill: e.style.color)
            } else {
                if e.line { doc.line(x, yy, x + 26, yy, stroke: e.style.color, width: 2.2, dash: e.style.dash) }
                if e.marker { e.style.marker.draw(&doc, x + 13, yy, r: 4.2, fill: e.style.color) }
            }
            let name = e.name.count > room ? String(e.name.prefix(max(1, room - 1))) + "…" : e.name
            doc.text(name, x: x + 34, y: yy + 4, size: 11)
        }
    }
}
