import LRSim

/// `lrsim sim --compare` (and the demo's `sim-compare.json`): one sim report per estimator, on the same hardware.
public struct SimComparison: Sendable, Codable, Equatable {
    public var kind = "sim-compare"
    public var runs: [SimReport]

    public init(runs: [SimReport]) { self.runs = runs }
}
