import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The temporary files `OutputFile` writes before renaming: `.NAME.tmp-PID-K` in the destination's directory (hidden,
/// and named after the destination and the writing process).
///
/// A run killed with SIGKILL (or by a power cut) leaves its temporary behind; a killed training run's trace was
/// 5-114 MB (reliability report D17). Nothing else would remove it, so writing the same destination again removes every
/// temporary of that destination whose PID is not a live process. A live PID — this process, another run writing the
/// same path now, or an unrelated process that reused the number — keeps its file. PIDs are only meaningful on this
/// machine: two hosts must not write the same destination on a shared file system at once (the last rename would win
/// anyway; sweep shards each write their own directory).
public enum TemporaryFiles {
    /// `DIR/.NAME.tmp-PID-K` for destination `DIR/NAME`.
    public static func name(of destination: String, pid: Int32, index: Int) -> String {
        let directory = (destination as NSString).deletingLastPathComponent
        let file = ".\((destination as NSString).lastPathComponent).tmp-\(pid)-\(index)"
        return directory.isEmpty ? file : (directory as NSString).appendingPathComponent(file)
    }

    /// The PID in `file` (a name, not a path) if it is a temporary of destination file name `name`.
    public static func pid(inTemporary file: String, of name: String) -> Int32? {
        let prefix = ".\(name).tmp-"
        guard file.hasPrefix(prefix) else { return nil }
        let parts = file.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let pid = Int32(parts[0]), pid > 0, UInt64(parts[1]) != nil
        else { return nil }
        return pid
    }

    /// Whether `pid` is a live process (`kill(pid, 0)`: EPERM means it exists but belongs to someone else).
    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes the regular-file temporaries of `destination` left by processes that are no longer alive; returns the
    /// paths removed. Best effort: a directory that cannot be listed, or a file that cannot be removed, is left.
    @discardableResult
    public static func removeStale(of destination: String) -> [String] {
        let directory = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)
        else { return [] }
        var removed: [String] = []
        for entry in entries {
            guard let pid = pid(inTemporary: entry, of: name), pid != getpid(), !isAlive(pid) else { continue }
            let path = directory.isEmpty ? entry : (directory as NSString).appendingPathComponent(entry)
            var st = stat()
            guard lstat(path, &st) == 0, FileKind(mode: st.st_mode) == .regular, unlink(path) == 0 else { continue }
            removed.append(path)
        }
        return removed
    }
}
