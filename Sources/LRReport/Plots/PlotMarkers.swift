/// How a series is told apart besides its colour: a marker shape and a dash pattern, so series that lie on top of each
/// other (or a page printed in grey) stay distinguishable. By default (`SeriesStyle.default(i)`) series i gets colour
/// i mod 10, shape i mod 6 and dash i mod 5, so neighbours in a legend differ in all three.
public enum MarkerShape: String, Sendable, CaseIterable {
    case circle, square, triangle, diamond, triangleDown, cross

    /// Draws the marker centred at (x, y) with "radius" r.
    func draw(
        _ doc: inout SVGDocument, _ x: Double, _ y: Double, r: Double, fill: String, stroke: String = "#ffffff",
        title: String? = nil
    ) {
        switch self {
        case .circle:
            doc.circle(x, y, r: r, fill: fill, stroke: stroke, title: title)
        case .square:
            let s = r * 0.9
            doc.polygon(
                [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)], fill: fill, stroke: stroke,
                title: title)
        case .triangle:
            doc.polygon(
                [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.75), (x - r * 1.1, y + r * 0.75)], fill: fill,
                stroke: stroke, title: title)
        case .triangleDown:
            doc.polygon(
                [(x, y + r * 1.2), (x + r * 1.1, y - r * 0.75), (x - r * 1.1, y - r * 0.75)], fill: fill,
                stroke: stroke, title: title)
        case .diamond:
            let s = r * 1.25
            doc.polygon([(x, y - s), (x + s, y), (x, y + s), (x - s, y)], fill: fill, stroke: stroke, title: title)
        case .cross:
            let a = r * 0.45, b = r * 1.15
            doc.polygon(
                [
                    (x - a, y - b), (x + a, y - b), (x + a, y - a), (x + b, y - a), (x + b, y + a), (x + a, y + a),
                    (x + a, y + b), (x - a, y + b), (x - a, y + a), (x - b, y + a), (x - b, y - a), (x - a, y - a),
                ],
                fill: fill, stroke: stroke, title: title)
        }
    }
}

/// A series' colour, marker and line dash.
public struct SeriesStyle: Sendable, Equatable {
    public var color: String
    public var marker: MarkerShape
    /// SVG stroke-dasharray (nil: solid).
    public var dash: String?

    public init(color: String, marker: MarkerShape, dash: String?) {
        self.color = color; self.marker = marker; self.dash = dash
    }

    public static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf",
    ]
    public static let dashes: [String?] = [nil, "7 4", "2 3", "10 3 2 3", "4 2"]

    /// The style of series number i.
    public static func `default`(_ i: Int) -> SeriesStyle {
        let shapes = MarkerShape.allCases
        return SeriesStyle(
            color: palette[i % palette.count], marker: shapes[i % shapes.count], dash: dashes[i % dashes.count])
    }
}
