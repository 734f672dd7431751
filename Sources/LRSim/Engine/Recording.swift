/// What the engine records for waveforms and timelines (only when asked: it costs memory proportional to the run).
public struct Recording: Sendable {
    /// A unit entering a state, with the reason, at a cycle.
    public struct StateChange: Sendable, Hashable {
        public var cycle: Int; public var unit: Int; public var state: ResourceState; public var reason: StallReason
    }
    /// A task on a unit from its start (DRAM prefetch included) to its release of the unit.
    public struct TaskSpan: Sendable, Hashable {
        public var unit: Int; public var label: TaskLabel; public var start: Int; public var end: Int
    }
    /// A level (FIFO words, buffer bytes, DRAM bytes moved so far) from a cycle on.
    public struct Level: Sendable, Hashable { public var cycle: Int; public var index: Int; public var value: Int }

    /// In cycle order per unit (noise generators' intervals are recorded when requested, ahead of time, and sorted
    /// into place when the run ends).
    public var states: [StateChange] = []
    public var tasks: [TaskSpan] = []
    /// `index` is the FIFO index; value the words arrived and not yet popped.
    public var fifoLevels: [Level] = []
    /// `index` is the buffer index; value the on-chip bytes.
    public var bufferLevels: [Level] = []
    /// `index` 0 = cumulative DRAM bytes read, 1 = written (sampled when a request is issued).
    public var dramTraffic: [Level] = []
    public init() {}
}
