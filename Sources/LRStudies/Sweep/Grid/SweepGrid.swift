import LRCore

/// The cartesian product of the axes in canonical order: the first axis varies slowest, the last fastest, each
/// axis's values in the order given. Resume, sharding and merging all key on this order and the points' ids.
public struct SweepGrid: Sendable, Equatable {
    public var axes: [SweepAxis]
    public private(set) var points: [SweepPoint]

    /// At most this many points (a typo in a --vary list should not start a million runs).
    public static let maxPoints = 100_000

    public init(axes: [SweepAxis]) throws(SettingError) {
        var seen = Set<String>()
        for a in axes {
            guard seen.insert(a.key).inserted else { throw SettingError("vary", "\(a.key): the key is varied twice") }
        }
        var count = 1
        for a in axes {
            let (m, overflow) = count.multipliedReportingOverflow(by: a.values.count)
            guard !overflow, m <= Self.maxPoints else {
                throw SettingError("vary", "the grid has more than \(Self.maxPoints) points")
            }
            count = m
        }
        self.axes = axes
        var points: [SweepPoint] = []
        points.reserveCapacity(count)
        for i in 0..<count {
            var rest = i
            var overrides = Array(repeating: "", count: axes.count)
            for a in axes.indices.reversed() {
                let n = axes[a].values.count
                overrides[a] = axes[a].key + "=" + axes[a].values[rest % n]
                rest /= n
            }
            points.append(SweepPoint(index: i, overrides: overrides))
        }
        var ids = Set<String>()
        for p in points where !ids.insert(p.id).inserted {
            throw SettingError("vary", "two points share the id \(p.id) (values that differ only in punctuation?)")
        }
        self.points = points
    }

    /// The points shard `shard` runs.
    public func points(in shard: SweepShard) -> [SweepPoint] { points.filter { shard.contains($0.index) } }
}
