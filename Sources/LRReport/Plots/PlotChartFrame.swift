/// The parts every chart shares: title, plot box, grid, ticks, tick labels, axis labels, legend.
enum ChartFrame {
    static func draw(
        _ doc: inout SVGDocument, title: String, xLabel: String, yLabel: String, xs: PlotScale?,
        ys: PlotScale, box: (left: Double, top: Double, right: Double, bottom: Double)
    ) {
        doc.text(title, x: (box.left + box.right) / 2, y: 24, size: 15, anchor: .middle, weight: "bold")
        for t in ys.ticks {
            let y = ys(t)
            doc.line(box.left, y, box.right, y, stroke: "#e3e3e3")
            doc.line(box.left - 5, y, box.left, y, stroke: "#333333")
            doc.text(PlotScale.label(t), x: box.left - 8, y: y + 4, size: 11, anchor: .end)
        }
        if let xs {
            for t in xs.ticks {
                let x = xs(t)
                doc.line(x, box.top, x, box.bottom, stroke: "#eeeeee")
                doc.line(x, box.bottom, x, box.bottom + 5, stroke: "#333333")
                doc.text(PlotScale.label(t), x: x, y: box.bottom + 18, size: 11, anchor: .middle)
            }
        }
        doc.line(box.left, box.bottom, box.right, box.bottom, stroke: "#333333", width: 1.2)
        doc.line(box.left, box.top, box.left, box.bottom, stroke: "#333333", width: 1.2)
        doc.text(xLabel, x: (box.left + box.right) / 2, y: box.bottom + 42, size: 13, anchor: .middle)
        let cy = (box.top + box.bottom) / 2
        doc.text(yLabel, x: 20, y: cy, size: 13, anchor: .middle, rotate: -90)
    }

    static func legend(
        _ doc: inout SVGDocument, entries: [(name: String, color: String, dashed: Bool)], x: Double, y: Double
    ) {
        guard !entries.isEmpty else { return }
        doc.rect(x - 8, y - 8, 176, Double(entries.count) * 20 + 10, fill: "#ffffff", stroke: "#cccccc")
        for (i, e) in entries.enumerated() {
            let yy = y + Double(i) * 20 + 6
            doc.line(x, yy, x + 22, yy, stroke: e.color, width: 2.5, dash: e.dashed ? "6 4" : nil)
            if !e.dashed { doc.circle(x + 11, yy, r: 4, fill: e.color) }
            let name = e.name.count > 22 ? String(e.name.prefix(21)) + "…" : e.name
            doc.text(name, x: x + 30, y: yy + 4, size: 11)
        }
    }
}
