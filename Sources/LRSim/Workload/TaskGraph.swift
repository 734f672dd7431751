/// The engine's input: the resources of a machine and a stream of tasks that run on them.
///
/// Resources (units, FIFOs, SRAM buffers, memories, resident blocks) are fixed when the machine is built. Tasks are
/// appended in a topological order, which is also the program order of every unit; the engine consumes them as they
/// come and forgets finished ones, so a workload builder can emit one iteration at a time and memory stays bounded
/// whatever the number of iterations (`TaskStore`). Tests build small graphs by hand to check the engine against
/// closed-form cycle counts. Every resource is accounted by the engine cycle by cycle as busy, starved, blocked or idle.
public struct TaskGraph: Sendable {
    public internal(set) var units: [UnitDescriptor] = []
    public internal(set) var fifos: [FIFODescriptor] = []
    public internal(set) var buffers: [BufferDescriptor] = []
    /// Off-chip memories, one per chip (index = chip).
    public internal(set) var memories: [MemoryDescriptor] = []
    /// Blocks on chip (or spilled to DRAM) from cycle 0 and never freed: the weights.
    public internal(set) var residents: [AllocationDescriptor] = []
    /// Notes the builder wants in the report (for example FIFOs widened to hold one tile).
    public var warnings: [String] = []
    /// The accelerator clock (converts a structured DRAM's own cycles back into the engine's).
    public var clockHz: Double = 1e9
    /// GEMMs whose operands may stream from DRAM through the stage's scratchpads (`TaskDescriptor.gemm` indexes it).
    public internal(set) var gemms: [GemmTileSpec] = []
    var gemmIndex: [GemmTileSpec: Int32] = [:]
    /// The sum of every emitted task's action counts: what a complete run must execute.
    public internal(set) var totals = ActionCounts()
    /// Tasks emitted so far (finished ones included).
    public var taskCount: Int { store.base &+ store.tasks.count }

    var store = TaskStore()

    /// A graph whose chip 0 has the simple DRAM channel `dram`.
    public init(dram: DRAMDescriptor) {
        memories = [
            MemoryDescriptor(
                name: "dram",
                device: SimpleChannel(
                    bytesPerCycle: dram.bytesPerCycle,
                    latencyCycles: dram.latencyCycles))
        ]
    }

    /// A graph with the given off-chip memories (one per chip).
    public init(memories: [MemoryDescriptor]) { self.memories = memories }

    /// Bytes of a block.
    public func bytes(of a: AllocationID) -> Int { allocation(a).bytes }

    func allocation(_ a: AllocationID) -> AllocationDescriptor {
        a.index < 0 ? residents[~a.index] : store.allocations[a.index &- store.allocationBase]
    }
}

public struct UnitID: Sendable, Hashable, Codable { public var index: Int }
public struct FIFOID: Sendable, Hashable, Codable { public var index: Int }
public struct BufferID: Sendable, Hashable, Codable { public var index: Int }
/// A block of a buffer. Resident blocks have negative indices (`~k` for the k-th resident block).
public struct AllocationID: Sendable, Hashable, Codable { public var index: Int }
public struct TaskID: Sendable, Hashable, Codable { public var index: Int }

/// What kind of hardware a unit is (for reports, leakage energy and the waveform).
public enum UnitKind: String, Sendable, Hashable, Codable {
    case array, vector, loss, bus, dma, noise, link
}

/// The order in which a unit takes its tasks.
public enum QueueDiscipline: Sendable, Hashable {
    /// In the order the tasks were added (a stage controller running its program).
    case programOrder
    /// In the order they become ready, ties by task id (a shared, FIFO-arbitrated resource such as the bus or a link).
    case arrivalOrder
}

public struct UnitDescriptor: Sendable, Hashable {
    public var name: String
    public var kind: UnitKind
    /// The stage the unit belongs to (`""` for chip-level units).
    public var stage: String
    public var discipline: QueueDiscipline
    /// PEs, lanes or generators: what leakage energy and MAC utilisation scale with.
    public var width: Int
    /// The chip the unit is on (its DRAM is `memories[chip]`).
    public var chip: Int
}

/// A FIFO between two units, carrying words: a producer's tile enters when its words fit (or the FIFO is empty); the
/// words reach the consumer after the transfer over the FIFO's port (`wordsPerCycle`) and the link latency; a consumer's
/// tile starts when its words have arrived.
public struct FIFODescriptor: Sendable, Hashable {
    public var name: String
    public var capacityWords: Int
    public var wordBytes: Int
    /// Words the write port (and the link behind it) moves per cycle; 0 = unlimited.
    public var wordsPerCycle: Double = 0
    /// Cycles from the end of a transfer until the consumer sees the words (an on-chip link's latency).
    public var latencyCycles: Int = 0
}

/// What a buffer holds (reports group peak memory by it).
public enum BufferRole: String, Sendable, Hashable, Codable {
    case weights, inputs, noise, accumulators, activations
}

/// An SRAM buffer. A block allocated beyond its free capacity is split once: the part that fits stays on chip, the rest
/// lives in DRAM and streams through the tiles of every task that reads or writes it (prefetched one tile ahead).
public struct BufferDescriptor: Sendable, Hashable {
    public var name: String
    public var stage: String
    public var role: BufferRole
    public var capacityBytes: Int
    /// Port bandwidth: bytes per cycle the read ports (write ports) deliver; 0 = unlimited.
    public var readBytesPerCycle: Int = 0
    public var writeBytesPerCycle: Int = 0
    /// The chip whose DRAM takes the spills.
    public var chip: Int = 0
}

/// A block of a buffer: allocated at the start of one task (or resident from the start), read by others, freed when
/// one task completes.
public struct AllocationDescriptor: Sendable, Hashable {
    public var buffer: BufferID
    public var bytes: Int
    /// Resident from cycle 0 (weights), not allocated by a task.
    public var resident: Bool
}

/// An off-chip memory and its timing model.
public struct MemoryDescriptor: Sendable {
    public var name: String
    public var device: any MemoryDevice
    public init(name: String, device: any MemoryDevice) { self.name = name; self.device = device }
}

/// A task's traffic to a block: `bytes` read or written (a whole block once by default). The part of the block that
/// spilled moves through DRAM in the same proportion.
public struct Access: Sendable, Hashable {
    public var allocation: AllocationID
    /// nil: the whole block once.
    public var bytes: Int?
    public init(_ allocation: AllocationID, bytes: Int? = nil) { self.allocation = allocation; self.bytes = bytes }
}

/// Why a waiting task cannot start: the dependency's kind decides how the unit's wait is accounted.
public enum DependencyKind: UInt8, Sendable, Hashable {
    /// Waiting for data another task produces: the unit is starved.
    case data
    /// Waiting for a shared resource's work (a DRAM load, a link transfer): the unit is blocked.
    case resource
    /// An ordering rule (iteration barrier, sequential schedule, weight staleness): the unit is idle.
    case control
}

/// What a task is, for names in the timeline and per-kind summaries.
public enum TaskKind: String, Sendable, Hashable, Codable, CaseIterable {
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
    case transfer = "xfer"
    case reduce = "reduce"
    case allReduce = "allreduce"
    case weightBroadcast = "wbcast"
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
    /// Micro-batch of a pipelined backprop schedule (-1 when none).
    public var microbatch: Int32 = -1
    /// Cycles the unit computes (over all tiles).
    public var cycles: Int
    /// Tiles the task streams through: each tile computes its share of `cycles`, pops its share of the input FIFO's
    /// words, pushes its share of the output words, and moves its share of every spilled operand through DRAM, the
    /// next tile's DRAM data being prefetched while this one computes.
    public var tiles: Int = 1
    /// Cycles after the unit is released until dependents see the result (pipelined latency of a bus or loss unit).
    public var latency: Int = 0
    /// The task's main GEMM (index into `TaskGraph.gemms`, -1: none). When its IFMAP or filter operand has spilled to
    /// DRAM, the task's tiles follow that operand's scratchpad fills (`GemmTileProgram`) instead of equal parts.
    public var gemm: Int32 = -1
    /// Noise generator unit and cycles it needs: a tile cannot finish before its share of the noise is produced.
    public var noiseUnit: UnitID? = nil
    public var noiseCycles: Int = 0
    /// FIFO popped (`fifoInWords` over the tiles) / pushed (`fifoOutWords` over the tiles).
    public var fifoIn: FIFOID? = nil
    public var fifoInWords: Int = 0
    public var fifoOut: FIFOID? = nil
    public var fifoOutWords: Int = 0
    /// Explicit DRAM traffic (batch loads, link staging): streamed over the tiles like spilled operands.
    public var dramReadBytes: Int = 0
    public var dramWriteBytes: Int = 0
    public var counts: ActionCounts = ActionCounts()
    // Global offsets into the store's flat lists.
    var dependencies: Range<Int> = 0..<0
    var allocates: Range<Int> = 0..<0
    var reads: Range<Int> = 0..<0
    var writes: Range<Int> = 0..<0
    var frees: Range<Int> = 0..<0

    public init(unit: UnitID, kind: TaskKind, cycles: Int) {
        self.unit = unit; self.kind = kind; self.cycles = cycles
    }

    /// A readable name: `fwd L1 it3`, `copy L2 p0 k5 it0`, `bwd L0 mb2 it1`.
    public var name: String { TaskLabel(self).description }
}

/// The compact identity of a task, kept by recordings after the task itself is forgotten.
public struct TaskLabel: Sendable, Hashable, CustomStringConvertible {
    public var kind: TaskKind
    public var iteration: Int32, layer: Int32, perturbed: Int32, copy: Int32, microbatch: Int32

    public init(_ t: TaskDescriptor) {
        kind = t.kind; iteration = t.iteration; layer = t.layer; perturbed = t.perturbed; copy = t.copy
        microbatch = t.microbatch
    }

    public var description: String {
        var s = kind.rawValue
        if layer >= 0 { s += " L\(layer)" }
        if perturbed >= 0 { s += " p\(perturbed)" }
        if copy >= 0 { s += " k\(copy)" }
        if microbatch >= 0 { s += " mb\(microbatch)" }
        s += " it\(iteration)"
        return s
    }
}

/// The simple off-chip channel: one transfer at a time in arrival order, `ceil(bytes / bytes_per_cycle)` cycles
/// occupied, the latency paid on top (pipelined, so it overlaps later transfers).
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
    public mutating func addUnit(
        _ name: String, kind: UnitKind, stage: String = "",
        discipline: QueueDiscipline = .programOrder, width: Int = 1, chip: Int = 0
    ) -> UnitID {
        units.append(
            UnitDescriptor(name: name, kind: kind, stage: stage, discipline: discipline, width: width, chip: chip))
        return UnitID(index: units.count - 1)
    }

    @discardableResult
    public mutating func addFIFO(
        _ name: String, capacityWords: Int, wordBytes: Int, wordsPerCycle: Double = 0,
        latencyCycles: Int = 0
    ) -> FIFOID {
        fifos.append(
            FIFODescriptor(
                name: name, capacityWords: capacityWords, wordBytes: wordBytes,
                wordsPerCycle: wordsPerCycle, latencyCycles: latencyCycles))
        return FIFOID(index: fifos.count - 1)
    }

    @discardableResult
    public mutating func addBuffer(
        _ name: String, stage: String, role: BufferRole, capacityBytes: Int,
        readBytesPerCycle: Int = 0, writeBytesPerCycle: Int = 0, chip: Int = 0
    ) -> BufferID {
        buffers.append(
            BufferDescriptor(
                name: name, stage: stage, role: role, capacityBytes: capacityBytes,
                readBytesPerCycle: readBytesPerCycle, writeBytesPerCycle: writeBytesPerCycle,
                chip: chip))
        return BufferID(index: buffers.count - 1)
    }

    /// A block of `bytes` in `buffer`; `resident` blocks occupy it from cycle 0 (in allocation order).
    @discardableResult
    public mutating func addAllocation(in buffer: BufferID, bytes: Int, resident: Bool = false) -> AllocationID {
        let d = AllocationDescriptor(buffer: buffer, bytes: bytes, resident: resident)
        if resident {
            residents.append(d)
            return AllocationID(index: ~(residents.count - 1))
        }
        store.allocations.append(d)
        return AllocationID(index: store.allocationBase &+ store.allocations.count &- 1)
    }

    /// Appends a task. Dependencies must already exist (the graph is built in a topological order, which is also the
    /// program order of every unit).
    @discardableResult
    public mutating func addTask(
        _ task: TaskDescriptor, after deps: [(TaskID, DependencyKind)] = [],
        allocates: [AllocationID] = [], reads: [Access] = [], writes: [Access] = [],
        frees: [AllocationID] = []
    ) -> TaskID {
        var t = task
        precondition(t.tiles >= 1, "a task has at least one tile")
        let id = taskCount
        let d0 = store.dependencyBase &+ store.dependencyTargets.count
        for (d, k) in deps {
            precondition(d.index < id, "dependency on a later task")
            store.dependencyTargets.append(d.index); store.dependencyKinds.append(k)
        }
        t.dependencies = d0..<(store.dependencyBase &+ store.dependencyTargets.count)
        func refs(_ list: [Access]) -> Range<Int> {
            let a = store.accessBase &+ store.accesses.count
            for x in list {
                let bytes = x.bytes ?? allocation(x.allocation).bytes
                store.accesses.append(StoredAccess(allocation: x.allocation.index, bytes: bytes))
            }
            return a..<(store.accessBase &+ store.accesses.count)
        }
        t.allocates = refs(allocates.map { Access($0) }); t.reads = refs(reads); t.writes = refs(writes)
        t.frees = refs(frees.map { Access($0) })
        store.tasks.append(t)
        totals += t.counts
        return TaskID(index: id)
    }

    /// Appends a task whose reads and writes are whole blocks, once.
    @discardableResult
    public mutating func addTask(
        _ task: TaskDescriptor, after deps: [(TaskID, DependencyKind)] = [],
        allocates: [AllocationID] = [], reads: [AllocationID], writes: [AllocationID] = [],
        frees: [AllocationID] = []
    ) -> TaskID {
        addTask(
            task, after: deps, allocates: allocates, reads: reads.map { Access($0) },
            writes: writes.map { Access($0) }, frees: frees)
    }

    /// Adds a dependency to the most recently added task (used for ordering rules decided after the task was built).
    public mutating func addDependency(of task: TaskID, on dep: TaskID, kind: DependencyKind) {
        precondition(task.index == taskCount - 1, "dependencies can only be added to the last task")
        precondition(dep.index < task.index, "dependency on a later task")
        store.dependencyTargets.append(dep.index); store.dependencyKinds.append(kind)
        let i = store.tasks.count - 1
        store.tasks[i].dependencies =
            store.tasks[i].dependencies.lowerBound..<(store.dependencyBase &+ store.dependencyTargets.count)
    }

    /// The index of `spec` in `gemms`, added on first use.
    public mutating func gemmIndex(_ spec: GemmTileSpec) -> Int32 {
        if let i = gemmIndex[spec] { return i }
        gemms.append(spec)
        let i = Int32(gemms.count - 1)
        gemmIndex[spec] = i
        return i
    }

    /// The task with global id `id`, while the engine has not forgotten it.
    public func task(_ id: TaskID) -> TaskDescriptor { store.tasks[id.index &- store.base] }
}

/// A stored access: block id (negative for residents) and bytes moved.
struct StoredAccess: Sendable, Hashable {
    var allocation: Int
    var bytes: Int
}

/// The tasks not yet forgotten, with their flat lists. Each list has a base: the global index of its first element,
/// which grows when the engine drops a finished prefix.
struct TaskStore: Sendable {
    var base = 0
    var tasks: [TaskDescriptor] = []
    var dependencyBase = 0
    var dependencyTargets: [Int] = []
    var dependencyKinds: [DependencyKind] = []
    var accessBase = 0
    var accesses: [StoredAccess] = []
    var allocationBase = 0
    var allocations: [AllocationDescriptor] = []

    /// Forgets tasks below `task` and allocations below `allocation` (all finished; their list entries unused).
    mutating func drop(tasksBelow task: Int, allocationsBelow allocation: Int) {
        let n = task &- base
        if n > 0 {
            let next = n < tasks.count ? tasks[n] : nil
            let deps = (next?.dependencies.lowerBound ?? dependencyBase &+ dependencyTargets.count) &- dependencyBase
            let accs = (next?.allocates.lowerBound ?? accessBase &+ accesses.count) &- accessBase
            tasks.removeFirst(n); base &+= n
            dependencyTargets.removeFirst(deps); dependencyKinds.removeFirst(deps); dependencyBase &+= deps
            accesses.removeFirst(accs); accessBase &+= accs
        }
        let m = allocation &- allocationBase
        if m > 0 { allocations.removeFirst(m); allocationBase &+= m }
    }
}

extension TaskGraph {
    /// An empty graph that holds a place while the real one is elsewhere.
    static var placeholder: TaskGraph { TaskGraph(memories: []) }
}
