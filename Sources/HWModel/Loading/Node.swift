import TOMLKit

/// A parsed TOML value with the place it came from: the loader's own tree, so that `base` files and `--set` overrides can
/// be merged before decoding while every value keeps its file and line.
struct Node: Sendable, Equatable {
    indirect enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        /// A date or time (never valid in a hardware model; kept to report it).
        case dateTime(String)
        case array([Node])
        case table(Table)
        /// Untyped text from a `--set KEY=VALUE` override: the schema decides how to read it.
        case text(String)
    }

    var value: Value
    var origin: Origin

    /// The table's entries, if this is a table.
    var table: Table? {
        if case .table(let t) = value { return t }
        return nil
    }

    /// How a value is named in `got ...` messages: `integer 0`, `string "wss"`.
    var described: String {
        switch value {
        case .string(let s): return "string \"\(s)\""
        case .int(let i): return "integer \(i)"
        case .double(let d): return "float \(d)"
        case .bool(let b): return "boolean \(b)"
        case .dateTime(let s): return "date-time \(s)"
        case .array(let a): return "an array of \(a.count)"
        case .table: return "a table"
        case .text(let s): return "'\(s)'"
        }
    }
}

/// A TOML table: keys to nodes. Key order is not significant (toml++ sorts keys); pipeline order comes from arrays.
struct Table: Sendable, Equatable {
    var entries: [String: Node] = [:]
    subscript(key: String) -> Node? {
        get { entries[key] }
        set { entries[key] = newValue }
    }
    var keys: [String] { entries.keys.sorted() }
}

extension Node {
    /// Converts a TOMLKit value, taking each value's line from `lines` (keyed by dotted path, arrays as `a[0]`).
    init(_ value: TOMLValueConvertible, path: String, file: String, lines: KeyLineIndex) {
        let origin = Origin.file(path: file, line: lines.line(of: path))
        switch value.type {
        case .table:
            var table = Table()
            if let t = value.table {
                for (key, child) in t {
                    let childPath = path.isEmpty ? key : "\(path).\(key)"
                    table[key] = Node(child, path: childPath, file: file, lines: lines)
                }
            }
            self.init(value: .table(table), origin: origin)
        case .array:
            var items: [Node] = []
            if let a = value.array {
                for i in a.indices {
                    items.append(Node(a[i], path: "\(path)[\(i)]", file: file, lines: lines))
                }
            }
            self.init(value: .array(items), origin: origin)
        case .string: self.init(value: .string(value.string ?? ""), origin: origin)
        case .int: self.init(value: .int(value.int ?? 0), origin: origin)
        case .double: self.init(value: .double(value.double ?? 0), origin: origin)
        case .bool: self.init(value: .bool(value.bool ?? false), origin: origin)
        case .date, .time, .dateTime: self.init(value: .dateTime(value.tomlValue.debugDescription), origin: origin)
        }
    }
}
