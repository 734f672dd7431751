import HWModel
import LRCore

/// The mutable state of one workload's emission: the machine, the resident weights, and what later iterations still
/// depend on. The schedules (`ForwardOnlySchedule`, `AllLayersSchedule`, `BackpropSchedule`, `SequenceSchedule`) are
/// extensions that emit one iteration each.
struct ScheduleBuilder {
    let spec: WorkloadSpec
    let model: HardwareModel
    let layers: [ComputeLayer]
    var graph: TaskGraph
    var machine: Machine
    let sizes: Sizes
    /// Resident weight blocks: [layer][slot], one per replica of the layer's stage on every chip.
    var weights: [[AllocationID]] = []
    var lastTask: TaskID?
    /// Per iteration, per layer, per weight slot: the task after which that slot holds the iteration's updated weights
    /// (the update on the home lane, the weight broadcast elsewhere; nil: not updated).
    var weightsReady = IterationLog<[[TaskID?]]>()
    /// Per iteration, per lane: the first task that consumes the lane's input batch (the next batch load waits for it).
    var batchConsumed = IterationLog<[TaskID?]>()
    /// (layer, slot) pairs whose first task of the current iteration has been gated on the weights.
    var gated: Set<Int> = []
    var pendingPhaseB: ((inout ScheduleBuilder) -> Void)?
    /// The block the last memory hand-off task wrote (pipelined backprop), and that task.
    var lastHandoff: (TaskID, AllocationID)?

    struct Sizes {
        var weight, activation, input, noise, loss, accumulator, gradient, activationBits: Int
        init(_ f: NumberFormats) {
            func bytes(_ s: NumberFormatSpec) -> Int { (s.totalBits + 7) / 8 }
            weight = bytes(f.weights); activation = bytes(f.activations); input = bytes(f.inputs)
            noise = bytes(f.noise); loss = bytes(f.loss); accumulator = bytes(f.accumulators)
            gradient = bytes(f.gradients); activationBits = f.activations.totalBits
        }
    }

    /// A layer's hardware on one lane: its stage's spec and the replica's units and buffers.
    struct Place {
        var spec: StageSpec
        var replica: Machine.Replica
        var stage: Int
        var lane: Int
        var chip: Int
        /// Index of the replica among all of the stage's replicas on every chip (the weight slot).
        var slot: Int
        var array: UnitID { replica.array }
        var vector: UnitID { replica.vector }
        var noise: UnitID { replica.noise }
        var inputs: BufferID { replica.inputs }
        var noiseStore: BufferID { replica.noiseStore }
        var accumulators: BufferID { replica.accumulators }
    }

    init(spec: WorkloadSpec, model: HardwareModel, layers: [ComputeLayer]) throws {
        self.spec = spec; self.model = model; self.layers = layers
        let memory = { (c: Int) in
            MemoryDescriptor(
                name: model.interconnect.chips > 1 ? "c\(c).dram" : "dram",
                device: model.dram.makeDevice(acceleratorHz: model.clock.hz))
        }
        graph = TaskGraph(memories: (0..<model.interconnect.chips).map(memory))
        graph.clockHz = model.clock.hz
        machine = try Machine(model: model, layers: layers, method: spec.method, graph: &graph)
        sizes = Sizes(model.formats)
        for l in layers {
            let s = machine.stageOfLayer[l.index]
            var slots: [AllocationID] = []
            for perChip in machine.stages[s].replicas {
                for r in perChip {
                    slots.append(
                        graph.addAllocation(in: r.weights, bytes: l.parameterCount &* sizes.weight, resident: true))
                }
            }
            weights.append(slots)
        }
        if (spec.sequence != nil || spec.graph != nil) && machine.lanes > 1 {
            throw SimulationError.invalidWorkload(
                "workload: \(spec.network.name) runs on one lane; give it one chip and one replica per stage (got \(machine.chips) chips x \(machine.lanesPerChip) replicas)"
            )
        }
        try checkFIFOs()
    }

    var overlapsIterations: Bool { model.pipeline.mode == .overlapped && model.pipeline.staleness >= 1 }
    var lanes: Int { machine.lanes }

    // MARK: Places and links

    func place(_ l: Int, lane: Int) -> Place {
        let s = machine.stageOfLayer[l]
        let c = machine.chip(ofLane: lane), r = machine.replicaIndex(stage: s, lane: lane)
        let st = machine.stages[s]
        return Place(
            spec: st.spec, replica: st.replicas[c][r], stage: s, lane: lane, chip: c,
            slot: c &* st.spec.replicas &+ r)
    }

    /// The weights of layer `l` that `lane` reads.
    func weights(_ l: Int, lane: Int) -> AllocationID { weights[l][place(l, lane: lane).slot] }

    /// The FIFO layer `l` pops on `lane` (nil when the previous layer runs on the same stage).
    mutating func fifoIn(layer l: Int, lane: Int) -> FIFOID? {
        guard l > 0, machine.stageOfLayer[l - 1] != machine.stageOfLayer[l] else { return nil }
        return machine.forwardFIFO(stage: machine.stageOfLayer[l - 1], lane: lane, graph: &graph)
    }

    /// The FIFO layer `l` pushes on `lane`: to the next stage, or to the loss unit after the last layer.
    mutating func fifoOut(layer l: Int, lane: Int) -> FIFOID? {
        guard l == layers.count - 1 || machine.stageOfLayer[l + 1] != machine.stageOfLayer[l] else { return nil }
        return machine.forwardFIFO(stage: machine.stageOfLayer[l], lane: lane, graph: &graph)
    }

    /// Sets a task's FIFO links for `rows` rows of layer `l` on `lane`: pops what the previous stage pushed, pushes
    /// the layer's outputs. Returns whether it pops (a task that does not pop depends on its predecessor instead).
    @discardableResult
    mutating func link(_ d: inout TaskDescriptor, layer l: Int, lane: Int, rows: Int) -> Bool {
        if let f = fifoIn(layer: l, lane: lane) { d.fifoIn = f; d.fifoInWords = forwardInWords(layer: l, rows: rows) }
        linkOut(&d, layer: l, lane: lane, rows: rows)
        return d.fifoIn != nil
    }

    /// Sets only the push of layer `l`'s outputs (a task that starts a chain from stored data, like a perturbation).
    mutating func linkOut(_ d: inout TaskDescriptor, layer l: Int, lane: Int, rows: Int) {
        if let f = fifoOut(layer: l, lane: lane) {
            let st = machine.stage(ofLayer: l)
            d.fifoOut = f
            d.fifoOutWords = fifoWords(rows &* layers[l].flowElements, st.spec)
            d.counts.fifoBytes = rows &* layers[l].flowElements &* sizes.activation
            d.counts.onChipLinkBytes &+= d.counts.fifoBytes
        }
    }

    /// Words layer `l` pops from the FIFO of the stage before it for `rows` rows (what that stage pushed).
    func forwardInWords(layer l: Int, rows: Int) -> Int {
        fifoWords(rows &* layers[l - 1].flowElements, machine.stage(ofLayer: l - 1).spec)
    }

    // MARK: Timing helpers

    func gemmCycles(_ g: GemmShape, _ s: StageSpec) -> Int {
        if g.isEmpty { return 0 }
        let a = s.array
        switch a.kind {
        case .systolic:
            return SystolicArray(rows: a.rows, cols: a.cols, dataflow: a.dataflow)
                .timing(g, convention: GemmTimingConvention(model.timing.systolic)).cycles
        case .vector:
            return UnitTiming.vector(elements: g.macs, lanes: a.lanes, latency: model.timing.vectorLatencyCycles)
        }
    }

    func gemmCycles(_ g: GemmShape, _ p: Place) -> Int { gemmCycles(g, p.spec) }

    /// Registers `shape` on `p`'s array as a task's main GEMM, with the buffers holding its IFMAP (left) and filter
    /// (right) operands: if one of them spills, the task streams it through the stage's scratchpads by the model
    /// `lrsim gemm` validates (`GemmTileProgram`). The scratchpads are the `inputs` and `weights` buffers, as for
    /// `lrsim gemm --memory`.
    mutating func gemmSpec(_ shape: GemmShape, _ p: Place, ifmap: (BufferID, Int)?, filter: (BufferID, Int)?) -> Int32 {
        let a = p.spec.array, b = p.spec.buffers
        guard a.kind == .systolic, !shape.isEmpty else { return -1 }
        func words(_ capacity: Int, _ bytes: Int) -> Int { max(2, capacity / max(1, bytes)) }
        let config = ScratchpadConfig(
            ifmapWords: words(b.inputs.capacityBytes, ifmap?.1 ?? sizes.input),
            filterWords: words(
                filter.map { graph.buffers[$0.0.index].capacityBytes } ?? b.weights.capacityBytes,
                filter?.1 ?? sizes.weight),
            ofmapWords: words(b.accumulators.capacityBytes, sizes.accumulator),
            ifmapBandwidth: 1, filterBandwidth: 1, ofmapBandwidth: 1)
        return graph.gemmIndex(
            GemmTileSpec(
                shape: shape, array: SystolicArray(rows: a.rows, cols: a.cols, dataflow: a.dataflow),
                config: config, ifmapBuffer: ifmap?.0, filterBuffer: filter?.0,
                ifmapWordBytes: ifmap?.1 ?? sizes.input, filterWordBytes: filter?.1 ?? sizes.weight))
    }

    func vectorCycles(_ elements: Int, _ p: Place) -> Int {
        UnitTiming.vector(elements: elements, lanes: p.spec.array.lanes, latency: model.timing.vectorLatencyCycles)
    }

    func noiseCycles(_ count: Int, _ p: Place) -> Int {
        let n = p.spec.noise
        return UnitTiming.noise(
            count: count, rate: spec.method.signEncoded ? n.bitsPerCycle : n.numbersPerCycle,
            latency: n.latencyCycles)
    }

    /// FIFO words for `elements` activations in a stage's FIFO.
    func fifoWords(_ elements: Int, _ s: StageSpec) -> Int {
        let bits = elements &* sizes.activationBits
        return (bits &+ s.buffers.fifoOut.wordBits &- 1) / max(s.buffers.fifoOut.wordBits, 1)
    }

    func fifoWords(_ elements: Int, _ p: Place) -> Int { fifoWords(elements, p.spec) }

    /// A FIFO must hold at least one tile, or a producer could never push; note when the model's FIFO is smaller.
    mutating func checkFIFOs() throws {
        let g = min(spec.copiesPerPass, max(1, spec.copies.max() ?? 1))
        let rows = spec.method == .bp ? (spec.batch + spec.microbatches - 1) / spec.microbatches : spec.batch &* g
        let tiles = max(1, model.timing.tiles)
        var largest = Array(repeating: 0, count: machine.stages.count)
        for l in layers {
            let s = machine.stageOfLayer[l.index]
            let last = l.index == layers.count - 1
            if last || machine.stageOfLayer[l.index + 1] != s {
                let words = fifoWords(rows &* l.flowElements, machine.stages[s].spec)
                largest[s] = max(largest[s], (words &+ tiles &- 1) / tiles)
            }
        }
        for (s, st) in machine.stages.enumerated() where largest[s] > st.spec.buffers.fifoOut.depthWords {
            graph.warnings.append(
                "\(st.spec.name).fifo_out holds \(st.spec.buffers.fifoOut.depthWords) words but one tile is \(largest[s]) words: a producer may push into an empty FIFO regardless (the FIFO acts as \(largest[s]) words deep)"
            )
        }
    }

    // MARK: Adding tasks

    /// Adds a task; in the sequential pipeline mode every task also waits for the one added before it. Compute tasks
    /// stream through up to `timing.tiles` tiles (at least one cycle each).
    @discardableResult
    mutating func add(
        _ task: TaskDescriptor, after deps: [(TaskID, DependencyKind)] = [],
        allocates: [AllocationID] = [], reads: [Access] = [],
        writes: [Access] = [], frees: [AllocationID] = []
    ) -> TaskID {
        var d = deps
        if model.pipeline.mode == .sequential, let last = lastTask { d.append((last, .control)) }
        var t = task
        if model.timing.tiles > 1 && t.tiles == 1 {
            switch graph.units[t.unit.index].kind {
            case .array, .vector, .loss: t.tiles = max(1, min(model.timing.tiles, t.cycles))
            default: break
            }
        }
        let id = graph.addTask(t, after: d, allocates: allocates, reads: reads, writes: writes, frees: frees)
        lastTask = id
        return id
    }

    @discardableResult
    mutating func add(
        _ task: TaskDescriptor, after deps: [(TaskID, DependencyKind)] = [],
        allocates: [AllocationID] = [], reads: [AllocationID], writes: [AllocationID] = [],
        frees: [AllocationID] = []
    ) -> TaskID {
        add(
            task, after: deps, allocates: allocates, reads: reads.map { Access($0) }, writes: writes.map { Access($0) },
            frees: frees)
    }

    func task(_ unit: UnitID, _ kind: TaskKind, cycles: Int, iteration t: Int, layer: Int = -1) -> TaskDescriptor {
        var d = TaskDescriptor(unit: unit, kind: kind, cycles: cycles)
        d.iteration = Int32(t); d.layer = Int32(layer)
        return d
    }

    // MARK: Iterations

    mutating func iteration(_ t: Int) {
        weightsReady[t] = layers.map { weights[$0.index].map { _ in nil } }
        batchConsumed[t] = Array(repeating: nil, count: lanes)
        gated = []
        let phaseB: (inout ScheduleBuilder) -> Void
        if let sequence = spec.sequence {
            phaseB = sequenceIteration(t, sequence)
        } else if spec.method == .bp {
            phaseB = backpropIteration(t)
        } else if spec.injection == .allLayers {
            phaseB = allLayersIteration(t)
        } else {
            phaseB = forwardOnlyIteration(t)
        }
        if overlapsIterations {
            // The gradient work of iteration t-1 runs after the forward work of iteration t has been issued.
            if let previous = pendingPhaseB { previous(&self) }
            pendingPhaseB = phaseB
        } else {
            phaseB(&self)
        }
    }

    mutating func flushDeferred() {
        if let previous = pendingPhaseB { previous(&self); pendingPhaseB = nil }
    }

    /// Drops the per-iteration task ids no later iteration can depend on.
    mutating func forget(before t: Int) {
        weightsReady.forget(before: t); batchConsumed.forget(before: t)
    }

    /// Ordering rules for the first task of iteration `t` that reads layer `l`'s weights on `lane`: which update it
    /// must see (the iteration barrier of the layer pipeline, or the staleness bound of the overlapped one). Later
    /// tasks of the same layer and lane follow it in program order, so only the first one is gated.
    mutating func weightOrdering(layer l: Int, lane: Int, iteration t: Int) -> [(TaskID, DependencyKind)] {
        let slot = place(l, lane: lane).slot
        guard gated.insert(l &* 65536 &+ slot).inserted else { return [] }
        switch model.pipeline.mode {
        case .sequential:
            return []
        case .layerPipelined:
            guard t >= 1 else { return [] }
            let ready = weightsReady[t - 1]
            if l == 0 {
                // The iteration barrier: every layer's update of the previous iteration, as this lane sees it.
                return layers.indices.compactMap { k in ready[k][place(k, lane: lane).slot].map { ($0, .control) } }
            }
            return ready[l][slot].map { [($0, .control)] } ?? []
        case .overlapped:
            let source = t - 1 - model.pipeline.staleness
            guard source >= 0, let u = weightsReady[source][l][slot] else { return [] }
            return [(u, .control)]
        }
    }

    /// Loads `rows` samples of iteration t's batch (inputs and labels) for `lane` on its chip's DMA; double-buffered
    /// against the previous batch's first consumer on the same lane.
    mutating func inputLoad(_ t: Int, lane: Int, rows: Int, extraBytes: Int = 0) -> TaskID {
        var d = task(machine.dma[machine.chip(ofLane: lane)], .inputLoad, cycles: 0, iteration: t)
        d.dramReadBytes = rows &* (layers[0].inputElements &* sizes.input &+ sizes.loss) &+ extraBytes
        let deps: [(TaskID, DependencyKind)] = t >= 1 ? (batchConsumed[t - 1][lane].map { [($0, .control)] } ?? []) : []
        return add(d, after: deps)
    }

    /// The loss unit's task for `rows` rows of logits arriving from the last stage of `lane`.
    mutating func lossTask(rows: Int, kind: TaskKind, iteration t: Int, lane: Int) -> TaskDescriptor {
        let classes = layers[layers.count - 1].outputElements
        var d = task(
            machine.lossUnit(lane: lane), kind,
            cycles: (rows &* classes &+ model.loss.elementsPerCycle &- 1) / max(model.loss.elementsPerCycle, 1),
            iteration: t)
        d.latency = model.loss.latencyCycles
        d.fifoIn = machine.forwardFIFO(stage: machine.stages.count - 1, lane: lane, graph: &graph)
        d.fifoInWords = fifoWords(rows &* classes, machine.stages[machine.stages.count - 1].spec)
        d.counts.lossElements = rows &* classes
        return d
    }

    /// The bus task that broadcasts `losses` losses on `lane`'s chip.
    func broadcastTask(losses: Int, iteration t: Int, lane: Int) -> TaskDescriptor {
        var d = task(
            machine.bus[machine.chip(ofLane: lane)], .broadcast,
            cycles: (losses &+ model.bus.lossesPerCycle &- 1) / max(model.bus.lossesPerCycle, 1), iteration: t)
        d.latency = model.bus.latencyCycles
        d.counts.broadcasts = losses
        return d
    }
}

extension ScheduleBuilder {
    /// Layer `l`'s place on the home lane (the one-lane schedules of sequence and graph models).
    func place(lane0 l: Int) -> Place { place(l, lane: 0) }
}

extension ScheduleBuilder {
    /// Where layer `l`'s input comes from and its output goes on the home lane (FIFOs between stages).
    mutating func forwardLinks(_ l: Int) -> (fifoIn: FIFOID?, fifoOut: FIFOID?) {
        (fifoIn(layer: l, lane: 0), fifoOut(layer: l, lane: 0))
    }
}
