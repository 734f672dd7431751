/// What a resource does in one cycle. Every cycle of every resource is exactly one of these.
public enum ResourceState: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Executing a task.
    case busy = 0
    /// Has work but waits for input data (a producer's result, an empty input FIFO, losses not yet broadcast).
    case starved = 1
    /// Has work but waits on a resource: DRAM, an SRAM port, a full output FIFO, the noise generator, a link.
    case blocked = 2
    /// Nothing to do (finished, or held back by an ordering rule such as the iteration barrier).
    case idle = 3
}

/// Why a resource is starved, blocked or idle. Every stall interval in the report and the timeline names one.
public enum StallReason: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Busy, or idle with no work queued.
    case none = 0
    /// Starved: waiting for another task's result (a data dependency: a loss, a broadcast, a previous layer).
    case dependency = 1
    /// Starved: the input FIFO does not yet hold the words the next tile consumes.
    case fifoEmpty = 2
    /// Blocked: a DRAM transfer (a tile's spilled operands or explicit loads, posted spill writes, the batch load).
    case dram = 3
    /// Blocked: an SRAM buffer's ports deliver the tile's operands more slowly than the array consumes them.
    case sram = 4
    /// Blocked: the output FIFO has no room for the tile's words (back-pressure from the consumer).
    case fifoFull = 5
    /// Blocked: the noise generator has not produced the tile's noise yet.
    case noise = 6
    /// Blocked: a transfer or collective on an on-chip or chip-to-chip link, or the loss broadcast bus.
    case interconnect = 7
    /// Idle: held back by an ordering rule (iteration barrier, sequential schedule, weight staleness, pipeline flush).
    case control = 8

    /// The name used in JSON reports, CSV files and timelines.
    public var name: String {
        switch self {
        case .none: return "none"
        case .dependency: return "dependency"
        case .fifoEmpty: return "fifo_empty"
        case .dram: return "dram"
        case .sram: return "sram"
        case .fifoFull: return "fifo_full"
        case .noise: return "noise"
        case .interconnect: return "interconnect"
        case .control: return "control"
        }
    }
}

/// Cycles a resource spent in each state, and the starved/blocked/idle cycles split by reason.
public struct StateCycles: Sendable, Hashable, Codable {
    public var busy = 0, starved = 0, blocked = 0, idle = 0
    /// Indexed by `StallReason.rawValue`: the cycles charged to each reason (busy cycles are under `.none`).
    public var byReason: [Int] = Array(repeating: 0, count: StallReason.allCases.count)

    public init() {}
    public var total: Int { busy &+ starved &+ blocked &+ idle }
    public var utilization: Double { total == 0 ? 0 : Double(busy) / Double(total) }

    /// Cycles charged to `reason` (in whatever state it applied to).
    public func cycles(_ reason: StallReason) -> Int { byReason[reason.rawValue] }

    @inlinable mutating func add(_ state: ResourceState, _ reason: StallReason, _ cycles: Int) {
        switch state {
        case .busy: busy &+= cycles
        case .starved: starved &+= cycles
        case .blocked: blocked &+= cycles
        case .idle: idle &+= cycles
        }
        byReason[reason.rawValue] &+= cycles
    }

    @inlinable mutating func add(_ state: ResourceState, _ cycles: Int) { add(state, .none, cycles) }

    static func += (a: inout StateCycles, b: StateCycles) {
        a.busy &+= b.busy; a.starved &+= b.starved; a.blocked &+= b.blocked; a.idle &+= b.idle
        for i in a.byReason.indices { a.byReason[i] &+= b.byReason[i] }
    }
}
