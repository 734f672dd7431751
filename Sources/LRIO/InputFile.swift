import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Free functions, so the static methods named `open`/`read` below can call the C functions.
func openDescriptor(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 { open(path, flags, mode) }
private func readDescriptor(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }

/// Opens the files lrsim reads (traces, checkpoints, hardware models and their bases, datasets, sweep files) so that
/// only regular files get through. A FIFO with no writer blocks open(2) for ever (reliability report D10: `trace verify
/// FIFO` hung), and a device can stream without end; both are refused with a message naming the path and its kind.
public enum InputFile {
    /// Opens `path` read-only and returns the descriptor (blocking mode, close-on-exec) and the file's size.
    ///
    /// The kind is checked twice: `stat` before opening (so a device or FIFO is never opened at all) and `fstat` on the
    /// descriptor, opened with O_NONBLOCK (so a FIFO swapped in between cannot block the open).
    public static func open(_ path: String) throws(FileError) -> (descriptor: Int32, size: UInt64) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileError.system(path, "cannot open") }
        try requireRegular(path, mode: st.st_mode)
        let fd = openDescriptor(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.system(path, "cannot open") }
        guard fstat(fd, &st) == 0 else {
            let e = FileError.system(path, "cannot stat")
            close(fd)
            throw e
        }
        do { try requireRegular(path, mode: st.st_mode) } catch {
            close(fd)
            throw error
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, UInt64(st.st_size))
    }

    /// Throws unless `path` is (or links to) a regular file, without opening it (for readers that open by name, such
    /// as zlib's `gzopen`).
    public static func check(_ path: String) throws(FileError) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileError.system(path, "cannot open") }
        try requireRegular(path, mode: st.st_mode)
    }

    /// The whole file. `limit` bounds the size accepted before anything is allocated (files larger than any valid one
    /// of their kind are refused by size).
    public static func read(_ path: String, limit: UInt64 = .max) throws(FileError) -> Data {
        let (fd, size) = try open(path)
        defer { close(fd) }
        guard size <= limit, size <= UInt64(Int.max) else {
            throw FileError(
                path: path, problem: "it is \(size) bytes, more than the \(limit) bytes such a file can hold")
        }
        var data = Data(count: Int(size))
        var done = 0
        let failure: Int32? = data.withUnsafeMutableBytes { raw -> Int32? in
            while done < raw.count {
                let n = readDescriptor(fd, raw.baseAddress! + done, raw.count &- done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { break }
                done &+= n
            }
            return nil
        }
        if let failure { throw FileError.system(path, "read failed", failure) }
        // A file that shrank while being read is returned as it ended; one that grew is read as it was at open.
        if done < data.count { data.removeSubrange(done...) }
        return data
    }

    static func requireRegular(_ path: String, mode: mode_t) throws(FileError) {
        let kind = FileKind(mode: mode)
        guard kind == .regular else {
            throw FileError(path: path, problem: "it is \(kind), not a regular file", kind: kind)
        }
    }
}
