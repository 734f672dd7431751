import Foundation

/// The command line's two output streams, written with write(2) on the descriptors, so that a failed write (a full
/// disk, a closed descriptor, a closed pipe) is an error code, never a trap: Foundation's `FileHandle.write` raises on
/// failure. stdout is buffered here (64 KiB); stderr lines go out at once.
///
/// Every line the commands print goes through `out` and `err`; `LRSimCommand.main()` calls `finish()` last, which
/// flushes stdout and reports lost output as an error.
enum Console {
    nonisolated(unsafe) static var pending: [UInt8] = []
    /// The first failed write to stdout (its errno), if any.
    nonisolated(unsafe) static var stdoutError: Int32?
    /// Whether a write to stderr failed (it cannot be reported there, only through the exit status).
    nonisolated(unsafe) static var stderrFailed = false

    /// A line (or text with `terminator`) on stdout.
    static func out(_ text: String, terminator: String = "\n") {
        pending.append(contentsOf: text.utf8)
        pending.append(contentsOf: terminator.utf8)
        if pending.count >= 1 << 16 { flush() }
    }

    /// A line on stderr (progress, warnings, errors).
    static func err(_ line: String) {
        if !write(Array((line + "\n").utf8), to: STDERR_FILENO) { stderrFailed = true }
    }

    /// Writes every byte, retrying short writes; false when the descriptor refuses them.
    static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    static func flush() {
        guard !pending.isEmpty else { return }
        if stdoutError == nil && !write(pending, to: STDOUT_FILENO) { stdoutError = errno }
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes stdout. Throws when anything written to stdout or stderr was lost.
    static func finish() throws {
        flush()
        if let e = stdoutError { throw OutputLost(stream: "standard output", reason: String(cString: strerror(e))) }
        if stderrFailed { throw OutputLost(stream: "standard error", reason: "write error") }
    }

    struct OutputLost: Error, CustomStringConvertible {
        var stream: String
        var reason: String
        var description: String { "\(stream): cannot write (\(reason)); output was lost" }
    }
}
