import LRTrain

/// What a sweep runs: the base hardware model, the axes, and the settings of each evaluation kind. Written to
/// `OUT/sweep-spec.json`; `sweep merge` refuses to join directories whose specs differ, and a resumed run must match.
public struct SweepSpec: Sendable, Codable, Equatable {
    public var kind = "sweep-spec"
    /// The base hardware model file, as given.
    public var hw: String
    public var axes: [SweepAxis]
    /// Evaluation kinds in the order they run at each point: `sim`, `replay`, `train`.
    public var kinds: [String]
    /// The simulated workload (kind `sim`) as asked for; each point's `workload.*` axes replace its values.
    public var sim: SimWorkloadOptions?
    /// The trace replayed (kind `replay`).
    public var replay: ReplaySettings?
    /// Quantized-in-the-loop training (kind `train`) on each point's datapath.
    public var train: TrainingConfiguration?

    public init(
        hw: String, axes: [SweepAxis], kinds: [String], sim: SimWorkloadOptions? = nil, replay: ReplaySettings? = nil,
        train: TrainingConfiguration? = nil
    ) {
        self.hw = hw; self.axes = axes; self.kinds = kinds; self.sim = sim; self.replay = replay; self.train = train
    }

    public struct ReplaySettings: Sendable, Codable, Equatable {
        public var trace: String
        /// Steps to replay (nil: every recorded step).
        public var steps: [UInt64]?
        /// Check every gradient against the exact GMP reference.
        public var exact: Bool
        public init(trace: String, steps: [UInt64]? = nil, exact: Bool = true) {
            self.trace = trace; self.steps = steps; self.exact = exact
        }
    }
}
