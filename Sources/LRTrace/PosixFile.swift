import LRIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over open/pread/write/rename that turn errno into `TraceError`s naming the file.
enum Posix {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    static func ioError(_ path: String, _ what: String, _ code: Int32 = errno) -> TraceError {
        TraceError(file: path, location: .file, category: .io, problem: "\(what): \(errorText(code))")
    }
}

// Free functions, so the methods named `close`/`write` below can call them.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
private func writeDescriptor(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// Random-access bytes a trace is read from: a file, or memory (tests, traces received over a pipe).
protocol ByteSource: AnyObject {
    /// The name used in error messages (the path).
    var path: String { get }
    var size: UInt64 { get }
    /// Reads exactly `count` bytes at `offset`; callers have checked that they lie inside the source.
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
}

/// A trace held in memory.
final class MemorySource: ByteSource {
    let path: String
    let bytes: [UInt8]
    var size: UInt64 { UInt64(bytes.count) }

    init(name: String, bytes: [UInt8]) {
        path = name; self.bytes = bytes
    }

    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard offset <= size, UInt64(count) <= size &- offset else {
            throw TraceError(
                file: path, location: .file, category: .truncated,
                problem: "read of \(count) bytes at byte offset \(offset) is past the end (\(size) bytes)")
        }
        return Array(bytes[Int(offset)..<(Int(offset) &+ count)])
    }
}

/// A read-only file for random access with `pread`.
final class ReadableFile: ByteSource {
    let path: String
    let size: UInt64
    private let fd: Int32

    /// Opens `path`, which must be a regular file (a FIFO would block open(2) and a device never end; `InputFile`).
    init(path: String) throws {
        do { (fd, size) = try InputFile.open(path) } catch {
            throw TraceError(file: path, location: .file, category: .io, problem: error.problem)
        }
        self.path = path
    }

    deinit { _ = closeDescriptor(fd) }

    /// Reads exactly `count` bytes at `offset`; callers have checked that they lie inside the file.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { raw in
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count &- done, off_t(offset &+ UInt64(done)))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Posix.ioError(path, "read failed at byte offset \(offset &+ UInt64(done))")
                }
                if n == 0 {
                    throw TraceError(
                        file: path, location: .file, category: .truncated,
                        problem: "file shrank while reading: ends at byte offset \(offset &+ UInt64(done))")
                }
                done &+= n
            }
        }
        return out
    }
}

/// A write-only file with a user-space buffer; large blocks bypass the buffer.
final class WritableFile {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferCapacity = 1 << 20

    /// Writes to `descriptor` (open for writing, owned from now on); `path` names the file in errors (the destination,
    /// not the hidden temporary the descriptor may belong to).
    init(descriptor: Int32, path: String) {
        self.fd = descriptor
        self.path = path
        buffer.reserveCapacity(bufferCapacity)
    }

    deinit { if fd >= 0 { _ = closeDescriptor(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count &+ bytes.count <= bufferCapacity {
            buffer.append(contentsOf: bytes)
            return
        }
        try flush()
        if bytes.count >= bufferCapacity / 2 {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, forces the data to disk and closes.
    func close() throws {
        try flush()
        guard fsync(fd) == 0 else { throw Posix.ioError(path, "fsync failed") }
        let r = closeDescriptor(fd)
        fd = -1
        guard r == 0 else { throw Posix.ioError(path, "close failed") }
    }

    /// Closes without flushing (the file is about to be removed).
    func abandon() {
        if fd >= 0 { _ = closeDescriptor(fd) }
        fd = -1
        buffer.removeAll()
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = writeDescriptor(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw Posix.ioError(path, "write failed")
            }
            p += n
            left &-= n
        }
    }
}
