/// `[clock]`: the single clock every component runs on.
public struct ClockSpec: Sendable, Equatable, Codable {
    /// `clock.hz`: frequency in Hz (1e3 ... 1e11). Converts cycles to seconds in reports.
    public var hz: Double
    public init(hz: Double = 1e9) { self.hz = hz }
    public var secondsPerCycle: Double { 1 / hz }
}

/// `[timing]`: timing conventions the simulator follows, named after the tools that define them.
public struct TimingSpec: Sendable, Equatable, Codable {
    /// `timing.systolic`: the cycle formula for systolic GEMM folds (see docs/hwmodel.md and
    /// reference/simulator-conventions.md).
    public var systolic: SystolicConvention
    /// `timing.vector_latency_cycles`: pipeline latency of one vector operation (0 ... 1024): a vector op over n elements
    /// takes `ceil(n / lanes) + vector_latency_cycles` cycles.
    public var vectorLatencyCycles: Int
    /// `timing.tiles` (1 ... 4096): the most tiles a task streams through: a consumer stage starts on its producer's
    /// first tile, and DRAM traffic of the next tile is prefetched while one computes. 1 = whole tasks.
    public var tiles: Int
    public init(systolic: SystolicConvention = .scalesim, vectorLatencyCycles: Int = 0, tiles: Int = 8) {
        self.systolic = systolic; self.vectorLatencyCycles = vectorLatencyCycles; self.tiles = tiles
    }
}

/// SCALE-Sim's GEMM cycle count (`folds * cycles_per_fold - 1`), or one more cycle, which is what RTL takes.
public enum SystolicConvention: String, Sendable, Hashable, Codable, CaseIterable {
    /// `scalesim`: `folds * cycles_per_fold - 1` (SCALE-Sim v2/v3).
    case scalesim
    /// `scalesim_rtl`: `folds * cycles_per_fold` (the RTL count SCALE-Sim's issue tracker reports).
    case scalesimRTL = "scalesim_rtl"

    /// Cycles added to SCALE-Sim's `folds * cycles_per_fold` (-1 or 0).
    public var adjustment: Int { self == .scalesim ? -1 : 0 }
}
