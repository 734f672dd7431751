import Foundation

/// Writes files so that readers never see a partial one: the bytes go to a temporary file in the destination's
/// directory, which is then renamed over the destination (rename(2) is atomic within a file system).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String, reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try data.write(to: tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw WriteError(path: path, reason: (error as NSError).localizedDescription)
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw WriteError(path: path, reason: reason)
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
