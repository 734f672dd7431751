/// The event-driven, cycle-resolution engine.
///
/// Time jumps from one event to the next; between two events every resource keeps its state, so the skipped cycles are
/// charged to that state. At each event time the engine settles: it lets every unit start, finish, push or issue
/// whatever it can at that cycle (zero-cycle hand-offs), repeating until nothing changes. A task's life on its unit:
///
///     wait (dependencies, input FIFO)  ->  DRAM reads (explicit + spilled inputs)  ->  compute (at least the noise
///     generation time)  ->  DRAM writes (explicit + spills)  ->  push the output FIFO item (blocks while full)
///     ->  unit released  ->  after `latency`, dependents see the result.
public struct Engine {
    public let graph: TaskGraph
    public var recordActivity: Bool

    public init(graph: TaskGraph, recordActivity: Bool = false) {
        self.graph = graph; self.recordActivity = recordActivity
    }

    public func run() throws -> EngineResult {
        var run = EngineRun(graph: graph, record: recordActivity)
        return try run.execute()
    }
}

/// What one run produced.
public struct EngineResult: Sendable {
    /// Cycle at which the last task completed.
    public var cycles: Int
    /// Per unit, in `graph.units` order.
    public var unitCycles: [StateCycles]
    /// The DRAM channel: busy while transferring, idle otherwise.
    public var dramCycles: StateCycles
    public var dramReadBytes: Int
    public var dramWriteBytes: Int
    /// Of which spills (buffer overflow traffic).
    public var spillReadBytes: Int
    public var spillWriteBytes: Int
    /// Per buffer: peak on-chip bytes, peak demanded bytes (on chip + spilled, alive at once), bytes that spilled.
    public var bufferPeakBytes: [Int]
    public var bufferPeakDemandBytes: [Int]
    public var bufferSpilledBytes: [Int]
    /// Per FIFO: peak words.
    public var fifoPeakWords: [Int]
    /// Counts summed over executed tasks.
    public var executed: ActionCounts
    public var tasksExecuted: Int
    /// Per unit: tasks completed and their counts.
    public var unitTasks: [Int]
    public var unitCounts: [ActionCounts]
    /// Per iteration, the cycle its last task completed.
    public var iterationEnd: [Int]
    public var recording: Recording?
}

/// One engine invocation's mutable state.
struct EngineRun {
    enum Phase: UInt8 { case waiting, loading, computing, storing, pushing, latency, done }

    struct UnitRT {
        var queue: [Int32] = []
        var head = 0
        var running: Int32 = -1
        var state: ResourceState = .idle
        var since = 0
        var cycles = StateCycles()
        var noiseBusyUntil = 0
        var arrival = false
    }

    struct FIFORT {
        var items: [Int] = []
        var head = 0
        var words = 0
        var peak = 0
        var capacity = 0
    }

    struct BufferRT { var onChip = 0, demand = 0, peak = 0, peakDemand = 0, spilled = 0 }

    struct DRAMRequest { var task: Int32; var bytes: Int; var write: Bool }

    let g: TaskGraph
    let record: Bool
    var now = 0
    var events = EventQueue()
    var units: [UnitRT]
    let isNoise: [Bool]
    var fifos: [FIFORT]
    var buffers: [BufferRT]
    var allocOnChip: [Int]
    var allocSpilled: [Int]
    // Per task.
    var pending: [Int32]        // 3 per task: data, resource, control
    var phase: [Phase]
    var startTime: [Int]
    var computeStart: [Int]
    var dependentsStart: [Int]
    var dependents: [Int32]
    var dependentKinds: [DependencyKind]
    // DRAM.
    var dramQueue: [DRAMRequest] = []
    var dramHead = 0
    var dramBusyUntil = 0
    var dramState: ResourceState = .idle
    var dramSince = 0
    var dramCycles = StateCycles()
    var dramRead = 0, dramWrite = 0, spillRead = 0, spillWrite = 0
    // Results.
    var executed = ActionCounts()
    var completed = 0
    var unitTasks: [Int]
    var unitCounts: [ActionCounts]
    var iterationEnd: [Int]
    var rec = Recording()

    init(graph: TaskGraph, record: Bool) {
        g = graph; self.record = record
        let n = graph.tasks.count
        units = graph.units.map { UnitRT(arrival: $0.discipline == .arrivalOrder) }
        isNoise = graph.units.map { $0.kind == .noise }
        fifos = graph.fifos.map { FIFORT(capacity: $0.capacityWords) }
        buffers = Array(repeating: BufferRT(), count: graph.buffers.count)
        unitTasks = Array(repeating: 0, count: graph.units.count)
        unitCounts = Array(repeating: ActionCounts(), count: graph.units.count)
        allocOnChip = Array(repeating: 0, count: graph.allocations.count)
        allocSpilled = Array(repeating: 0, count: graph.allocations.count)
        pending = Array(repeating: 0, count: 3 * n)
        phase = Array(repeating: .waiting, count: n)
        startTime = Array(repeating: 0, count: n)
        computeStart = Array(repeating: 0, count: n)
        var counts = Array(repeating: 0, count: n + 1)
        for t in 0..<n {
            for d in graph.tasks[t].dependencies {
                counts[Int(graph.dependencyTargets[d]) + 1] &+= 1
                pending[3 &* t &+ Int(graph.dependencyKinds[d].rawValue)] &+= 1
            }
        }
        for i in 0..<n { counts[i + 1] &+= counts[i] }
        dependentsStart = counts
        dependents = Array(repeating: 0, count: counts[n])
        dependentKinds = Array(repeating: .data, count: counts[n])
        var fill = counts
        for t in 0..<n {
            for d in graph.tasks[t].dependencies {
                let src = Int(graph.dependencyTargets[d])
                dependents[fill[src]] = Int32(t); dependentKinds[fill[src]] = graph.dependencyKinds[d]
                fill[src] &+= 1
            }
        }
        let iterations = (graph.tasks.map { Int($0.iteration) }.max() ?? -1) + 1
        iterationEnd = Array(repeating: 0, count: iterations)
        for t in 0..<n {
            let u = graph.tasks[t].unit.index
            if !units[u].arrival || pendingTotal(t) == 0 { units[u].queue.append(Int32(t)) }
        }
        // Resident allocations (weights) occupy their buffers from cycle 0; what does not fit lives in DRAM.
        for a in graph.allocations.indices where graph.allocations[a].resident { allocate(a) }
    }

    @inline(__always) func pendingTotal(_ t: Int) -> Int32 {
        pending[3 &* t] &+ pending[3 &* t &+ 1] &+ pending[3 &* t &+ 2]
    }

    // MARK: Main loop

    mutating func execute() throws -> EngineResult {
        if record { recordInitialLevels() }
        while true {
            settle()
            account()
            guard let next = events.nextTime else { break }
            now = next
            while let t = events.nextTime, t == now, let e = events.pop() { apply(e) }
        }
        guard completed == g.tasks.count else { throw SimulationError.deadlock(describeStuck()) }
        let end = now
        for u in units.indices { units[u].cycles.add(units[u].state, end &- units[u].since) }
        dramCycles.add(dramState, end &- dramSince)
        return EngineResult(
            cycles: end, unitCycles: units.map(\.cycles), dramCycles: dramCycles,
            dramReadBytes: dramRead, dramWriteBytes: dramWrite, spillReadBytes: spillRead, spillWriteBytes: spillWrite,
            bufferPeakBytes: buffers.map(\.peak), bufferPeakDemandBytes: buffers.map(\.peakDemand),
            bufferSpilledBytes: buffers.map(\.spilled), fifoPeakWords: fifos.map(\.peak),
            executed: executed, tasksExecuted: completed, unitTasks: unitTasks, unitCounts: unitCounts, iterationEnd: iterationEnd,
            recording: record ? rec : nil)
    }

    mutating func apply(_ e: EventQueue.Event) {
        let t = Int(e.task)
        switch e.action {
        case .wake: break
        case .computeDone: finishCompute(t)
        case .dramDone:
            switch phase[t] {
            case .loading: beginCompute(t)
            case .storing: phase[t] = .pushing; _ = tryPush(t)
            default: break
            }
        case .complete: complete(t)
        }
    }

    /// Lets everything that can happen at `now` happen.
    mutating func settle() {
        var progress = true
        while progress {
            progress = false
            for u in units.indices {
                let r = units[u].running
                if r >= 0 {
                    if phase[Int(r)] == .pushing && tryPush(Int(r)) { progress = true }
                } else if tryStart(u) {
                    progress = true
                }
            }
            if tryDRAM() { progress = true }
        }
    }

    // MARK: Task life

    mutating func tryStart(_ u: Int) -> Bool {
        guard units[u].head < units[u].queue.count else { return false }
        let t = Int(units[u].queue[units[u].head])
        guard pendingTotal(t) == 0 else { return false }
        let task = g.tasks[t]
        if let f = task.fifoIn {
            guard fifos[f.index].head < fifos[f.index].items.count else { return false }
            let w = fifos[f.index].items[fifos[f.index].head]
            fifos[f.index].head &+= 1
            fifos[f.index].words &-= w
            if fifos[f.index].head > 1024 && fifos[f.index].head * 2 > fifos[f.index].items.count {
                fifos[f.index].items.removeFirst(fifos[f.index].head); fifos[f.index].head = 0
            }
            if record { rec.fifoLevels.append(.init(cycle: now, index: f.index, value: fifos[f.index].words)) }
        }
        units[u].head &+= 1
        units[u].running = Int32(t)
        startTime[t] = now
        for i in task.allocates { allocate(Int(g.allocationRefs[i])) }
        var readBytes = task.dramReadBytes
        var spilled = 0
        for i in task.reads { spilled &+= allocSpilled[Int(g.allocationRefs[i])] }
        readBytes &+= spilled
        spillRead &+= spilled
        if readBytes > 0 {
            phase[t] = .loading
            submitDRAM(t, bytes: readBytes, write: false)
        } else {
            beginCompute(t)
        }
        return true
    }

    mutating func beginCompute(_ t: Int) {
        let task = g.tasks[t]
        phase[t] = .computing
        computeStart[t] = now
        let duration = max(task.cycles, task.noiseCycles)
        if let nu = task.noiseUnit, task.noiseCycles > 0 {
            units[nu.index].noiseBusyUntil = now &+ task.noiseCycles
            events.push(now &+ task.noiseCycles, .wake)
        }
        if duration == 0 {
            finishCompute(t)
        } else {
            if task.cycles > 0 && task.cycles < duration { events.push(now &+ task.cycles, .wake) }
            events.push(now &+ duration, .computeDone, Int32(t))
        }
    }

    mutating func finishCompute(_ t: Int) {
        let task = g.tasks[t]
        var spilled = 0
        for i in task.allocates { spilled &+= allocSpilled[Int(g.allocationRefs[i])] }
        for i in task.writes { spilled &+= allocSpilled[Int(g.allocationRefs[i])] }
        spillWrite &+= spilled
        let bytes = task.dramWriteBytes &+ spilled
        if bytes > 0 {
            phase[t] = .storing
            submitDRAM(t, bytes: bytes, write: true)
        } else {
            phase[t] = .pushing
            _ = tryPush(t)
        }
    }

    /// Pushes the task's output item if it fits; releases the unit when done. Returns whether the task moved on.
    mutating func tryPush(_ t: Int) -> Bool {
        let task = g.tasks[t]
        if let f = task.fifoOut {
            let i = f.index
            let w = task.fifoOutWords
            guard fifos[i].words &+ w <= fifos[i].capacity || fifos[i].words == 0 else { return false }
            fifos[i].items.append(w)
            fifos[i].words &+= w
            fifos[i].peak = max(fifos[i].peak, fifos[i].words)
            if record { rec.fifoLevels.append(.init(cycle: now, index: i, value: fifos[i].words)) }
        }
        let u = task.unit.index
        units[u].running = -1
        if record { rec.tasks.append(.init(unit: u, task: t, start: startTime[t], end: now)) }
        if task.latency > 0 {
            phase[t] = .latency
            events.push(now &+ task.latency, .complete, Int32(t))
        } else {
            complete(t)
        }
        return true
    }

    mutating func complete(_ t: Int) {
        let task = g.tasks[t]
        phase[t] = .done
        for i in task.frees { free(Int(g.allocationRefs[i])) }
        executed += task.counts
        completed &+= 1
        unitTasks[task.unit.index] &+= 1
        unitCounts[task.unit.index] += task.counts
        let it = Int(task.iteration)
        if it >= 0 && it < iterationEnd.count { iterationEnd[it] = max(iterationEnd[it], now) }
        for j in dependentsStart[t]..<dependentsStart[t &+ 1] {
            let d = Int(dependents[j])
            pending[3 &* d &+ Int(dependentKinds[j].rawValue)] &-= 1
            if pendingTotal(d) == 0 {
                let u = g.tasks[d].unit.index
                if units[u].arrival { units[u].queue.append(Int32(d)) }
            }
        }
    }

    // MARK: Memory

    mutating func allocate(_ a: Int) {
        let desc = g.allocations[a]
        let b = desc.buffer.index
        let free = max(0, g.buffers[b].capacityBytes &- buffers[b].onChip)
        let onChip = min(desc.bytes, free)
        allocOnChip[a] = onChip
        allocSpilled[a] = desc.bytes &- onChip
        buffers[b].onChip &+= onChip
        buffers[b].demand &+= desc.bytes
        buffers[b].spilled &+= desc.bytes &- onChip
        buffers[b].peak = max(buffers[b].peak, buffers[b].onChip)
        buffers[b].peakDemand = max(buffers[b].peakDemand, buffers[b].demand)
        if record { rec.bufferLevels.append(.init(cycle: now, index: b, value: buffers[b].onChip)) }
    }

    mutating func free(_ a: Int) {
        let b = g.allocations[a].buffer.index
        buffers[b].onChip &-= allocOnChip[a]
        buffers[b].demand &-= g.allocations[a].bytes
        allocOnChip[a] = 0
        if record { rec.bufferLevels.append(.init(cycle: now, index: b, value: buffers[b].onChip)) }
    }

    // MARK: DRAM

    mutating func submitDRAM(_ t: Int, bytes: Int, write: Bool) {
        dramQueue.append(DRAMRequest(task: Int32(t), bytes: bytes, write: write))
    }

    /// Starts the next queued transfer when the channel is free.
    mutating func tryDRAM() -> Bool {
        guard dramHead < dramQueue.count, now >= dramBusyUntil else { return false }
        let r = dramQueue[dramHead]
        dramHead &+= 1
        if dramHead > 4096 && dramHead * 2 > dramQueue.count { dramQueue.removeFirst(dramHead); dramHead = 0 }
        let occupy = UnitTiming.transfer(bytes: r.bytes, bytesPerCycle: g.dram.bytesPerCycle)
        dramBusyUntil = now &+ occupy
        if r.write { dramWrite &+= r.bytes } else { dramRead &+= r.bytes }
        if record {
            rec.dramTraffic.append(.init(cycle: now, index: r.write ? 1 : 0, value: r.write ? dramWrite : dramRead))
        }
        if occupy > 0 { events.push(dramBusyUntil, .wake) }
        events.push(now &+ occupy &+ g.dram.latencyCycles, .dramDone, r.task)
        return true
    }

    // MARK: Accounting

    func classify(_ u: Int) -> ResourceState {
        // Field by field: copying a UnitRT would retain its queue.
        if isNoise[u] { return units[u].noiseBusyUntil > now ? .busy : .idle }
        let running = units[u].running
        if running >= 0 {
            let t = Int(running)
            switch phase[t] {
            case .computing: return now < computeStart[t] &+ g.tasks[t].cycles ? .busy : .blocked
            default: return .blocked
            }
        }
        let head = units[u].head
        guard head < units[u].queue.count else { return .idle }
        let h = Int(units[u].queue[head])
        if pending[3 &* h &+ 2] > 0 { return .idle }
        if pending[3 &* h] > 0 { return .starved }
        if pending[3 &* h &+ 1] > 0 { return .blocked }
        if g.tasks[h].fifoIn != nil { return .starved }
        return .idle
    }

    mutating func account() {
        for u in units.indices {
            let s = classify(u)
            if s != units[u].state {
                units[u].cycles.add(units[u].state, now &- units[u].since)
                units[u].state = s
                units[u].since = now
                if record { rec.states.append(.init(cycle: now, unit: u, state: s)) }
            }
        }
        let ds: ResourceState = now < dramBusyUntil ? .busy : .idle
        if ds != dramState {
            dramCycles.add(dramState, now &- dramSince)
            dramState = ds; dramSince = now
        }
    }

    mutating func recordInitialLevels() {
        for u in units.indices { rec.states.append(.init(cycle: 0, unit: u, state: .idle)) }
        for f in fifos.indices { rec.fifoLevels.append(.init(cycle: 0, index: f, value: 0)) }
        for b in buffers.indices { rec.bufferLevels.append(.init(cycle: 0, index: b, value: buffers[b].onChip)) }
        rec.dramTraffic.append(.init(cycle: 0, index: 0, value: 0))
        rec.dramTraffic.append(.init(cycle: 0, index: 1, value: 0))
    }

    func describeStuck() -> String {
        var parts: [String] = []
        for u in units.indices where units[u].head < units[u].queue.count || units[u].running >= 0 {
            let t = units[u].running >= 0 ? Int(units[u].running) : Int(units[u].queue[units[u].head])
            parts.append("\(g.units[u].name) waits in '\(g.tasks[t].name)' (\(phase[t]))")
            if parts.count == 4 { break }
        }
        return "\(completed) of \(g.tasks.count) tasks completed at cycle \(now); " + parts.joined(separator: ", ")
    }
}
