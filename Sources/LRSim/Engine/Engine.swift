/// The event-driven, cycle-resolution engine.
///
/// Time jumps from one event to the next; between two events every resource keeps its state, so the skipped cycles are
/// charged to that state and its reason. Work is tile-granular: a task streams through its tiles, and a tile's life on
/// its unit is
///
///     DRAM data of the tile (prefetched while the previous tile computed)  ->  input FIFO words of the tile
///     ->  compute (at least as long as the SRAM ports and the noise generator need for the tile)
///     ->  posted DRAM writes of the tile's spills  ->  push the tile's words into the output FIFO (blocks while full;
///         the consumer sees them after the FIFO port and link time)  ->  next tile
///
/// and once the last tile is pushed and its writes are done the unit is released; after `latency` its dependents see
/// the result. Only the units an event concerns are re-examined (a worklist), so the cost per event does not grow with
/// the machine. Tasks come from a `TaskSource` one batch (iteration) at a time, and finished tasks are forgotten:
/// memory stays bounded by the iterations in flight, not the iterations simulated.
public struct Engine {
    public var recordActivity: Bool

    public init(recordActivity: Bool = false) { self.recordActivity = recordActivity }

    /// Runs a graph whose tasks were all added up front (hand-built graphs, tests).
    public init(graph: TaskGraph, recordActivity: Bool = false) {
        self.recordActivity = recordActivity
        self.staticGraph = graph
    }

    var staticGraph: TaskGraph?

    /// Runs the static graph given to `init(graph:)`.
    public func run() throws -> EngineResult {
        guard let g = staticGraph else { preconditionFailure("Engine.run() needs init(graph:)") }
        var source = StaticSource(graph: g)
        return try run(source: &source)
    }

    /// Runs the tasks `source` emits, batch by batch, until it has no more and every task has completed.
    public func run<S: TaskSource>(source: inout S) throws -> EngineResult {
        var graph = TaskGraph.placeholder
        swap(&graph, &source.graph)
        var run = EngineRun(graph: consume graph, record: recordActivity, lookahead: source.lookahead)
        defer { swap(&run.g, &source.graph) }
        return try run.execute(&source)
    }
}

/// Emits a workload's tasks into its graph one batch at a time (a batch is normally one training iteration).
public protocol TaskSource {
    /// The graph the tasks are added to (resources fixed; tasks appended by `emitBatch`).
    var graph: TaskGraph { get set }
    /// Appends the next batch of tasks to `graph`; returns false when there is nothing more to emit.
    mutating func emitBatch() throws -> Bool
    /// Iterations whose every task has been emitted.
    var completeIterations: Int { get }
    /// How many iterations past the oldest unfinished one must be emitted so that no unit ever waits for a task that
    /// is not emitted yet (bounded by the schedule: the iterations that can be in flight at once).
    var lookahead: Int { get }
}

/// A graph emitted all at once.
struct StaticSource: TaskSource {
    var graph: TaskGraph
    var done = false
    mutating func emitBatch() throws -> Bool { false }
    var completeIterations: Int { Int.max }
    var lookahead: Int { Int.max }
}

/// What one run produced.
public struct EngineResult: Sendable {
    /// Cycle at which the last task completed.
    public var cycles: Int
    /// Per unit, in `graph.units` order.
    public var unitCycles: [StateCycles]
    /// Per chip's off-chip memory: cycles its data bus was busy.
    public var dramBusyCycles: [Int]
    public var dramReadBytes: Int
    public var dramWriteBytes: Int
    /// Of which spills (buffer overflow traffic).
    public var spillReadBytes: Int
    public var spillWriteBytes: Int
    /// Per buffer: peak on-chip bytes, peak demanded bytes (on chip + spilled, alive at once), bytes that spilled.
    public var bufferPeakBytes: [Int]
    public var bufferPeakDemandBytes: [Int]
    public var bufferSpilledBytes: [Int]
    /// Per FIFO: peak words (reserved by pushes in flight or waiting to be popped).
    public var fifoPeakWords: [Int]
    /// Counts summed over executed tasks.
    public var executed: ActionCounts
    public var tasksExecuted: Int
    /// Per unit: tasks completed and their counts.
    public var unitTasks: [Int]
    public var unitCounts: [ActionCounts]
    /// Per iteration, the cycle its last task completed.
    public var iterationEnd: [Int]
    /// The most tasks the engine held at once (emitted but not yet forgotten): what bounds its memory.
    public var peakLiveTasks: Int
    public var recording: Recording?

    /// The DRAM channel busy cycles summed over chips (the single channel's, on one chip).
    public var dramCycles: StateCycles {
        var s = StateCycles()
        for b in dramBusyCycles { s.add(.busy, b); s.add(.idle, max(0, cycles &- b)) }
        return s
    }
}
