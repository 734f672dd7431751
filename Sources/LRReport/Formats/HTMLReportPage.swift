import Foundation

/// One self-contained HTML page: a title, an introduction, sections of inline SVG charts with captions, and tables.
/// No scripts, no external files: it opens anywhere, offline.
public struct HTMLReportPage: Sendable {
    public enum Block: Sendable {
        case paragraph(String)
        case chart(svg: String, caption: String)
        case table(header: [String], rows: [[String]])
        case preformatted(String)
    }

    public var title: String
    public var sections: [(heading: String, blocks: [Block])] = []

    public init(title: String) { self.title = title }

    public mutating func add(_ heading: String, _ blocks: [Block]) { sections.append((heading, blocks)) }

    public var html: String {
        let e = SVGDocument.escape
        var s = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(e(title))</title>
            <style>
            body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1420px;color:#222;padding:0 16px}
            h1{font-size:24px}h2{font-size:19px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
            figure{display:inline-block;margin:8px 12px 16px 0;vertical-align:top}figcaption{font-size:13px;color:#555;max-width:660px}
            .table{overflow-x:auto;margin:8px 0 20px 0}table{border-collapse:collapse;font-size:13px;width:max-content}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
            th{background:#f3f3f3;vertical-align:bottom;max-width:160px}td{white-space:nowrap}
            td:first-child,th:first-child,td.text{text-align:left}pre{background:#f7f7f7;padding:8px;font-size:12px;overflow-x:auto}
            </style></head><body>
            <h1>\(e(title))</h1>

            """
        for (heading, blocks) in sections {
            s += "<h2>\(e(heading))</h2>\n"
            for b in blocks {
                switch b {
                case .paragraph(let t): s += "<p>\(e(t))</p>\n"
                case .chart(let svg, let caption):
                    s += "<figure>\n\(svg)<figcaption>\(e(caption))</figcaption></figure>\n"
                case .table(let header, let rows):
                    // Headers may break after a dot or an underscore (long metric names); cells never wrap, and a
                    // table wider than the page scrolls inside its own box.
                    func breakable(_ h: String) -> String {
                        e(h).replacingOccurrences(of: ".", with: ".<wbr>").replacingOccurrences(of: "_", with: "_<wbr>")
                    }
                    s +=
                        "<div class=\"table\"><table><tr>" + header.map { "<th>\(breakable($0))</th>" }.joined()
                        + "</tr>\n"
                    // Numbers align right, text left.
                    for r in rows {
                        s +=
                            "<tr>"
                            + r.map {
                                Double($0) == nil && !$0.isEmpty
                                    ? "<td class=\"text\">\(e($0))</td>" : "<td>\(e($0))</td>"
                            }.joined() + "</tr>\n"
                    }
                    s += "</table></div>\n"
                case .preformatted(let t): s += "<pre>\(e(t))</pre>\n"
                }
            }
        }
        return s + "</body></html>\n"
    }
}
