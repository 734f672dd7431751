import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Named pipes for tests of input refusal (reliability report D10: opening a FIFO with no writer blocked for ever).
public enum FIFOSupport {
    /// Creates a FIFO at `path`.
    public static func make(_ path: String) throws {
        guard mkfifo(path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Runs `body`, which should refuse the FIFO at `path` at once, and returns how long it took. If `body` blocks on
    /// the FIFO instead, a writer opens and closes the other end after `unblockAfter` seconds, so the test fails by
    /// its time (and whatever `body` then gets) instead of hanging the suite.
    public static func seconds(unblocking path: String, after unblockAfter: Double = 3, _ body: () -> Void) -> Double {
        let done = DispatchSemaphore(value: 0)
        let unblocker = Thread {
            while done.wait(timeout: .now() + unblockAfter) == .timedOut {
                let fd = open(path, O_WRONLY | O_NONBLOCK)  // succeeds only while a reader is blocked in open
                if fd >= 0 { close(fd) }
            }
        }
        unblocker.start()
        let start = Date()
        body()
        let elapsed = Date().timeIntervalSince(start)
        done.signal()
        return elapsed
    }
}
