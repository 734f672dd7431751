/// The engine's input: the resources of a machine and a DAG of tasks that run on them.
///
/// The workload builders (`WorkloadBuilder`) produce it from a network, an estimator and a hardware model; tests build
/// small graphs by hand to check the engine against closed-form cycle counts. Every resource is accounted by the engine
/// cycle by cycle as busy, starved, blocked or idle.
public struct TaskGraph: Sendable {
    public internal(set) var units: [UnitDescriptor] = []
    public internal(set) var fifos: [FIFODescriptor] = []
    public internal(set) var buffers: [BufferDescriptor] = []
    public internal(set) var allocations: [AllocationDescriptor] = []
    public internal(set) var tasks: [TaskDescriptor] = []
    /// The shared off-chip channel.
    public var dram: DRAMDescriptor
    /// Notes the builder wants in the report (for example FIFOs widened to hold one item).
    public var warnings: [String] = []

    // Flat storage of per-task lists; `TaskDescriptor` holds ranges into them.
    var dependencyTargets: [Int32] = []
    var dependencyKinds: [DependencyKind] = []
    var allocationRefs: [Int32] = []

    public init(dram: DRAMDescriptor) { self.dram = dram }

    /// The sum of every task's action counts: what a complete run must execute.
    public var totals: ActionCounts {
        var c = ActionCounts()
        for t in tasks { c += t.counts }
        return c
    }
}

public struct UnitID: Sendable, Hashable, Codable { public var index: Int }
public struct FIFOID: Sendable, Hashable, Codable { public var index: Int }
public struct BufferID: Sendable, Hashable, Codable { public var index: Int }
public struct AllocationID: Sendable, Hashable, Codable { public var index: Int }
public struct TaskID: Sendable, Hashable, Codable { public var index: Int }

/// What kind of hardware a unit is (for reports, leakage energy and the waveform).
public enum UnitKind: String, Sendable, Hashable, Codable {
    case array, vector, loss, bus, dma, noise
}

/// The order in which a unit takes its tasks.
public enum QueueDiscipline: Sendable, Hashable {
    /// In the order the tasks were added (a stage controller running its program).
    case programOrder
    /// In the order they become ready, ties by task id (a shared, FIFO-arbitrated resource such as the bus).
    case arrivalOrder
}

public struct UnitDescriptor: Sendable, Hashable {
    public var name: String
    public var kind: UnitKind
    /// The stage the unit belongs to (`""` for chip-level units).
    public var stage: String
    public var discipline: QueueDiscipline
    /// PEs, lanes or generators: what leakage energy scales with.
    public var width: Int
}

/// A FIFO between two units: capacity in words; a producer blocks while its item does not fit; a consumer starves while
/// it is empty.
public struct FIFODescriptor: Sendable, Hashable {
    public var name: String
    public var capacityWords: Int
    public var wordBytes: Int
}

/// What a buffer holds (reports group peak memory by it).
public enum BufferRole: String, Sendable, Hashable, Codable {
    case weights, inputs, noise, accumulators, activations
}

/// An SRAM buffer. Allocations beyond its capacity spill to DRAM: the spilled part is written after the allocating task
/// computes and read back before every task that reads it.
public struct BufferDescriptor: Sendable, Hashable {
    public var name: String
    public var stage: String
    public var role: BufferRole
    public var capacityBytes: Int
}

/// A block of a buffer: allocated at the start of one task (or resident from the start), read by others, freed at the
/// end of one task.
public struct AllocationDescriptor: Sendable, Hashable {
    public var buffer: BufferID
    public var bytes: Int
    /// Resident from cycle 0 (weights), not allocated by a task.
    public var resident: Bool
}

/// Why a waiting task cannot start: the dependency's kind decides how the unit's wait is accounted.
public enum DependencyKind: UInt8, Sendable, Hashable {
    /// Waiting for data another task produces: the unit is starved.
    case data
    /// Waiting for a shared resource's work (a DRAM load, the bus): the unit is blocked.
    case resource
    /// An ordering rule (iteration barrier, sequential schedule, weight staleness): the unit is idle.
    case control
}

/// What a task is, for names in the timeline and per-kind summaries.
public enum TaskKind: String, Sendable, Hashable, Codable {
    case inputLoad = "load"
    case forward = "fwd"
    case perturb = "perturb"
    case copyForward = "copy"
    case loss = "loss"
    case broadcast = "bcast"
    case accumulate = "acc"
    case gradient = "grad"
    case update = "update"
    case lossGradient = "dloss"
    case backward = "bwd"
    case generic = "task"
}

public struct TaskDescriptor: Sendable, Hashable {
    public var unit: UnitID
    public var kind: TaskKind
    public var iteration: Int32 = 0
    /// Parametric layer the task computes (-1 when none).
    public var layer: Int32 = -1
    /// Perturbed layer of a noisy copy (-1 for the clean pass).
    public var perturbed: Int32 = -1
    /// First copy of the copy group (-1 when none).
    public var copy: Int32 = -1
    /// Cycles the unit is occupied computing.
    public var cycles: Int
    /// Cycles after the unit is released until dependents see the result (pipelined latency of a bus or loss unit).
    public var latency: Int = 0
    /// Noise generator unit and cycles it needs: the compute cannot finish before the noise is produced.
    public var noiseUnit: UnitID? = nil
    public var noiseCycles: Int = 0
    /// FIFO popped (one item) at start / pushed (one item of `fifoOutWords`) at the end.
    public var fifoIn: FIFOID? = nil
    public var fifoOut: FIFOID? = nil
    public var fifoOutWords: Int = 0
    /// Explicit DRAM traffic: read before computing, written after.
    public var dramReadBytes: Int = 0
    public var dramWriteBytes: Int = 0
    public var counts: ActionCounts = ActionCounts()
    // Ranges into the graph's flat lists.
    var dependencies: Range<Int> = 0..<0
    var allocates: Range<Int> = 0..<0
    var reads: Range<Int> = 0..<0
    var writes: Range<Int> = 0..<0
    var frees: Range<Int> = 0..<0

    public init(unit: UnitID, kind: TaskKind, cycles: Int) {
        self.unit = unit; self.kind = kind; self.cycles = cycles
    }

    /// A readable name: `fwd L1 it3`, `copy L2 p0 k5 it0`.
    public var name: String {
        var s = kind.rawValue
        if layer >= 0 { s += " L\(layer)" }
        if perturbed >= 0 { s += " p\(perturbed)" }
        if copy >= 0 { s += " k\(copy)" }
        s += " it\(iteration)"
        return s
    }
}

/// The off-chip channel: one transfer at a time in arrival order, `ceil(bytes / bytes_per_cycle)` cycles occupied, the
/// latency paid on top (pipelined, so it overlaps later transfers).
public struct DRAMDescriptor: Sendable, Hashable {
    public var bytesPerCycle: Double
    public var latencyCycles: Int
    public init(bytesPerCycle: Double, latencyCycles: Int) {
        self.bytesPerCycle = bytesPerCycle; self.latencyCycles = latencyCycles
    }
}

// MARK: - Building

extension TaskGraph {
    @discardableResult
    public mutating func addUnit(_ name: String, kind: UnitKind, stage: String = "",
                                 discipline: QueueDiscipline = .programOrder, width: Int = 1) -> UnitID {
        units.append(UnitDescriptor(name: name, kind: kind, stage: stage, discipline: discipline, width: width))
        return UnitID(index: units.count - 1)
    }

    @discardableResult
    public mutating func addFIFO(_ name: String, capacityWords: Int, wordBytes: Int) -> FIFOID {
        fifos.append(FIFODescriptor(name: name, capacityWords: capacityWords, wordBytes: wordBytes))
        return FIFOID(index: fifos.count - 1)
    }

    @discardableResult
    public mutating func addBuffer(_ name: String, stage: String, role: BufferRole, capacityBytes: Int) -> BufferID {
        buffers.append(BufferDescriptor(name: name, stage: stage, role: role, capacityBytes: capacityBytes))
        return BufferID(index: buffers.count - 1)
    }

    /// A block of `bytes` in `buffer`; `resident` blocks occupy it from cycle 0 (in allocation order).
    @discardableResult
    public mutating func addAllocation(in buffer: BufferID, bytes: Int, resident: Bool = false) -> AllocationID {
        allocations.append(AllocationDescriptor(buffer: buffer, bytes: bytes, resident: resident))
        return AllocationID(index: allocations.count - 1)
    }

    /// Appends a task. Dependencies must already exist (the graph is built in a topological order, which is also the
    /// program order of every unit).
    @discardableResult
    public mutating func addTask(_ task: TaskDescriptor, after deps: [(TaskID, DependencyKind)] = [],
                                 allocates: [AllocationID] = [], reads: [AllocationID] = [],
                                 writes: [AllocationID] = [], frees: [AllocationID] = []) -> TaskID {
        var t = task
        let d0 = dependencyTargets.count
        for (d, k) in deps {
            precondition(d.index < tasks.count, "dependency on a later task")
            dependencyTargets.append(Int32(d.index)); dependencyKinds.append(k)
        }
        t.dependencies = d0..<dependencyTargets.count
        func refs(_ list: [AllocationID]) -> Range<Int> {
            let a = allocationRefs.count
            for x in list { allocationRefs.append(Int32(x.index)) }
            return a..<allocationRefs.count
        }
        t.allocates = refs(allocates); t.reads = refs(reads); t.writes = refs(writes); t.frees = refs(frees)
        tasks.append(t)
        return TaskID(index: tasks.count - 1)
    }

    /// Adds a dependency to the most recently added task (used for ordering rules decided after the task was built).
    public mutating func addDependency(of task: TaskID, on dep: TaskID, kind: DependencyKind) {
        precondition(task.index == tasks.count - 1, "dependencies can only be added to the last task")
        precondition(dep.index < task.index, "dependency on a later task")
        dependencyTargets.append(Int32(dep.index)); dependencyKinds.append(kind)
        tasks[task.index].dependencies = tasks[task.index].dependencies.lowerBound..<dependencyTargets.count
    }

    /// Grows the storage for `iterations` times what one iteration added (avoids repeated reallocation).
    mutating func reserveCapacity(iterations: Int) {
        let n = max(1, iterations)
        tasks.reserveCapacity(tasks.count &* n &+ 16)
        dependencyTargets.reserveCapacity(dependencyTargets.count &* n &+ 16)
        dependencyKinds.reserveCapacity(dependencyKinds.count &* n &+ 16)
        allocationRefs.reserveCapacity(allocationRefs.count &* n &+ 16)
        allocations.reserveCapacity(allocations.count &* n &+ 16)
    }

    public func dependencies(of task: TaskID) -> [(TaskID, DependencyKind)] {
        tasks[task.index].dependencies.map { (TaskID(index: Int(dependencyTargets[$0])), dependencyKinds[$0]) }
    }
}
