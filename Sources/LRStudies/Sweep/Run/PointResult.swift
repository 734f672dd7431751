/// What `OUT/points/<id>/point.json` holds: the point, its status, its metrics or its error.
public struct PointResult: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, failed }

    public var kind = "sweep-point"
    public var index: Int
    public var id: String
    public var overrides: [String]
    public var status: Status
    /// The first error (one line) when `status` is failed.
    public var error: String?
    public var metrics: [String: Double]
    /// Wall-clock seconds per kind (not part of the merged table, which must not depend on the machine).
    public var wallSeconds: [String: Double]

    public init(
        point: SweepPoint, status: Status, error: String? = nil, metrics: [String: Double] = [:],
        wallSeconds: [String: Double] = [:]
    ) {
        self.index = point.index; self.id = point.id; self.overrides = point.overrides
        self.status = status; self.error = error; self.metrics = metrics; self.wallSeconds = wallSeconds
    }

    /// Why this stored result cannot be the result of `point` in a sweep of evaluation `kinds`, or nil. A point.json is
    /// the only record of a finished point, and resume and merge copy it into the table as it is: a hand-edited or
    /// misplaced file (index 99, overrides `pe.rows=999` under the directory of `pe.rows=16`, a metric of an evaluator
    /// the sweep does not run) would put a row in the table that no evaluation produced (reliability report D15).
    public func problem(for point: SweepPoint, kinds: [String]) -> String? {
        if kind != "sweep-point" { return "field 'kind' is '\(kind)', expected 'sweep-point'" }
        if id != point.id { return "field 'id' is '\(id)', but the file is in the directory of point \(point.id)" }
        if index != point.index {
            return "field 'index' is \(index), but point \(point.id) is number \(point.index) of the grid"
        }
        if overrides != point.overrides {
            return "field 'overrides' is \(overrides), but point \(point.id) is \(point.overrides)"
        }
        switch status {
        case .ok where error != nil: return "status 'ok' with an error"
        case .failed where (error ?? "").isEmpty: return "status 'failed' without an error"
        default: break
        }
        for name in metrics.keys.sorted() {
            guard let dot = name.firstIndex(of: "."), kinds.contains(String(name[..<dot])) else {
                return "metric '\(name)' is not one of the sweep's evaluators (\(kinds.joined(separator: ", ")))"
            }
        }
        if status == .ok, metrics.isEmpty { return "status 'ok' without metrics" }
        for (name, seconds) in wallSeconds.sorted(by: { $0.key < $1.key })
        where !kinds.contains(name) || !(seconds >= 0) {
            return "wall_seconds '\(name)' is \(seconds), expected an evaluator of the sweep and seconds >= 0"
        }
        return nil
    }
}
