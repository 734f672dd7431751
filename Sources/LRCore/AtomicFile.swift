import Foundation
import LRFiles

/// Writes files so that readers never see a partial one: the bytes go to a temporary file in the destination's
/// directory, which is then renamed over the destination (rename(2) is atomic within a file system). A symbolic link
/// is written through to its target; a device, FIFO, socket or directory at the destination is refused
/// (`LRFiles.OutputFile`, shared with the trace writer).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String, reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    public static func write(_ data: Data, to path: String) throws {
        do { try OutputFile.write(data, to: path) } catch {
            throw WriteError(path: error.path, reason: error.problem)
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}

/// The JSON encoder every report uses: snake_case keys, sorted, pretty-printed — byte-identical for equal values.
public enum ReportJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try e.encode(value)
        data.append(0x0A)
        return data
    }

    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try AtomicFile.write(encode(value), to: path)
    }
}
