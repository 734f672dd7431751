import Foundation
import LRIO

/// A CSV table (RFC 4180 quoting: fields with commas, quotes or newlines are quoted, quotes doubled).
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) { self.header = header; self.rows = rows }

    public mutating func append(_ row: [String]) { rows.append(row) }

    public var text: String {
        var out = ""
        func line(_ fields: [String]) {
            out += fields.map(Self.quote).joined(separator: ",")
            out += "\n"
        }
        line(header)
        for r in rows { line(r) }
        return out
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public func write(to path: String) throws { try AtomicFile.write(text, to: path) }
}
