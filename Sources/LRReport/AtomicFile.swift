import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files atomically: a temporary file in the same directory, then a rename, so readers never see half a file.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try data.write(to: tmp)
            // rename(2) replaces an existing file atomically (FileManager.replaceItemAt fails on Linux here).
            guard rename(tmp.path, url.path) == 0 else {
                throw ReportError("\(path): cannot write (\(String(cString: strerror(errno))))")
            }
        } catch let e as ReportError {
            try? FileManager.default.removeItem(at: tmp)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw ReportError("\(path): cannot write (\(error.localizedDescription))")
        }
    }

    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}

/// A report could not be written. `description` is the one-line message.
public struct ReportError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
