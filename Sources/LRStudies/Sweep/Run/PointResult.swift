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
}
