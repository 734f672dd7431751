import CZlib
import Foundation
import LRIO

/// Sequential reads from a file that may be gzip-compressed, with errors that name the file.
///
/// zlib's `gzread` decompresses gzip files and reads other files unchanged, so one code path serves `.gz` and raw
/// downloads. Reads go straight into caller buffers in large chunks; nothing is buffered twice.
final class ByteStream {
    let path: String
    /// Whether the file starts with the gzip magic bytes 1f 8b.
    let isGzip: Bool
    /// Size of the file on disk (compressed size for gzip files).
    let fileSize: Int
    private var handle: gzFile?
    /// Uncompressed bytes consumed so far.
    private(set) var offset: Int = 0

    init(path: String) throws {
        self.path = path
        // Only a regular file is opened (a FIFO would block open(2)); zlib takes over the descriptor.
        let fd: Int32
        do {
            let opened = try InputFile.open(path)
            fd = opened.descriptor
            fileSize = Int(clamping: opened.size)
        } catch {
            throw DatasetError(error.isMissing ? .missingFile : .io, file: path, error.problem)
        }
        guard let h = gzdopen(fd, "rb") else {
            let e = errno
            close(fd)
            throw DatasetError(.io, file: path, "cannot open: \(String(cString: strerror(e)))")
        }
        handle = h
        gzbuffer(h, 1 << 18)
        isGzip = gzdirect(h) == 0
    }

    deinit { if let h = handle { gzclose_r(h) } }

    /// Reads up to `buffer.count` bytes; returns how many were read (fewer only at the end of the data).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let h = handle, let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let want = UInt32(min(buffer.count - done, 1 << 30))
            let got = gzread(h, base + done, want)
            if got < 0 { throw streamError() }
            if got == 0 { break }
            done += Int(got)
        }
        offset += done
        if done < buffer.count { try checkCleanEnd() }
        return done
    }

    /// Reads exactly `count` bytes or throws `truncated` with `what` describing the missing part.
    func readExactly(into buffer: UnsafeMutableRawBufferPointer, what: @autoclosure () -> String) throws {
        let got = try read(into: buffer)
        if got < buffer.count {
            throw DatasetError(
                .truncated, file: path,
                "truncated: expected \(what()), but the \(isGzip ? "decompressed data ends" : "file ends") after \(got) of \(buffer.count) bytes"
            )
        }
    }

    /// True if at least one more byte can be read (used to detect data beyond what the header describes).
    func hasMoreData() throws -> Bool {
        var byte: UInt8 = 0
        return try withUnsafeMutableBytes(of: &byte) { try read(into: $0) } == 1
    }

    /// A gzip stream that stops mid-way is reported by zlib only through the error state, not by `gzread`.
    private func checkCleanEnd() throws {
        guard let h = handle else { return }
        var code: Int32 = 0
        _ = gzerror(h, &code)
        if code == Z_BUF_ERROR {
            throw DatasetError(
                .truncated, file: path, "truncated: the gzip stream ends before its end marker (incomplete download?)")
        }
        if code != Z_OK { throw streamError() }
    }

    private func streamError() -> DatasetError {
        var code: Int32 = 0
        let message = handle.flatMap { gzerror($0, &code) }.map { String(cString: $0) } ?? "unknown error"
        if code == Z_ERRNO {
            return DatasetError(.io, file: path, "read error: \(String(cString: strerror(errno)))")
        }
        return DatasetError(
            .compression, file: path, "corrupt gzip data after \(offset) decompressed bytes: \(message)")
    }
}
