import Foundation

/// A minimal SVG builder: elements appended as text, attributes escaped, numbers printed with fixed precision so the
/// same chart is the same bytes.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) { self.width = width; self.height = height }

    /// `<svg>` with a white background (charts stay readable when opened alone or rendered to PNG).
    public var text: String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" "
        s +=
            "viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, "
            + "sans-serif\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"#ffffff\"/>\n"
        for e in body { s += e + "\n" }
        return s + "</svg>\n"
    }

    public mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width w: Double = 1,
        dash: String? = nil
    ) {
        body.append(
            "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" "
                + "stroke=\"\(stroke)\" stroke-width=\"\(Self.n(w))\""
                + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
    }

    public mutating func polyline(
        _ points: [(Double, Double)], stroke: String, width w: Double = 2, dash: String? = nil
    ) {
        guard points.count >= 2 else { return }
        let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append(
            "<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(w))\" "
                + "stroke-linejoin=\"round\""
                + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
    }

    public mutating func rect(
        _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
        title: String? = nil
    ) {
        let open =
            "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0, w)))\" "
            + "height=\"\(Self.n(max(0, h)))\" fill=\"\(fill)\""
            + (stroke.map { " stroke=\"\($0)\"" } ?? "")
        body.append(title.map { open + "><title>\(Self.escape($0))</title></rect>" } ?? open + "/>")
    }

    public mutating func circle(
        _ cx: Double, _ cy: Double, r: Double, fill: String, stroke: String? = nil,
        strokeWidth: Double = 1, title: String? = nil
    ) {
        let open =
            "<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\""
            + (stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.n(strokeWidth))\"" } ?? "")
        body.append(title.map { open + "><title>\(Self.escape($0))</title></circle>" } ?? open + "/>")
    }

    public mutating func polygon(
        _ points: [(Double, Double)], fill: String, stroke: String? = nil, strokeWidth: Double = 1,
        title: String? = nil
    ) {
        let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        let open =
            "<polygon points=\"\(p)\" fill=\"\(fill)\""
            + (stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.n(strokeWidth))\"" } ?? "")
        body.append(title.map { open + "><title>\(Self.escape($0))</title></polygon>" } ?? open + "/>")
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    public mutating func text(
        _ s: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
        weight: String? = nil, rotate: Double? = nil, fill: String = "#222222"
    ) {
        var a =
            "x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\" "
            + "fill=\"\(fill)\""
        if let weight { a += " font-weight=\"\(weight)\"" }
        if let rotate { a += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        body.append("<text \(a)>\(Self.escape(s))</text>")
    }

    /// Numbers with at most two decimals, no trailing zeros.
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 100).rounded() / 100
        if r == r.rounded() { return String(Int64(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
