import Foundation

/// A one-line progress bar redrawn on stderr — only when stderr is a terminal, so logs and CI output stay clean.
public final class ProgressBar {
    let total: Int
    let label: String
    let enabled: Bool
    let start = Date()
    var lastDraw = Date.distantPast

    public init(total: Int, label: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = max(1, total); self.label = label; self.enabled = enabled
    }

    public func update(_ done: Int, detail: String = "") {
        guard enabled else { return }
        let now = Date()
        if done < total && now.timeIntervalSince(lastDraw) < 0.1 { return }
        lastDraw = now
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let elapsed = now.timeIntervalSince(start)
        let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        let line = String(format: "\r%@ [%@] %d/%d %@ eta %.0fs ", label, bar, done, total, detail, eta)
        Self.writeStandardError(line)
    }

    public func finish() {
        guard enabled else { return }
        Self.writeStandardError("\r\u{1B}[K")
    }

    /// write(2) on the descriptor, not FileHandle (which traps when the write fails) nor stdio's shared `stderr`.
    static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
