import Foundation

/// A resolved value as `lrsim hw show` prints it, in TOML or JSON.
indirect enum Literal: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case array([Literal])
    /// An inline table, keys in the order given.
    case table([(String, Literal)])

    static func == (a: Literal, b: Literal) -> Bool { a.toml == b.toml }

    /// TOML spelling (inline tables for nested tables).
    var toml: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return Literal.format(d)
        case .string(let s): return Literal.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .array(let items): return "[" + items.map(\.toml).joined(separator: ", ") + "]"
        case .table(let pairs):
            return pairs.isEmpty ? "{}" : "{ " + pairs.map { "\($0.0) = \($0.1.toml)" }.joined(separator: ", ") + " }"
        }
    }

    /// A Foundation object for JSONSerialization.
    var json: Any {
        switch self {
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .bool(let b): return b
        case .array(let items): return items.map(\.json)
        case .table(let pairs):
            var out: [String: Any] = [:]
            for (k, v) in pairs { out[k] = v.json }
            return out
        }
    }

    /// Shortest round-tripping spelling that TOML reads as a float (always with `.` or an exponent).
    static func format(_ d: Double) -> String {
        var s = "\(d)"
        if s.contains("e") && !s.contains(".") {
            s = s.replacingOccurrences(of: "e", with: ".0e")
        } else if !s.contains(".") && !s.contains("e") && !s.contains("n") && !s.contains("i") {
            s += ".0"
        }
        return s
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += String(format: "\\u%04X", c.value)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
