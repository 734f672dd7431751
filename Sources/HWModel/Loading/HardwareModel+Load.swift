import Foundation

extension HardwareModel {
    /// The model `lrsim` uses when none is given.
    public static let defaultModelPath = "hwmodels/edge.toml"

    /// Loads a hardware-model file, its `base` chain, then `overrides` (`KEY=VALUE`, as `--set` takes them).
    /// Throws every problem found (`HWModelError.description` is the first, one line).
    public static func load(path: String, overrides: [String] = []) throws(HWModelError) -> HardwareModel {
        var loader = DocumentLoader()
        let document = try loader.load(path: path)
        return try decode(document: document, files: loader.files, overrides: overrides)
    }

    /// Parses a model from TOML text (`file` names it in errors; a `base` is resolved relative to `file`).
    public static func parse(text: String, file: String = "<string>", overrides: [String] = []) throws(HWModelError)
        -> HardwareModel
    {
        var loader = DocumentLoader()
        let canonical = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        let document = try loader.load(text: text, file: file, chain: [canonical])
        return try decode(document: document, files: loader.files, overrides: overrides)
    }

    /// This model with more `KEY=VALUE` overrides (see docs/hwmodel.md for convenience keys such as `pe.rows`,
    /// `formats.activations.bits`, `all_stages.noise.kind`, `energy.dram.read`). Sweeps call this once per point.
    public func applying(overrides more: [String]) throws(HWModelError) -> HardwareModel {
        try HardwareModel.decode(document: sourceDocument, files: source.files, overrides: source.overrides + more)
    }

    /// The document this model decodes from: the merged files, or for a model built in code, its own fields.
    var sourceDocument: Table {
        source.files.isEmpty ? ModelEncoder.document(for: self) : source.document
    }

    /// `applying(overrides:)` from a dictionary, applied in key order (so the result does not depend on hashing).
    public func applying(overrides more: [String: String]) throws(HWModelError) -> HardwareModel {
        try applying(overrides: more.keys.sorted().map { "\($0)=\(more[$0] ?? "")" })
    }

    static func decode(document: Table, files: [String], overrides: [String]) throws(HWModelError) -> HardwareModel {
        var doc = document
        try Overrides.apply(overrides, to: &doc)
        let mainFile = files.first ?? "<built-in>"
        let decoder = ModelDecoder(document: doc, mainFile: mainFile)
        var model = decoder.decode()
        decoder.checkConsistency(model)
        let problems = decoder.context.sortedDiagnostics
        guard problems.isEmpty else { throw HWModelError(problems) }
        model.source = ModelSource(files: files, overrides: overrides, document: document, entries: decoder.context.log)
        return model
    }
}
