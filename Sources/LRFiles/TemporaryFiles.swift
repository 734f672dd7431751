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
public enum TemporaryFiles {
    /// `DIR/.NAME.tmp-PID-K` for destination `DIR/NAME`.
    public static func name(of destination: String, pid: Int32, index: Int) -> String {
        let directory = (destination as NSString).deletingLastPathComponent
        let file = ".\((destination as NSString).lastPathComponent).tmp-\(pid)-\(index)"
        return directory.isEmpty ? file : (directory as NSString).appendingPathComponent(file)
    }
}
