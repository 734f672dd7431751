/// The version of the on-disk layout (not of lrsim): `major.minor`.
///
/// Policy: a reader reads every file of its own major version, older or newer minor. A newer minor may only add
/// optional chunk kinds and optional header fields, which older readers skip or ignore. Anything an older reader could
/// not safely skip (a new required chunk, a new dtype, a changed layout) bumps the major, and readers refuse newer
/// majors with an "upgrade lrsim" message. The 16-byte preamble that carries the version never changes.
public struct TraceFormatVersion: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public var major: UInt16
    public var minor: UInt16

    public init(major: UInt16, minor: UInt16) {
        self.major = major; self.minor = minor
    }

    /// The version this lrsim writes, and the newest it reads.
    public static let current = TraceFormatVersion(major: 1, minor: 0)

    /// The oldest major version this lrsim still reads.
    public static let oldestReadableMajor: UInt16 = 1

    public var description: String { "\(major).\(minor)" }

    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }

    /// Whether a reader that supports `supported` can read a file of this version; the reason if not.
    public func readability(
        supported: TraceFormatVersion = .current,
        oldestMajor: UInt16 = TraceFormatVersion.oldestReadableMajor
    ) -> Readability {
        if major > supported.major {
            return .refused(
                "trace format version \(self) is newer than this lrsim supports (max \(supported)); upgrade lrsim")
        }
        if major < oldestMajor {
            return .refused(
                "trace format version \(self) is older than this lrsim reads (oldest \(oldestMajor).0); use an older lrsim to convert it"
            )
        }
        if major == supported.major, minor > supported.minor { return .readableNewerMinor }
        return .readable
    }

    public enum Readability: Equatable, Sendable {
        case readable
        /// Readable; optional chunks and header fields this lrsim does not know are skipped.
        case readableNewerMinor
        case refused(String)
    }
}
