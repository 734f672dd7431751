import Foundation
import LRCore

/// A report could not be written. `description` is the one-line message.
public struct ReportError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Writes report files atomically (LRCore's `AtomicFile`: temporary file + rename), failing with a `ReportError`.
public enum ReportFile {
    public static func write(_ data: Data, to path: String) throws {
        do { try AtomicFile.write(data, to: path) } catch let e as AtomicFile.WriteError { throw ReportError(e.description) }
    }

    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}
