/// Where a resolved value came from, for `lrsim hw show`'s marks.
public enum ValueSource: Sendable, Hashable {
    /// Written in a file or given with `--set`.
    case explicit(Origin)
    /// Taken from the `[stage]` template (a `[stages.NAME]` value not written).
    case template
    /// The built-in default.
    case builtin
    /// Taken from a named preset (`[dram] preset = "lpddr4-3200"`).
    case preset(String)
}

/// One resolved field, in schema order: what `show` prints.
struct ResolvedEntry: Sendable, Equatable {
    /// Dotted path of the table (`stage.array`; empty for top-level keys).
    var table: String
    var key: String
    var literal: Literal
    var source: ValueSource
    var path: String { table.isEmpty ? key : "\(table).\(key)" }
}

/// Collects problems, sources and the resolved-value log while a model decodes. Decoding goes on after a problem (with
/// the fallback value) so that `hw check` can list every problem of a file at once.
final class DecodeContext {
    var diagnostics: [HWDiagnostic] = []
    var log: [ResolvedEntry] = []
    /// Source of every resolved field by dotted path.
    var sources: [String: ValueSource] = [:]
    /// Where each table was defined, by dotted path (for problems about a whole table such as `stages.NAME`).
    var tableOrigins: [String: Origin] = [:]
    /// The file being decoded (names problems that have no better place).
    let mainFile: String

    init(mainFile: String) { self.mainFile = mainFile }

    func problem(_ origin: Origin, _ field: String, _ message: String) {
        diagnostics.append(HWDiagnostic(origin: origin, field: field, message: message))
    }

    func record(table: String, key: String, literal: Literal, source: ValueSource) {
        let entry = ResolvedEntry(table: table, key: key, literal: literal, source: source)
        log.append(entry)
        sources[entry.path] = source
    }

    /// The origin of an explicitly given field, or nil.
    func origin(of path: String) -> Origin? {
        if case .explicit(let o)? = sources[path] { return o }
        return nil
    }

    /// The best place to report a problem about `paths`: a `--set` override among them (the change that caused it), else
    /// the first one written in a file, else the main file.
    func place(_ paths: String...) -> Origin {
        for p in paths { if case .override? = origin(of: p) { return origin(of: p) ?? .builtin } }
        for p in paths { if let o = origin(of: p) ?? tableOrigins[p] { return o } }
        return .file(path: mainFile, line: 0)
    }

    /// Problems in a stable order: by file, then line; `--set` problems last.
    var sortedDiagnostics: [HWDiagnostic] {
        func key(_ d: HWDiagnostic) -> (Int, String, Int) {
            switch d.origin {
            case let .file(path, line): return (path == mainFile ? 0 : 1, path, line)
            case let .override(arg): return (2, arg, 0)
            case .builtin: return (3, "", 0)
            }
        }
        return diagnostics.enumerated().sorted { a, b in
            let ka = key(a.element), kb = key(b.element)
            if ka != kb { return ka < kb }
            return a.offset < b.offset
        }.map(\.element)
    }
}
