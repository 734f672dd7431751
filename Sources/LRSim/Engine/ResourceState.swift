/// What a resource does in one cycle. Every cycle of every resource is exactly one of these.
public enum ResourceState: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Executing a task.
    case busy = 0
    /// Has work but waits for input data (a producer's result, an empty input FIFO, losses not yet broadcast).
    case starved = 1
    /// Has work but waits on a resource: full output FIFO, DRAM, the bus, the noise generator.
    case blocked = 2
    /// Nothing to do (finished, or held back by an ordering rule such as the iteration barrier).
    case idle = 3
}

/// Cycles a resource spent in each state.
public struct StateCycles: Sendable, Hashable, Codable {
    public var busy = 0, starved = 0, blocked = 0, idle = 0
    public init() {}
    public var total: Int { busy &+ starved &+ blocked &+ idle }
    public var utilization: Double { total == 0 ? 0 : Double(busy) / Double(total) }
    @inlinable mutating func add(_ state: ResourceState, _ cycles: Int) {
        switch state {
        case .busy: busy &+= cycles
        case .starved: starved &+= cycles
        case .blocked: blocked &+= cycles
        case .idle: idle &+= cycles
        }
    }
}
