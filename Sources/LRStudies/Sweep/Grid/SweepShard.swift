import LRCore

/// `--shard I/N`: the points whose canonical index is I modulo N. Shards 0..<N cover the grid exactly once.
public struct SweepShard: Sendable, Codable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let all = SweepShard(index: 0, count: 1)

    public init(index: Int, count: Int) { self.index = index; self.count = count }

    public static func parse(_ text: String) throws(SettingError) -> SweepShard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1_000_000, i >= 0, i < n
        else {
            throw SettingError("shard", "'\(text)': expected I/N with 0 <= I < N (for example 0/4 ... 3/4)")
        }
        return SweepShard(index: i, count: n)
    }

    public func contains(_ pointIndex: Int) -> Bool { pointIndex % count == index }

    public var description: String { "\(index)/\(count)" }
}
