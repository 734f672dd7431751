import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
private func writeDescriptor(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// The one way lrsim replaces an output file (reports, traces, checkpoints, VCD, timelines, CSV): bytes go to a
/// temporary `.NAME.tmp-PID-K` next to the destination, which is then renamed over it, so a reader never sees a partial
/// file and a killed run never leaves one under the final name.
///
/// The destination is resolved first (reliability report D2: as root, `--trace /dev/full` replaced the device node
/// with a regular file; a FIFO or a symbolic link was replaced the same way):
/// - a symbolic link is written through: the temporary goes next to the link's final target, which is replaced and the
///   link kept;
/// - an existing destination that is not a regular file (device, FIFO, socket, directory) is refused, naming it.
///
/// Temporaries of killed runs (SIGKILL cannot be cleaned up after) are removed the next time the same destination is
/// written, when the PID in their name is not a live process on this machine (`TemporaryFiles`).
public enum OutputFile {
    /// Where output for `path` must land: `path` itself, or the final target of its chain of symbolic links. Throws if
    /// that exists and is not a regular file, or if the links loop.
    public static func destination(for path: String) throws(FileError) -> String {
        var current = path
        for _ in 0..<40 {  // Linux's own limit on links followed in one lookup
            var st = stat()
            guard lstat(current, &st) == 0 else {
                if errno == ENOENT { return current }  // created by the rename
                throw FileError.system(named(path, current), "cannot inspect the destination")
            }
            let kind = FileKind(mode: st.st_mode)
            switch kind {
            case .regular:
                return current
            case .symbolicLink:
                current = try linkTarget(current, path: path)
            default:
                throw FileError(path: named(path, current), problem: refusal(kind), kind: kind)
            }
        }
        throw FileError(path: path, problem: "too many levels of symbolic links")
    }

    /// Creates a fresh temporary file next to `destination` (a resolved path) for writing: `.NAME.tmp-PID-K` with the
    /// first K that is free, opened with O_EXCL, after removing the temporaries of `destination` that killed runs left
    /// (`TemporaryFiles.removeStale`). `path` (the name the caller was given) names the file in errors.
    public static func createTemporary(for destination: String, path: String) throws(FileError)
        -> (path: String, descriptor: Int32)
    {
        TemporaryFiles.removeStale(of: destination)
        let pid = getpid()
        for k in 0..<1000 {
            let candidate = TemporaryFiles.name(of: destination, pid: pid, index: k)
            let fd = openDescriptor(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { return (candidate, fd) }
            if errno != EEXIST {
                throw FileError.system(path, "cannot create a temporary file in \(directory(of: destination))")
            }
        }
        throw FileError(
            path: path, problem: "cannot create a temporary file in \(directory(of: destination)): 1000 names in use")
    }

    /// Renames the finished `temporary` onto `destination` (the resolved path), checking again that the destination is
    /// not something else by now. Removes the temporary if it cannot.
    public static func commit(temporary: String, to destination: String, path: String) throws(FileError) {
        var st = stat()
        if lstat(destination, &st) == 0, FileKind(mode: st.st_mode) != .regular {
            unlink(temporary)
            let kind = FileKind(mode: st.st_mode)
            throw FileError(path: named(path, destination), problem: refusal(kind), kind: kind)
        }
        guard rename(temporary, destination) == 0 else {
            let e = FileError.system(named(path, destination), "cannot rename \(temporary) to it")
            unlink(temporary)
            throw e
        }
    }

    /// Writes `data` to `path` atomically (resolve, temporary, write, rename). Missing parent directories of the
    /// destination are created.
    public static func write(_ data: Data, to path: String) throws(FileError) {
        let destination = try destination(for: path)
        let directory = (destination as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw FileError(path: path, problem: "cannot create the directory \(directory): \(describe(error))")
            }
        }
        let (temporary, fd) = try createTemporary(for: destination, path: path)
        let failure: Int32? = data.withUnsafeBytes { raw -> Int32? in
            guard var p = raw.baseAddress else { return nil }
            var left = raw.count
            while left > 0 {
                let n = writeDescriptor(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                p += n
                left &-= n
            }
            return nil
        }
        let closed = closeDescriptor(fd) == 0 ? nil : errno
        if let code = failure ?? closed {
            unlink(temporary)
            throw FileError(path: path, problem: String(cString: strerror(code)))
        }
        try commit(temporary: temporary, to: destination, path: path)
    }

    /// The target a symbolic link points at, relative targets taken from the link's directory.
    static func linkTarget(_ link: String, path: String) throws(FileError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(link, &buffer, buffer.count - 1)
        guard n >= 0 else { throw FileError.system(named(path, link), "cannot read the symbolic link") }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        let directory = (link as NSString).deletingLastPathComponent
        return directory.isEmpty ? target : (directory as NSString).appendingPathComponent(target)
    }

    static func directory(of path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    /// Why a destination of `kind` is not replaced.
    static func refusal(_ kind: FileKind) -> String {
        "it is \(kind), not a regular file (give a regular file or a new path)"
    }

    /// `PATH` or, when the problem is at the end of a link chain, `PATH -> TARGET`.
    static func named(_ path: String, _ resolved: String) -> String {
        resolved == path ? path : "\(path) -> \(resolved)"
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? CocoaError, let u = e.underlying as? POSIXError {
            return String(cString: strerror(u.code.rawValue))
        }
        return (error as NSError).localizedDescription
    }
}
