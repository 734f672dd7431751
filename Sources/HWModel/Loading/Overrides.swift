import FixedPoint
import Foundation

/// `--set KEY=VALUE` overrides, applied to the merged document before decoding, so that the schema types the value and
/// every problem names the `--set` argument.
///
/// Besides any field's dotted path (`clock.hz=8e8`, `stage.array.rows=32`, `stages.front.noise.kind=lfsr`), sweeps use
/// convenience keys:
/// - `all_stages.PATH=V` sets `stage.PATH` and `stages.NAME.PATH` for every defined stage; `pe.KEY=V` is
///   `all_stages.array.KEY=V` (`pe.rows`, `pe.cols`, `pe.dataflow`, `pe.lanes`, `pe.kind`).
/// - `formats.SIGNAL.bits=W` changes a format's width keeping its integer bits (`s4.12` with bits=8 -> `s4.4`);
///   `formats.SIGNAL.frac_bits=F` and `formats.SIGNAL.int_bits=I` change one part; `formats.SIGNAL.signed=true|false`.
/// - `formats.all.rounding=M`, `formats.all.overflow=O` (and `formats.all.bits`, ...) apply to every signal;
///   `formats.stored.KEY=V` to every signal written back to memory (all but the MAC-internal `products` and
///   `accumulators`): where hardware applies stochastic rounding, once per stored value rather than per product.
/// - `energy.COMPONENT.ACTION=PJ` sets one energy-table entry (`energy.dram.read=20`).
enum Overrides {
    static let formatConvenienceKeys = ["bits", "int_bits", "frac_bits", "signed"]

    static func apply(_ arguments: [String], to document: inout Table) throws(HWModelError) {
        for argument in arguments { try apply(argument, to: &document) }
    }

    static func apply(_ argument: String, to document: inout Table) throws(HWModelError) {
        let origin = Origin.override(argument)
        guard let eq = argument.firstIndex(of: "=") else {
            throw HWModelError(
                origin: origin, field: "", message: "expected KEY=VALUE (for example pe.rows=32), got no '='")
        }
        let key = argument[..<eq].trimmingCharacters(in: .whitespaces)
        let text = argument[argument.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        var path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, !path.contains(where: \.isEmpty) else {
            throw HWModelError(
                origin: origin, field: key, message: "expected a dotted key such as stage.array.rows, got '\(key)'")
        }
        let value = try node(text, origin: origin, field: key)
        if path[0] == "base" {
            throw HWModelError(
                origin: origin, field: key,
                message: "expected a field of the model (base can only be set in a file), got 'base'")
        }
        if path[0] == "pe" { path = ["all_stages", "array"] + path.dropFirst() }
        if path[0] == "all_stages" {
            guard path.count >= 2 else {
                throw HWModelError(
                    origin: origin, field: key,
                    message: "expected all_stages.PATH (for example all_stages.array.rows), got '\(key)'")
            }
            let rest = Array(path.dropFirst())
            try set(value, at: ["stage"] + rest, in: &document, field: key)
            for name in document["stages"]?.table?.keys ?? [] {
                try set(value, at: ["stages", name] + rest, in: &document, field: key)
            }
            return
        }
        if path[0] == "energy" {
            guard path.count == 3 else {
                throw HWModelError(
                    origin: origin, field: key,
                    message: "expected energy.COMPONENT.ACTION (for example energy.pe.mac), got '\(key)'")
            }
            let entry = Node(
                value: .table(
                    Table(entries: [
                        "component": Node(value: .string(path[1]), origin: origin),
                        "action": Node(value: .string(path[2]), origin: origin),
                        "energy_pj": value,
                    ])), origin: origin)
            var items: [Node] = []
            if let existing = document["energy"] {
                guard case .array(let a) = existing.value else {
                    throw HWModelError(
                        origin: origin, field: key,
                        message: "expected the model's energy to be an array, got \(existing.described)")
                }
                items = a
            }
            document["energy"] = Node(value: .array(items + [entry]), origin: origin)
            return
        }
        if path.count == 3, path[0] == "formats",
            formatConvenienceKeys.contains(path[2]) || path[1] == "all" || path[1] == "stored"
        {
            let signals: [String] =
                switch path[1] {
                case "all": Signal.allCases.map(\.rawValue)
                case "stored": Signal.stored.map(\.rawValue)
                default: [path[1]]
                }
            for signal in signals {
                if formatConvenienceKeys.contains(path[2]) {
                    try setFormatPart(path[2], of: signal, to: text, in: &document, origin: origin, field: key)
                } else {
                    try set(value, at: ["formats", signal, path[2]], in: &document, field: key)
                }
            }
            return
        }
        try set(value, at: path, in: &document, field: key)
    }

    /// The override's value: arrays and inline tables are parsed as TOML, everything else stays text for the schema to read.
    static func node(_ text: String, origin: Origin, field: String) throws(HWModelError) -> Node {
        guard text.hasPrefix("[") || text.hasPrefix("{") else { return Node(value: .text(text), origin: origin) }
        let parsed: Table
        do {
            parsed = try DocumentLoader.parse(text: "v = \(text)", file: "--set")
        } catch {
            throw HWModelError(
                origin: origin, field: field, message: "expected a TOML array or inline table, got '\(text)'")
        }
        guard let v = parsed["v"] else { return Node(value: .text(text), origin: origin) }
        return v.withOrigin(origin)
    }

    static func set(_ value: Node, at path: [String], in table: inout Table, field: String) throws(HWModelError) {
        guard let head = path.first else { return }
        if path.count == 1 { table[head] = value; return }
        var child = Table()
        if let existing = table[head] {
            guard case .table(let t) = existing.value else {
                throw HWModelError(
                    origin: value.origin, field: field,
                    message: "expected '\(head)' to be a table to set a key inside it, got \(existing.described)")
            }
            child = t
        }
        try set(value, at: Array(path.dropFirst()), in: &child, field: field)
        table[head] = Node(value: .table(child), origin: table[head]?.origin ?? value.origin)
    }

    /// `bits`, `int_bits`, `frac_bits` or `signed` of `formats.SIGNAL`, rewritten into its `format` string.
    static func setFormatPart(
        _ part: String, of signal: String, to text: String, in document: inout Table,
        origin: Origin, field: String
    ) throws(HWModelError) {
        guard let s = Signal(rawValue: signal) else {
            let names = Signal.allCases.map(\.rawValue)
            let hint = Suggestion.nearest(to: signal, in: names).map { "; did you mean 'formats.\($0).\(part)'?" } ?? ""
            throw HWModelError(
                origin: origin, field: field,
                message:
                    "unknown key; expected formats.SIGNAL.\(part) with SIGNAL one of \(names.joined(separator: ", "))\(hint)"
            )
        }
        var current = NumberFormats()[s]
        switch document["formats"]?.table?[signal]?.table?["format"]?.value {
        case .string(let f)?, .text(let f)?:
            if let parsed = try? FixedFormat.parse(f) {
                current.signed = parsed.isSigned; current.intBits = parsed.intBits; current.fracBits = parsed.fracBits
            }
        default: break
        }
        let maxBits = NumberFormats.maxBits(s)
        if part == "signed" {
            guard let b = Bool(text) else {
                throw HWModelError(origin: origin, field: field, message: "expected true or false, got '\(text)'")
            }
            current.signed = b
        } else {
            let limit = FixedFormat.maxBinaryPointOffset
            guard let n = Int(text), (-limit...limit).contains(n) else {
                throw HWModelError(origin: origin, field: field, message: "expected an integer, got '\(text)'")
            }
            switch part {
            case "bits":
                guard n >= current.intBits else {
                    throw HWModelError(
                        origin: origin, field: field,
                        message:
                            "expected at least the \(current.intBits) integer bits of \(current.format) (bits keeps the integer bits), got \(n)"
                    )
                }
                current.fracBits = n - current.intBits
            case "int_bits": current.intBits = n
            default: current.fracBits = n
            }
        }
        if let problem = Parse.formatProblem(
            signed: current.signed, intBits: current.intBits, fracBits: current.fracBits,
            maxBits: maxBits)
        {
            throw HWModelError(origin: origin, field: field, message: "\(problem), got \(current.format)")
        }
        try set(
            Node(value: .text(current.format), origin: origin), at: ["formats", signal, "format"], in: &document,
            field: field)
    }
}

extension Node {
    /// This node with `origin` on it and on everything inside.
    func withOrigin(_ origin: Origin) -> Node {
        switch value {
        case .array(let items): return Node(value: .array(items.map { $0.withOrigin(origin) }), origin: origin)
        case .table(let t):
            var out = Table()
            for (k, v) in t.entries { out[k] = v.withOrigin(origin) }
            return Node(value: .table(out), origin: origin)
        default: return Node(value: value, origin: origin)
        }
    }
}
