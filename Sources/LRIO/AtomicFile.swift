import Foundation

/// Writes files so that readers never see a partial one: the bytes go to a temporary file in the destination's
/// directory, which is then renamed over the destination (rename(2) is atomic within a file system). A symbolic link
/// is written through to its target; a device, FIFO, socket or directory at the destination is refused
/// (`OutputFile`, shared with the trace writer).
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
