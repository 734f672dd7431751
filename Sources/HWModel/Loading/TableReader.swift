/// Reads the fields of one TOML table into typed values: each read checks type and range, records where the value came
/// from, and marks the key as known; `finish()` then reports every key nobody read as unknown, with a near-miss hint.
final class TableReader {
    let context: DecodeContext
    /// Dotted path of this table (`stage.array`).
    let path: String
    /// The table's entries (empty when the file does not have it).
    let table: Table
    /// Where the table is defined (for problems about the table as a whole).
    let origin: Origin
    /// For `[stages.NAME]` tables: the matching `[stage]` path, whose values are the fallbacks.
    let templatePath: String?
    private(set) var known: [String] = []
    /// Explanations for keys that are unknown on purpose (`workload` in a hardware model), by key.
    var unknownKeyExplanations: [String: String] = [:]

    init(context: DecodeContext, path: String, table: Table, origin: Origin, templatePath: String? = nil) {
        self.context = context; self.path = path; self.table = table; self.origin = origin
        self.templatePath = templatePath
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the table itself has `key` (not inherited).
    func has(_ key: String) -> Bool { table[key] != nil }

    /// The origin of `key` if present, else of the table.
    func origin(of key: String) -> Origin { table[key]?.origin ?? origin }

    /// The sub-table `key` (an empty reader if absent; a problem if present but not a table). `inheriting` names the
    /// template table whose values it falls back to (`stage` for `stages.NAME`); by default, the template's own sub-table.
    func table(_ key: String, inheriting template: String? = nil) -> TableReader {
        known.append(key)
        let templateChild = template ?? templatePath.map { "\($0).\(key)" }
        guard let node = table[key] else {
            return TableReader(
                context: context, path: field(key), table: Table(), origin: origin, templatePath: templateChild)
        }
        context.tableOrigins[field(key)] = node.origin
        guard case .table(let t) = node.value else {
            context.problem(node.origin, field(key), "expected a table, got \(node.described)")
            return TableReader(
                context: context, path: field(key), table: Table(), origin: node.origin,
                templatePath: templateChild)
        }
        return TableReader(
            context: context, path: field(key), table: t, origin: node.origin, templatePath: templateChild)
    }

    /// Marks `key` as known without reading it (for sections decoded by hand).
    func claim(_ key: String) { known.append(key) }

    /// Reads `key` with `parse`, falling back to `fallback` when absent or invalid. `fallbackSource` says where the
    /// fallback comes from when it is not the built-in default (a `[dram]` preset).
    func read<T>(
        _ key: String, fallback: T, fallbackSource: ValueSource = .builtin, literal: (T) -> Literal,
        parse: (Node) -> Result<T, Rejection>
    ) -> T {
        known.append(key)
        guard let node = table[key] else {
            var source = fallbackSource
            if let templatePath, let s = context.sources["\(templatePath).\(key)"], s != .builtin { source = .template }
            context.record(table: path, key: key, literal: literal(fallback), source: source)
            return fallback
        }
        switch parse(node) {
        case .success(let value):
            context.record(table: path, key: key, literal: literal(value), source: .explicit(node.origin))
            return value
        case .failure(let rejection):
            context.problem(node.origin, field(key), rejection.message)
            context.record(table: path, key: key, literal: literal(fallback), source: .explicit(node.origin))
            return fallback
        }
    }

    /// Reports keys of the table that no read asked for.
    func finish() {
        for key in table.keys where !known.contains(key) {
            let node = table[key]
            let message: String
            if let why = unknownKeyExplanations[key] {
                message = "unknown key; \(why)"
            } else if let near = Suggestion.nearest(to: key, in: known) {
                message = "unknown key; did you mean '\(field(near))'?"
            } else {
                message = "unknown key; expected one of \(known.joined(separator: ", "))"
            }
            context.problem(node?.origin ?? origin, field(key), message)
        }
    }
}

/// Why a value was rejected: the `expected ..., got ...` text.
struct Rejection: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
