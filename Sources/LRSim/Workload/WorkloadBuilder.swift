import HWModel
import LRCore

/// A task graph ready for the engine, with what the reports need to name things.
public struct BuiltWorkload: Sendable {
    public var graph: TaskGraph
    public var spec: WorkloadSpec
    public var layers: [ComputeLayer]
    /// Stage names in pipeline order and the parametric layers each runs.
    public var stages: [(name: String, layers: [Int])]
    public var hardware: HardwareModel
}

/// Turns (network shapes, estimator, batch, copies, hardware model with its mapping and pipeline options) into the task
/// graph of `iterations` training iterations. Every MAC, addition, noise number and byte of the workload is attached
/// to exactly one task, so the engine's executed counts can be checked against closed forms.
///
/// Schedule of one forward-only iteration (LR/ALR layer-wise; ES/AES perturb weights instead of logits):
///   load batch; clean forward through every layer (storing each layer's input and clean logit); clean loss and its
///   broadcast (the baseline L0); then for each perturbed layer p, deepest first, copy groups: perturb at p (noise
///   from the stage's generator, stored as words or sign bits), forward through layers > p, per-copy loss, broadcast
///   to p, accumulate `w_b += (L_bk - L0_b) * s_bk` at p; then per layer the outer-product GEMM and the update.
/// Backprop: load; forward storing inputs and pre-activations; loss gradient; backward chain (weight- and
/// input-gradient GEMMs, layer after layer); update.
public struct WorkloadBuilder {
    public var spec: WorkloadSpec
    public var hardware: HardwareModel

    public init(spec: WorkloadSpec, hardware: HardwareModel) { self.spec = spec; self.hardware = hardware }

    public func build() throws -> BuiltWorkload {
        let layers = try ComputeLayer.plan(spec.network)
        try spec.validate(layers: layers.count)
        var b = try ScheduleBuilder(spec: spec, model: hardware, layers: layers)
        for t in 0..<spec.iterations {
            b.iteration(t)
            if t == 0 { b.graph.reserveCapacity(iterations: spec.iterations) }
        }
        b.flushDeferred()
        return BuiltWorkload(graph: b.graph, spec: spec, layers: layers,
                             stages: b.machine.stages.map { ($0.spec.name, $0.layers) }, hardware: hardware)
    }
}

/// The mutable state of one build.
struct ScheduleBuilder {
    let spec: WorkloadSpec
    let model: HardwareModel
    let layers: [ComputeLayer]
    var graph: TaskGraph
    var machine: Machine
    let sizes: Sizes
    /// Resident weight blocks, per layer.
    var weights: [AllocationID] = []
    /// Phase-B work (gradient GEMMs, updates) of the previous iteration, emitted after this iteration's forward work
    /// when the pipeline overlaps them.
    var deferred: [() -> Void] = []
    var lastTask: TaskID?
    var updates: [[TaskID?]] = []      // per iteration, per layer (nil: layer not trained)
    var cleanForward: [[TaskID]] = []  // per iteration, per layer
    var pendingPhaseB: ((inout ScheduleBuilder) -> Void)?

    struct Sizes {
        var weight, activation, input, noise, loss, accumulator, gradient, activationBits: Int
        init(_ f: NumberFormats) {
            func bytes(_ s: NumberFormatSpec) -> Int { (s.totalBits + 7) / 8 }
            weight = bytes(f.weights); activation = bytes(f.activations); input = bytes(f.inputs)
            noise = bytes(f.noise); loss = bytes(f.loss); accumulator = bytes(f.accumulators)
            gradient = bytes(f.gradients); activationBits = f.activations.totalBits
        }
    }

    init(spec: WorkloadSpec, model: HardwareModel, layers: [ComputeLayer]) throws {
        self.spec = spec; self.model = model; self.layers = layers
        graph = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: model.dram.bytesPerCycle,
                                               latencyCycles: model.dram.latencyCycles))
        machine = try Machine(model: model, layers: layers, method: spec.method, graph: &graph)
        sizes = Sizes(model.formats)
        for l in layers {
            weights.append(graph.addAllocation(in: machine.stage(ofLayer: l.index).weights,
                                               bytes: l.parameterCount &* sizes.weight, resident: true))
        }
        try checkFIFOs()
    }

    var overlapsIterations: Bool { model.pipeline.mode == .overlapped && model.pipeline.staleness >= 1 }

    // MARK: Timing helpers

    func gemmCycles(_ g: GemmShape, _ s: Machine.Stage) -> Int {
        if g.isEmpty { return 0 }
        let a = s.spec.array
        switch a.kind {
        case .systolic:
            return SystolicArray(rows: a.rows, cols: a.cols, dataflow: a.dataflow)
                .timing(g, convention: GemmTimingConvention(model.timing.systolic)).cycles
        case .vector:
            return UnitTiming.vector(elements: g.macs, lanes: a.lanes, latency: model.timing.vectorLatencyCycles)
        }
    }

    func vectorCycles(_ elements: Int, _ s: Machine.Stage) -> Int {
        UnitTiming.vector(elements: elements, lanes: s.spec.array.lanes, latency: model.timing.vectorLatencyCycles)
    }

    func noiseCycles(_ count: Int, _ s: Machine.Stage) -> Int {
        let n = s.spec.noise
        return UnitTiming.noise(count: count, rate: spec.method.signEncoded ? n.bitsPerCycle : n.numbersPerCycle,
                                latency: n.latencyCycles)
    }

    /// FIFO words for `elements` activations in the stage's FIFO.
    func fifoWords(_ elements: Int, _ s: Machine.Stage) -> Int {
        let bits = elements &* sizes.activationBits
        return (bits &+ s.spec.buffers.fifoOut.wordBits &- 1) / max(s.spec.buffers.fifoOut.wordBits, 1)
    }

    /// A FIFO must hold at least one item, or a producer could never push; note when the model's FIFO is smaller.
    mutating func checkFIFOs() throws {
        let g = min(spec.copiesPerPass, max(1, spec.copies.max() ?? 1))
        var largest = Array(repeating: 0, count: machine.stages.count)
        for l in layers {
            let s = machine.stageOfLayer[l.index]
            let last = l.index == layers.count - 1
            if last || machine.stageOfLayer[l.index + 1] != s {
                largest[s] = max(largest[s], fifoWords(spec.batch &* g &* l.outputElements, machine.stages[s]))
            }
        }
        for (s, st) in machine.stages.enumerated() where largest[s] > st.spec.buffers.fifoOut.depthWords {
            graph.warnings.append("\(st.spec.name).fifo_out holds \(st.spec.buffers.fifoOut.depthWords) words but one item is \(largest[s]) words: a producer may push into an empty FIFO regardless (the FIFO acts as \(largest[s]) words deep)")
        }
    }

    // MARK: Adding tasks

    /// Adds a task; in the sequential pipeline mode every task also waits for the one added before it.
    @discardableResult
    mutating func add(_ task: TaskDescriptor, after deps: [(TaskID, DependencyKind)] = [],
                      allocates: [AllocationID] = [], reads: [AllocationID] = [],
                      writes: [AllocationID] = [], frees: [AllocationID] = []) -> TaskID {
        var d = deps
        if model.pipeline.mode == .sequential, let last = lastTask { d.append((last, .control)) }
        let id = graph.addTask(task, after: d, allocates: allocates, reads: reads, writes: writes, frees: frees)
        lastTask = id
        return id
    }

    func task(_ unit: UnitID, _ kind: TaskKind, cycles: Int, iteration t: Int, layer: Int = -1) -> TaskDescriptor {
        var d = TaskDescriptor(unit: unit, kind: kind, cycles: cycles)
        d.iteration = Int32(t); d.layer = Int32(layer)
        return d
    }

    // MARK: Iterations

    mutating func iteration(_ t: Int) {
        updates.append(Array(repeating: nil, count: layers.count))
        cleanForward.append([])
        let phaseB: (inout ScheduleBuilder) -> Void
        if let sequence = spec.sequence {
            phaseB = sequenceIteration(t, sequence)
        } else if spec.method == .bp {
            phaseB = backpropIteration(t)
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

    /// Ordering rules for the clean forward of layer `l` in iteration `t` (weights it may use, iteration barrier).
    func forwardOrdering(layer l: Int, iteration t: Int) -> [(TaskID, DependencyKind)] {
        switch model.pipeline.mode {
        case .sequential:
            return []
        case .layerPipelined:
            guard t >= 1 else { return [] }
            let gates = l == 0 ? updates[t - 1] : [updates[t - 1][l]]
            return gates.compactMap { $0.map { ($0, .control) } }
        case .overlapped:
            let source = t - 1 - model.pipeline.staleness
            guard source >= 0, let u = updates[source][l] else { return [] }
            return [(u, .control)]
        }
    }

    /// Loads iteration t's batch (inputs and labels); double-buffered against the previous batch's first layer.
    mutating func inputLoad(_ t: Int) -> TaskID {
        var d = task(machine.dma, .inputLoad, cycles: 0, iteration: t)
        d.dramReadBytes = spec.batch &* (layers[0].inputElements &* sizes.input &+ sizes.loss) &+ adjacencyBytes
        let deps: [(TaskID, DependencyKind)] = t >= 1 ? [(cleanForward[t - 1][0], .control)] : []
        return add(d, after: deps)
    }

    /// Where layer `l`'s output goes and where layer `l`'s input comes from.
    func forwardLinks(_ l: Int) -> (fifoIn: FIFOID?, fifoOut: FIFOID?) {
        let s = machine.stageOfLayer[l]
        let fifoIn: FIFOID? = l > 0 && machine.stageOfLayer[l - 1] != s ? machine.stages[machine.stageOfLayer[l - 1]].fifoOut : nil
        let last = l == layers.count - 1
        let fifoOut: FIFOID? = last || machine.stageOfLayer[l + 1] != s ? machine.stages[s].fifoOut : nil
        return (fifoIn, fifoOut)
    }

    /// The clean forward of every layer; returns per layer the task and the allocations it made (input, logit).
    /// Layers that are not trained (K = 0 in a forward-only run) store nothing.
    mutating func cleanForwardPass(_ t: Int, load: TaskID, storeLogits: Bool)
        -> (tasks: [TaskID], inputs: [AllocationID?], logits: [AllocationID?]) {
        let B = spec.batch
        var tasks: [TaskID] = [], inputs: [AllocationID?] = [], logits: [AllocationID?] = []
        var previous: TaskID? = nil
        for layer in layers {
            let l = layer.index
            let st = machine.stage(ofLayer: l)
            let links = forwardLinks(l)
            let aggregate = aggregation(layer: l, copies: 1, st)
            var d = task(st.array, .forward, cycles: gemmCycles(layer.forwardGemm(rows: B), st)
                         &+ vectorCycles(B &* (layer.logitElements &+ layer.postOpElements), st) &+ aggregate.cycles,
                         iteration: t, layer: l)
            d.fifoIn = links.fifoIn; d.fifoOut = links.fifoOut
            let outWords = fifoWords(B &* layer.outputElements, st)
            if links.fifoOut != nil { d.fifoOutWords = outWords; d.counts.fifoBytes = B &* layer.outputElements &* sizes.activation }
            d.counts.macs = layer.forwardGemm(rows: B).macs &+ aggregate.macs
            d.counts.vectorOps = B &* (layer.logitElements &+ layer.postOpElements)
            let trained = !spec.method.isForwardOnly || spec.copies(ofLayer: l) > 0
            var input: AllocationID? = nil
            var allocs: [AllocationID] = []
            if trained {
                let a = graph.addAllocation(in: st.inputs, bytes: B &* layer.inputElements &* sizes.input)
                allocs.append(a); input = a
            }
            var logit: AllocationID? = nil
            if storeLogits && trained {
                let a = graph.addAllocation(in: st.inputs, bytes: B &* layer.logitElements &* sizes.activation)
                allocs.append(a); logit = a
            }
            d.counts.sramReadBytes = layer.parameterCount &* sizes.weight
            d.counts.sramWriteBytes = allocs.reduce(0) { $0 &+ graph.allocations[$1.index].bytes }
            var deps = forwardOrdering(layer: l, iteration: t)
            if l == 0 { deps.append((load, .resource)) }
            if let p = previous, links.fifoIn == nil { deps.append((p, .data)) }
            let id = add(d, after: deps, allocates: allocs, reads: [weights[l]])
            tasks.append(id); inputs.append(input); logits.append(logit)
            previous = id
        }
        cleanForward[t] = tasks
        return (tasks, inputs, logits)
    }

    /// The loss unit's task for `rows` rows of logits arriving from the last stage.
    func lossTask(rows: Int, kind: TaskKind, iteration t: Int) -> TaskDescriptor {
        let classes = layers[layers.count - 1].outputElements
        var d = task(machine.loss, kind, cycles: (rows &* classes &+ model.loss.elementsPerCycle &- 1) / max(model.loss.elementsPerCycle, 1),
                     iteration: t)
        d.latency = model.loss.latencyCycles
        d.fifoIn = machine.stage(ofLayer: layers.count - 1).fifoOut
        d.counts.lossElements = rows &* classes
        return d
    }

    /// The bus task that broadcasts `losses` losses.
    func broadcastTask(losses: Int, iteration t: Int) -> TaskDescriptor {
        var d = task(machine.bus, .broadcast, cycles: (losses &+ model.bus.lossesPerCycle &- 1) / max(model.bus.lossesPerCycle, 1),
                     iteration: t)
        d.latency = model.bus.latencyCycles
        d.counts.broadcasts = losses
        return d
    }
}
