/// Everything that can go wrong reading or writing a trace, as one line that names the file, the place (preamble or
/// chunk number, kind, step, tensor and byte offset) and what was expected.
///
/// The shape of the message is fixed so that scripts and people can find the damage:
/// `FILE: chunk N (kind 'XXXX', step S, tensor 'NAME') at byte offset O: <what is wrong>`.
public struct TraceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure, so callers (and tests) can tell damage from misuse without parsing text.
    public enum Category: String, Sendable, Codable {
        /// The file ends before a chunk or the trailer is complete.
        case truncated
        /// A stored CRC32 does not match the bytes.
        case checksum
        /// A length, count, shape, name or ordering rule is violated.
        case malformed
        /// The file's format version is not readable by this lrsim.
        case unsupportedVersion
        /// The file is not a trace at all (wrong magic).
        case notATrace
        /// The operating system refused a read, write or rename.
        case io
        /// The program used the API wrongly (for example a tensor outside a step); never caused by file content.
        case usage
        /// The trace is well-formed but does not contain what was asked for (a step, a tensor).
        case notFound
    }

    /// Where in the file the problem is.
    public enum Location: Equatable, Sendable {
        case file
        case preamble
        case chunk(index: Int?, kind: String?, step: UInt64?, tensor: String?, offset: UInt64)
    }

    public var file: String
    public var location: Location
    public var category: Category
    public var problem: String

    public init(file: String, location: Location, category: Category, problem: String) {
        self.file = file; self.location = location; self.category = category; self.problem = problem
    }

    public var description: String {
        switch location {
        case .file:
            return "\(file): \(problem)"
        case .preamble:
            return "\(file): file preamble at byte offset 0: \(problem)"
        case let .chunk(index, kind, step, tensor, offset):
            var what: [String] = []
            if let kind { what.append("kind '\(kind)'") }
            if let step { what.append("step \(step)") }
            if let tensor { what.append("tensor '\(tensor)'") }
            let detail = what.isEmpty ? "" : " (" + what.joined(separator: ", ") + ")"
            let number = index.map { " \($0)" } ?? ""
            return "\(file): chunk\(number)\(detail) at byte offset \(offset): \(problem)"
        }
    }
}

/// A problem found while decoding a payload, before it is known which chunk it belongs to; the chunk reader turns it
/// into a `TraceError` with the location.
struct PayloadError: Error {
    var category: TraceError.Category
    var problem: String
    init(_ problem: String, _ category: TraceError.Category = .malformed) {
        self.problem = problem; self.category = category
    }
}
