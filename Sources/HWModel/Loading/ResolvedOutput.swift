import Foundation

extension HardwareModel {
    /// The fully resolved model as TOML that loads back to an equal model. Values that took their built-in default end in
    /// `# default`; values a `[stages.NAME]` table inherits from `[stage]` end in `# from [stage]`; values a `[dram]`
    /// preset gives end in `# from preset "NAME"`.
    public func resolvedTOML() -> String {
        var out = "# Resolved hardware model '\(name)'"
        if !source.files.isEmpty { out += " from \(source.files.joined(separator: " <- base "))" }
        out += "\n"
        if !source.overrides.isEmpty { out += "# overrides: \(source.overrides.joined(separator: " "))\n" }
        out +=
            "# '# default' marks built-in defaults; '# from [stage]' marks values inherited from the [stage] template.\n"
        let entries = resolvedEntries
        if entries.contains(where: { if case .preset = $0.source { return true } else { return false } }) {
            out += "# '# from preset \"NAME\"' marks values the [dram] preset gives.\n"
        }
        var tables: [String] = []
        var byTable: [String: [ResolvedEntry]] = [:]
        for e in entries {
            if byTable[e.table] == nil { tables.append(e.table) }
            byTable[e.table, default: []].append(e)
        }
        for e in byTable[""] ?? [] { out += line(e) }
        if let energy = byTable["energy"] {
            out += "energy = [\n"
            for e in energy {
                let parts = e.key.split(separator: ".", maxSplits: 1).map(String.init)
                let entry = Literal.table([
                    ("component", .string(parts.first ?? "")), ("action", .string(parts.last ?? "")),
                    ("energy_pj", e.literal),
                ])
                out += "  \(entry.toml),\(mark(e.source))\n"
            }
            out += "]\n"
        }
        for table in tables where table != "" && table != "energy" {
            out +=
                "\n[\(table.split(separator: ".").map { HardwareModel.tomlKey(String($0)) }.joined(separator: "."))]\n"
            for e in byTable[table] ?? [] { out += line(e) }
        }
        return out
    }

    /// The resolved model as JSON: `model` (nested tables, `energy` by `component.action`), `defaults` (dotted paths
    /// that took their built-in default), `files`, `overrides`. Keys sorted, so the output is byte-stable.
    public func resolvedJSON() -> String {
        var model: [String: Any] = [:]
        let entries = resolvedEntries
        for e in entries {
            let path = e.table.isEmpty ? [] : e.table.split(separator: ".").map(String.init)
            HardwareModel.insert(e.literal.json, at: path + [e.key], into: &model)
        }
        let object: [String: Any] = [
            "model": model,
            "defaults": entries.filter { $0.source == .builtin }.map(\.path),
            "files": source.files,
            "overrides": source.overrides,
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else { return "{}" }
        return text + "\n"
    }

    /// The resolved-field log: recorded at load time, or for a model built in code, from decoding its own fields.
    var resolvedEntries: [ResolvedEntry] {
        if !source.entries.isEmpty { return source.entries }
        return (try? HardwareModel.decode(document: sourceDocument, files: [], overrides: []))?.source.entries ?? []
    }

    private func line(_ e: ResolvedEntry) -> String {
        "\(HardwareModel.tomlKey(e.key)) = \(e.literal.toml)\(mark(e.source))\n"
    }

    private func mark(_ source: ValueSource) -> String {
        switch source {
        case .builtin: return "  # default"
        case .template: return "  # from [stage]"
        case .preset(let name): return "  # from preset \"\(name)\""
        case .explicit: return ""
        }
    }

    /// A key as TOML spells it: bare when it can be, quoted otherwise.
    static func tomlKey(_ key: String) -> String {
        let bare =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
        return bare ? key : Literal.quote(key)
    }

    private static func insert(_ value: Any, at path: [String], into object: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 { object[head] = value; return }
        var child = object[head] as? [String: Any] ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &child)
        object[head] = child
    }
}

/// One field whose resolved value differs between two models.
public struct FieldDifference: Sendable, Equatable, CustomStringConvertible {
    /// Dotted path (`stage.buffers.inputs.capacity_bytes`, `energy.pe.mac`).
    public var field: String
    /// Values as TOML spells them; nil when the field exists in only one model (a named stage).
    public var old: String?
    public var new: String?
    public var description: String { "\(field): \(old ?? "(absent)") -> \(new ?? "(absent)")" }
}

extension HardwareModel {
    /// The resolved fields whose values differ in `other` (`old` is this model's value, `new` the other's), in schema
    /// order: what `lrsim hw diff A B` prints.
    public func differences(to other: HardwareModel) -> [FieldDifference] {
        let mine = resolvedEntries, theirs = other.resolvedEntries
        let theirValues = Dictionary(theirs.map { ($0.path, $0.literal.toml) }, uniquingKeysWith: { a, _ in a })
        let myValues = Dictionary(mine.map { ($0.path, $0.literal.toml) }, uniquingKeysWith: { a, _ in a })
        var out: [FieldDifference] = []
        for e in mine {
            let t = theirValues[e.path]
            if t != e.literal.toml { out.append(FieldDifference(field: e.path, old: e.literal.toml, new: t)) }
        }
        for e in theirs where myValues[e.path] == nil {
            out.append(FieldDifference(field: e.path, old: nil, new: e.literal.toml))
        }
        return out
    }
}
