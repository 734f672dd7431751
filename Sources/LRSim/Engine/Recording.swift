/// What the engine records for waveforms and timelines (only when asked: it costs memory proportional to the run).
public struct Recording: Sendable {
    /// A unit entering a state at a cycle.
    public struct StateChange: Sendable, Hashable { public var cycle: Int; public var unit: Int; public var state: ResourceState }
    /// A task on a unit from its start (DRAM loads included) to its release of the unit.
    public struct TaskSpan: Sendable, Hashable { public var unit: Int; public var task: Int; public var start: Int; public var end: Int }
    /// A level (FIFO words, buffer bytes, DRAM bytes moved so far) from a cycle on.
    public struct Level: Sendable, Hashable { public var cycle: Int; public var index: Int; public var value: Int }

    public var states: [StateChange] = []
    public var tasks: [TaskSpan] = []
    /// `index` is the FIFO index.
    public var fifoLevels: [Level] = []
    /// `index` is the buffer index; value the on-chip bytes.
    public var bufferLevels: [Level] = []
    /// `index` 0 = cumulative DRAM bytes read, 1 = written (sampled when a transfer starts).
    public var dramTraffic: [Level] = []
    public init() {}
}
