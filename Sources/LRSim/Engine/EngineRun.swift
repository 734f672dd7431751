/// One engine invocation's mutable state and its main loop. Task state lives in arrays indexed by `id - base`, in step
/// with the graph's `TaskStore`; both drop their finished prefix as the run moves on.
struct EngineRun {
    enum Phase: UInt8 { case waiting, fetching, computing, pushing, draining, latency, done }

    struct UnitRT {
        var queue: [Int] = []
        var head = 0
        var running = -1
        var state: ResourceState = .idle
        var reason: StallReason = .none
        var since = 0
        var cycles = StateCycles()
        var arrival = false
        var dirty = false
        /// Noise generators: busy until this cycle (requests are served back to back, first come first served).
        var freeAt = 0
    }

    struct FIFORT {
        /// Words pushed and not yet popped (in flight over the port and link included): what the capacity bounds.
        var reserved = 0
        /// Words arrived at the consumer side.
        var visible = 0
        var peak = 0
        var portFreeAt = 0
        var waiters: [Int] = []
    }

    struct BufferRT {
        var onChip = 0, demand = 0, peak = 0, peakDemand = 0, spilled = 0
        var readFreeAt = 0, writeFreeAt = 0
    }

    struct TaskRT {
        var pendingData: Int32 = 0, pendingResource: Int32 = 0, pendingControl: Int32 = 0
        var resourceReason: StallReason = .dependency
        var phase: Phase = .waiting
        var tile: Int32 = 0
        var start = 0
        /// Current tile: end of its compute cycles, and its end once SRAM ports and noise have delivered.
        var busyEnd = 0, tileEnd = 0
        var tileReason: StallReason = .none
        /// DRAM data of the current tile and of the next one (prefetched) are in.
        var dataReady = 0, nextDataReady = 0
        var writesDone = 0
        /// Input FIFO words the current tile still has to take (-1: not started taking).
        var inNeed = -1
        /// Tiles of the task, and the scratchpad program they follow (-1: equal parts).
        var tiles: Int32 = 1
        var program: Int32 = -1
        var noiseStart = 0
        /// DRAM address of the task's explicit traffic (batch loads).
        var explicitAddress = 0
        /// First dependent edge (global index), -1 when none.
        var edgeHead = -1
        var pendingTotal: Int32 { pendingData &+ pendingResource &+ pendingControl }
    }

    var g: TaskGraph
    let record: Bool
    let lookahead: Int
    var now = 0
    var events = EventQueue()
    var units: [UnitRT]
    var worklist: [Int] = []
    var fifos: [FIFORT]
    var buffers: [BufferRT]
    var memories: [any MemoryDevice]
    var dramBusy: [Int]
    /// Bump pointer of each chip's DRAM address space (spilled blocks and explicit traffic get fresh addresses).
    var dramNext: [Int]
    var dramRead = 0, dramWrite = 0, spillRead = 0, spillWrite = 0
    // Resident blocks: on-chip part, spilled part, DRAM address.
    var residentOnChip: [Int] = [], residentSpilled: [Int] = [], residentAddress: [Int] = []
    // Dynamic blocks (windowed with the store's allocationBase).
    var allocOnChip: [Int] = [], allocSpilled: [Int] = [], allocAddress: [Int] = [], allocFreed: [Bool] = []
    var lowestLiveAllocation = 0
    // Tasks (windowed with the store's base).
    var rt: [TaskRT] = []
    var registered = 0
    var lowestIncomplete = 0
    // Dependent edges: target task, kind, next edge of the same source, source.
    var edgeBase = 0
    var edgeTarget: [Int] = [], edgeKind: [DependencyKind] = [], edgeNext: [Int] = [], edgeSource: [Int] = []
    // Results.
    var executed = ActionCounts()
    var completed = 0
    var unitTasks: [Int]
    var unitCounts: [ActionCounts]
    var iterationEnd: [Int] = []
    var iterationRemaining: [Int] = []
    /// Iterations before this one are complete (the cursor only moves forward).
    var oldestUnfinished = 0
    var peakLive = 0
    var rec = Recording()
    /// Scratchpad programs by GEMM index (built when a task first streams that GEMM's operand from DRAM).
    var programs: [Int32: GemmTileProgram] = [:]
    /// The most tiles a scratchpad program may have.
    static let maxProgramTiles = 64

    init(graph: TaskGraph, record: Bool, lookahead: Int) {
        g = graph; self.record = record; self.lookahead = lookahead
        units = graph.units.map { UnitRT(arrival: $0.discipline == .arrivalOrder) }
        fifos = Array(repeating: FIFORT(), count: graph.fifos.count)
        buffers = Array(repeating: BufferRT(), count: graph.buffers.count)
        memories = graph.memories.map(\.device)
        dramBusy = Array(repeating: 0, count: graph.memories.count)
        dramNext = Array(repeating: 0, count: max(1, graph.memories.count))
        unitTasks = Array(repeating: 0, count: graph.units.count)
        unitCounts = Array(repeating: ActionCounts(), count: graph.units.count)
        // Resident blocks (weights) occupy their buffers from cycle 0, in order; what does not fit lives in DRAM.
        for r in graph.residents {
            let (on, sp) = place(bytes: r.bytes, in: r.buffer.index)
            residentOnChip.append(on); residentSpilled.append(sp)
            residentAddress.append(sp > 0 ? reserveDRAM(bytes: r.bytes, chip: graph.buffers[r.buffer.index].chip) : 0)
        }
    }

    // MARK: Main loop

    mutating func execute<S: TaskSource>(_ source: inout S) throws -> EngineResult {
        if record { recordInitialLevels() }
        var exhausted = false
        for u in units.indices { markDirty(u) }
        while true {
            // Keep the window full: every iteration up to `lookahead` past the oldest unfinished one is emitted.
            while !exhausted && source.completeIterations < oldestUnfinishedIteration(source) &+ lookahead {
                if try !emit(&source) { exhausted = true }
            }
            drainWorklist()
            compactIfWorthwhile()
            guard let next = events.nextTime else {
                if !exhausted {
                    // Nothing can move until more tasks exist (the lookahead was too small for this schedule).
                    if try !emit(&source) { exhausted = true }
                    continue
                }
                break
            }
            now = next
            while let t = events.nextTime, t == now, let e = events.pop() { apply(e) }
        }
        guard completed == g.taskCount else { throw SimulationError.deadlock(describeStuck()) }
        let end = now
        if record {
            // Generators' intervals were recorded when requested (ahead of time): put every change in cycle order.
            rec.states = rec.states.enumerated().sorted {
                ($0.element.cycle, $0.offset) < ($1.element.cycle, $1.offset)
            }
            .map(\.element)
        }
        for u in units.indices {
            if g.units[u].kind == .noise { continue }
            units[u].cycles.add(units[u].state, units[u].reason, end &- units[u].since)
        }
        for u in units.indices where g.units[u].kind == .noise {
            // Generators are busy for exactly the cycles requested of them; the rest of the run they idle.
            let busy = units[u].cycles.busy
            units[u].cycles = StateCycles()
            units[u].cycles.add(.busy, busy); units[u].cycles.add(.idle, max(0, end &- busy))
        }
        // Data-bus busy cycles from each device's counters, in accelerator cycles.
        for c in memories.indices {
            let st = memories[c].statistics
            // The mean over channels: the device is as busy as its channels are on average.
            let busy = st.total.dataBusBusyCycles / max(1, st.channels.count)
            dramBusy[c] = st.clockHz.map { Int((Double(busy) * g.clockHz / $0).rounded(.up)) } ?? busy
        }
        return EngineResult(
            cycles: end, unitCycles: units.map(\.cycles), dramBusyCycles: dramBusy,
            dramReadBytes: dramRead, dramWriteBytes: dramWrite, spillReadBytes: spillRead, spillWriteBytes: spillWrite,
            bufferPeakBytes: buffers.map(\.peak), bufferPeakDemandBytes: buffers.map(\.peakDemand),
            bufferSpilledBytes: buffers.map(\.spilled), fifoPeakWords: fifos.map(\.peak),
            executed: executed, tasksExecuted: completed, unitTasks: unitTasks, unitCounts: unitCounts,
            iterationEnd: iterationEnd, peakLiveTasks: peakLive, recording: record ? rec : nil)
    }

    /// Emits one batch and registers its tasks; false when the source had nothing more. The graph moves to the
    /// source while it appends and back after (never shared, so appending never copies it).
    mutating func emit<S: TaskSource>(_ source: inout S) throws -> Bool {
        swap(&g, &source.graph)
        let more: Bool
        do { more = try source.emitBatch() } catch { swap(&g, &source.graph); throw error }
        swap(&g, &source.graph)
        registerNewTasks()
        return more
    }

    /// The oldest iteration with an unfinished task among the completely emitted ones (or the first not completely
    /// emitted).
    mutating func oldestUnfinishedIteration<S: TaskSource>(_ source: S) -> Int {
        let complete = min(source.completeIterations, iterationRemaining.count)
        while oldestUnfinished < complete && iterationRemaining[oldestUnfinished] == 0 { oldestUnfinished &+= 1 }
        return oldestUnfinished
    }

    mutating func apply(_ e: EventQueue.Event) {
        switch e.action {
        case .wake: markDirty(Int(e.target))
        case .arrive:
            let f = Int(e.target)
            fifos[f].visible &+= e.amount
            if record { rec.fifoLevels.append(.init(cycle: now, index: f, value: fifos[f].visible)) }
            wakeWaiters(ofFIFO: f)
        case .complete: complete(Int(e.target))
        }
    }

    mutating func markDirty(_ u: Int) {
        if !units[u].dirty { units[u].dirty = true; worklist.append(u) }
    }

    /// Re-examines every unit an event touched until nothing more can happen at `now`.
    mutating func drainWorklist() {
        var i = 0
        while i < worklist.count {
            let u = worklist[i]
            i &+= 1
            units[u].dirty = false
            examine(u)
        }
        worklist.removeAll(keepingCapacity: true)
    }

    // MARK: Registration and forgetting

    /// Gives every task added since the last call its pending counts, dependent edges and queue position.
    mutating func registerNewTasks() {
        // FIFOs between replicas are created when a schedule first uses them.
        if fifos.count < g.fifos.count {
            if record {
                for f in fifos.count..<g.fifos.count { rec.fifoLevels.append(.init(cycle: now, index: f, value: 0)) }
            }
            fifos.append(contentsOf: repeatElement(FIFORT(), count: g.fifos.count &- fifos.count))
        }
        let end = g.taskCount
        rt.reserveCapacity(end &- g.store.base)
        while registered < end {
            let id = registered
            let task = g.store.tasks[id &- g.store.base]
            var r = TaskRT()
            for d in task.dependencies {
                let src = g.store.dependencyTargets[d &- g.store.dependencyBase]
                let kind = g.store.dependencyKinds[d &- g.store.dependencyBase]
                guard src >= g.store.base, rt[src &- g.store.base].phase != .done else { continue }
                switch kind {
                case .data: r.pendingData &+= 1
                case .resource:
                    r.pendingResource &+= 1
                    r.resourceReason = Self.reason(
                        waitingOn: g.units[g.store.tasks[src &- g.store.base].unit.index].kind)
                case .control: r.pendingControl &+= 1
                }
                edgeTarget.append(id); edgeKind.append(kind); edgeSource.append(src)
                edgeNext.append(rt[src &- g.store.base].edgeHead)
                rt[src &- g.store.base].edgeHead = edgeBase &+ edgeTarget.count &- 1
            }
            rt.append(r)
            let it = Int(task.iteration)
            if it >= 0 {
                while iterationRemaining.count <= it { iterationRemaining.append(0); iterationEnd.append(0) }
                iterationRemaining[it] &+= 1
            }
            let u = task.unit.index
            if !units[u].arrival || r.pendingTotal == 0 { units[u].queue.append(id); markDirty(u) }
            registered &+= 1
        }
        // Blocks added with the new tasks.
        let allocEnd = g.store.allocationBase &+ g.store.allocations.count
        let have = g.store.allocationBase &+ allocOnChip.count
        if allocEnd > have {
            let n = allocEnd &- have
            allocOnChip.append(contentsOf: repeatElement(0, count: n))
            allocSpilled.append(contentsOf: repeatElement(0, count: n))
            allocAddress.append(contentsOf: repeatElement(0, count: n))
            allocFreed.append(contentsOf: repeatElement(false, count: n))
        }
        peakLive = max(peakLive, g.store.tasks.count)
    }

    /// How a wait on a resource dependency is reported: by what the task being waited for runs on.
    static func reason(waitingOn kind: UnitKind) -> StallReason {
        switch kind {
        case .dma: return .dram
        case .link, .bus: return .interconnect
        case .noise: return .noise
        default: return .dependency
        }
    }

    /// Drops the finished prefix of tasks, edges and blocks once it is large.
    mutating func compactIfWorthwhile() {
        let dropTasks = lowestIncomplete &- g.store.base
        guard dropTasks >= 1024 && dropTasks &* 2 >= g.store.tasks.count else { return }
        while lowestLiveAllocation &- g.store.allocationBase < allocFreed.count
            && allocFreed[lowestLiveAllocation &- g.store.allocationBase]
        {
            lowestLiveAllocation &+= 1
        }
        let dropAllocs = lowestLiveAllocation &- g.store.allocationBase
        g.store.drop(tasksBelow: lowestIncomplete, allocationsBelow: lowestLiveAllocation)
        rt.removeFirst(dropTasks)
        if dropAllocs > 0 {
            allocOnChip.removeFirst(dropAllocs); allocSpilled.removeFirst(dropAllocs)
            allocAddress.removeFirst(dropAllocs); allocFreed.removeFirst(dropAllocs)
        }
        // Edges whose source is forgotten were all processed when that source completed.
        var e = 0
        while e < edgeSource.count && edgeSource[e] < g.store.base { e &+= 1 }
        if e >= 1024 && e &* 2 >= edgeSource.count {
            edgeTarget.removeFirst(e); edgeKind.removeFirst(e); edgeNext.removeFirst(e); edgeSource.removeFirst(e)
            edgeBase &+= e
        }
        for u in units.indices where units[u].head > 1024 && units[u].head &* 2 > units[u].queue.count {
            units[u].queue.removeFirst(units[u].head); units[u].head = 0
        }
    }

    func describeStuck() -> String {
        var parts: [String] = []
        for u in units.indices where units[u].head < units[u].queue.count || units[u].running >= 0 {
            let t = units[u].running >= 0 ? units[u].running : units[u].queue[units[u].head]
            let name = t >= g.store.base ? g.store.tasks[t &- g.store.base].name : "task \(t)"
            parts.append(
                "\(g.units[u].name) waits in '\(name)' (\(t >= g.store.base ? "\(rt[t &- g.store.base].phase)" : "?"))")
            if parts.count == 12 { break }
        }
        return "\(completed) of \(g.taskCount) tasks completed at cycle \(now); " + parts.joined(separator: ", ")
    }
}
