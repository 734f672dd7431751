import Foundation
import LRIO
import TOMLKit

/// Reads hardware-model files into one merged `Node` tree: parses with TOMLKit (toml++), indexes key lines, follows
/// `base = "other.toml"` (relative to the file that names it) and lays the file over its base.
struct DocumentLoader {
    /// Files loaded, outermost first (the file asked for, then its base, then the base's base ...).
    private(set) var files: [String] = []

    /// Parses TOML text; `file` names it in errors.
    static func parse(text: String, file: String) throws(HWModelError) -> Table {
        if let problem = TOMLPreflight.check(text) {
            throw HWModelError(
                origin: .file(path: file, line: problem.line), field: "",
                message: "TOML syntax error: \(problem.message)", column: problem.column)
        }
        let parsed: TOMLTable
        do {
            parsed = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw HWModelError(
                origin: .file(path: file, line: error.source.begin.line), field: "",
                message: "TOML syntax error: \(error.description)", column: error.source.begin.column)
        } catch {
            throw HWModelError(origin: .file(path: file, line: 0), field: "", message: "TOML syntax error: \(error)")
        }
        let lines = KeyLineIndex(text: text)
        return Node(parsed, path: "", file: file, lines: lines).table ?? Table()
    }

    /// Loads `path` and its chain of bases; `chain` holds the canonical paths of the files that (transitively) name this
    /// one as their base.
    mutating func load(path: String, chain: [String] = [], requestedAt: Origin? = nil) throws(HWModelError) -> Table {
        let canonical = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if let requestedAt, chain.contains(canonical) {
            let cycle = (chain + [canonical]).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(
                separator: " -> ")
            throw HWModelError(
                origin: requestedAt, field: "base",
                message: "expected a chain of base files without cycles, got \(cycle)")
        }
        func unreadable(_ reason: String) -> HWModelError {
            if let requestedAt {
                return HWModelError(
                    origin: requestedAt, field: "base",
                    message: "expected a readable hardware-model file, got '\(path)' (\(reason))")
            }
            return HWModelError(
                origin: .file(path: path, line: 0), field: "",
                message: "expected a readable hardware-model file (\(reason))")
        }
        let data: Data
        do { data = try InputFile.read(path, limit: Self.maximumFileBytes) } catch {
            throw unreadable(error.isMissing ? "no such file" : error.problem)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw unreadable("could not read it as UTF-8 text")
        }
        return try load(text: text, file: path, chain: chain + [canonical])
    }

    /// Larger than any hand-written model by far (the shipped ones are 5-10 KB); refused before reading.
    static let maximumFileBytes: UInt64 = 16 << 20

    /// Parses `text` (named `file` in errors) and lays it over its `base` chain; `chain` holds the canonical paths of the
    /// files that (transitively) name this one as their base, this one included.
    mutating func load(text: String, file: String, chain: [String]) throws(HWModelError) -> Table {
        files.append(file)
        var table = try DocumentLoader.parse(text: text, file: file)
        guard let baseNode = table["base"] else { return table }
        table["base"] = nil
        guard case .string(let baseName) = baseNode.value, !baseName.isEmpty else {
            throw HWModelError(
                origin: baseNode.origin, field: "base",
                message: "expected the path of another hardware-model file (a string), got \(baseNode.described)")
        }
        let base = try load(
            path: DocumentLoader.resolve(baseName, relativeTo: file), chain: chain,
            requestedAt: baseNode.origin)
        return DocumentLoader.merge(base: base, over: table)
    }

    /// `name` relative to the directory of `file`, keeping relative paths relative (so messages read as typed).
    static func resolve(_ name: String, relativeTo file: String) -> String {
        if name.hasPrefix("/") { return name }
        let dir = (file as NSString).deletingLastPathComponent
        return dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
    }

    /// `over` laid on `base`: tables merge key by key, other values replace; `energy` entries accumulate (later files
    /// override earlier ones action by action).
    static func merge(base: Table, over: Table, path: String = "") -> Table {
        var out = base
        for (key, node) in over.entries {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            switch (base[key]?.value, node.value) {
            case (.table(let b)?, .table(let o)):
                out[key] = Node(value: .table(merge(base: b, over: o, path: childPath)), origin: node.origin)
            case (.array(let b)?, .array(let o)) where childPath == "energy":
                out[key] = Node(value: .array(b + o), origin: node.origin)
            default:
                out[key] = node
            }
        }
        return out
    }
}
