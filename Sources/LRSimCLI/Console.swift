import Foundation

/// The command line's two output streams, written through C stdio so that a failed write (a full disk, a closed
/// descriptor, a closed pipe) is an error code, never a trap: Foundation's `FileHandle.write` raises on failure.
///
/// Every line the commands print goes through `out` (or Swift's `print`, which also writes stdio's stdout) and `err`;
/// `LRSimCommand.main()` calls `finish()` last, which flushes stdout and reports lost output as an error.
enum Console {
    /// Whether a write to stderr failed (it cannot be reported there, only through the exit status).
    nonisolated(unsafe) static var stderrFailed = false

    /// A line (or text with `terminator`) on stdout.
    static func out(_ text: String, terminator: String = "\n") {
        fputs(text + terminator, stdout)
    }

    /// Bytes on stdout, as they are.
    static func out(_ data: Data) {
        data.withUnsafeBytes { b in _ = fwrite(b.baseAddress, 1, b.count, stdout) }
    }

    /// A line on stderr (progress, warnings, errors).
    static func err(_ line: String) {
        if fputs(line + "\n", stderr) < 0 || fflush(stderr) != 0 { stderrFailed = true }
    }

    /// Flushes stdout. Throws when anything written to stdout or stderr was lost.
    static func finish() throws {
        if fflush(stdout) != 0 || ferror(stdout) != 0 {
            let reason = errno != 0 ? String(cString: strerror(errno)) : "write error"
            throw OutputLost(stream: "standard output", reason: reason)
        }
        if stderrFailed || ferror(stderr) != 0 { throw OutputLost(stream: "standard error", reason: "write error") }
    }

    struct OutputLost: Error, CustomStringConvertible {
        var stream: String
        var reason: String
        var description: String { "\(stream): cannot write (\(reason)); output was lost" }
    }
}
