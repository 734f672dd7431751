/// Where a value came from: a file and line, a `--set` argument, or nowhere (a built-in default).
public enum Origin: Sendable, Hashable, CustomStringConvertible {
    /// A line of a hardware-model file (1-based; 0 when the line is unknown).
    case file(path: String, line: Int)
    /// A `--set KEY=VALUE` override, as typed.
    case override(String)
    /// The built-in default.
    case builtin

    public var description: String {
        switch self {
        case let .file(path, line): return line > 0 ? "\(path):\(line)" : path
        case let .override(argument): return "--set '\(argument)'"
        case .builtin: return "<default>"
        }
    }
}

/// One problem in a hardware model, rendered as `FILE:LINE: field 'a.b': expected ..., got ...`.
public struct HWDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public var origin: Origin
    /// Dotted key path of the offending field, empty for file-level problems (syntax errors, unreadable files).
    public var field: String
    /// The message after the field: `expected an integer in 1...65536, got 0`.
    public var message: String
    /// Column for syntax errors (1-based), otherwise nil.
    public var column: Int?

    public init(origin: Origin, field: String, message: String, column: Int? = nil) {
        self.origin = origin; self.field = field; self.message = message; self.column = column
    }

    public var description: String {
        var location = origin.description
        if let column { location += ":\(column)" }
        return field.isEmpty ? "\(location): \(message)" : "\(location): field '\(field)': \(message)"
    }
}

/// Why a hardware model could not be loaded. `description` is one line (the first problem, in file order); `diagnostics`
/// has them all.
public struct HWModelError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [HWDiagnostic]

    public init(_ diagnostics: [HWDiagnostic]) { self.diagnostics = diagnostics }
    public init(origin: Origin, field: String, message: String, column: Int? = nil) {
        self.diagnostics = [HWDiagnostic(origin: origin, field: field, message: message, column: column)]
    }

    public var description: String {
        guard let first = diagnostics.first else { return "invalid hardware model" }
        let more = diagnostics.count - 1
        return more == 0 ? first.description : "\(first.description) (and \(more) more problem\(more == 1 ? "" : "s"))"
    }
}
