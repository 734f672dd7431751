/// The one text-table builder of the terminal output (sim, gemm, fx, sweep and demo summaries): columns padded to
/// their widest cell, two spaces between them, each column aligned left or right.
public struct TextTable: Sendable, Equatable {
    public enum Alignment: Sendable { case left, right }

    public var header: [String]
    public var rows: [[String]] = []
    /// Per column; columns past the end of the list are right-aligned (numbers).
    public var alignment: [Alignment]

    public init(header: [String], alignment: [Alignment] = []) {
        self.header = header
        self.alignment = alignment
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table, one line per row, without trailing spaces and without a final newline.
    public var text: String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for r in all { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return all.map { r in
            var line = ""
            for (i, c) in r.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                if i > 0 { line += "  " }
                line += (i < alignment.count ? alignment[i] : .right) == .left ? c + pad : pad + c
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
