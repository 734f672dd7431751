/// Where a `HardwareModel` came from: the files read, the `--set` overrides applied, the merged document (so overrides
/// can be applied again), and the source of every resolved value (for `lrsim hw show`).
public struct ModelSource: Sendable, Equatable {
    /// The file asked for, then its base, the base's base, ... (empty for a model built in code).
    public internal(set) var files: [String]
    /// `KEY=VALUE` overrides, in the order applied.
    public internal(set) var overrides: [String]
    /// The merged file document before overrides.
    var document: Table
    /// Every resolved field in schema order, with where its value came from.
    var entries: [ResolvedEntry]

    static let builtIn = ModelSource(files: [], overrides: [], document: Table(), entries: [])

    /// Provenance does not take part in equality (see `HardwareModel.source`).
    public static func == (_: ModelSource, _: ModelSource) -> Bool { true }

    /// The file that names the model (the first of `files`), or `<built-in>`.
    public var mainFile: String { files.first ?? "<built-in>" }

    /// Dotted paths of the fields that took their built-in default.
    public var defaultedFields: [String] { entries.filter { $0.source == .builtin }.map(\.path) }

    /// Where a field's value came from, by dotted path (`stage.array.rows`, `energy.pe.mac`); nil for unknown paths.
    public func source(of field: String) -> ValueSource? { entries.first { $0.path == field }?.source }
}
