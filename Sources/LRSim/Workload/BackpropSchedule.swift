import HWModel
import LRCore

/// Backprop: the batch is divided over the lanes (data parallel); each lane runs its share through the stages in
/// micro-batches by the chosen schedule (serial, GPipe or 1F1B), stashing every layer's input and pre-activation from
/// its forward until its backward; each replica sums its layers' weight gradients over its micro-batches, the replicas
/// all-reduce them over the interconnect, and every replica updates its own copy of the weights.
extension ScheduleBuilder {
    /// One operation of a stage in a pipelined schedule: the forward or the backward of micro-batch `m` through the
    /// stage's layers.
    enum StageOp: Equatable { case forward(Int), backward(Int) }

    /// The order in which stage `s` of `stages` runs the forwards and backwards of `m` micro-batches.
    static func stageProgram(_ schedule: BackpropSchedule, stage s: Int, stages: Int, microbatches m: Int) -> [StageOp]
    {
        switch schedule {
        case .serial, .gpipe:
            return (0..<m).map { .forward($0) } + (0..<m).map { .backward($0) }
        case .oneFOneB:
            let warm = min(stages &- s &- 1, m)
            var ops: [StageOp] = (0..<warm).map { .forward($0) }
            for i in 0..<(m &- warm) { ops.append(.forward(warm &+ i)); ops.append(.backward(i)) }
            for i in (m &- warm)..<m { ops.append(.backward(i)) }
            return ops
        }
    }

    /// Per-iteration state of a backprop emission, shared by the lanes.
    struct BackpropState {
        /// [layer][micro-batch]: stashed input and pre-activation, per lane (keyed by lane).
        var stash: [Int: [[[AllocationID]]]] = [:]
        /// [layer] -> slot -> gradient accumulator and the last backward that added to it.
        var gradient: [[Int: AllocationID]]
        var lastBackward: [[Int: TaskID]]
        init(layers: Int) {
            gradient = Array(repeating: [:], count: layers); lastBackward = Array(repeating: [:], count: layers)
        }
    }

    mutating func backpropIteration(_ t: Int) -> (inout ScheduleBuilder) -> Void {
        let B = spec.batch
        let used = min(lanes, B)
        var state = BackpropState(layers: layers.count)
        var serialForwards: [(lane: Int, rows: Int)] = []
        for lane in 0..<used {
            let rows = share(B, lane, used)
            let load = inputLoad(t, lane: lane, rows: rows, extraBytes: lane == 0 ? adjacencyBytes : 0)
            if spec.schedule == .serial {
                // The serial schedule defers the whole backward chain to phase B (it overlaps the next forward in the
                // overlapped pipeline, as the gradient work of the forward-only schedules does).
                let clean = cleanForwardPass(
                    t, lane: lane, rows: rows, load: load, storeInputs: true, storeLogits: true)
                state.stash[lane] = layers.indices.map { l in [[clean.inputs[l], clean.logits[l]].compactMap { $0 }] }
                var dl = lossTask(rows: rows, kind: .lossGradient, iteration: t, lane: lane)
                pushDeltas(&dl, fromLayer: layers.count, lane: lane, rows: rows)
                add(dl)
                serialForwards.append((lane, rows))
            } else {
                pipelinedLane(t, lane: lane, rows: rows, load: load, state: &state)
            }
        }
        return { (b: inout ScheduleBuilder) in
            for (lane, rows) in serialForwards {
                for l in b.layers.indices.reversed() {
                    b.backwardTask(t, layer: l, lane: lane, rows: rows, microbatch: -1, state: &state)
                }
            }
            b.reduceAndUpdate(t, state: state)
        }
    }

    /// Emits one lane's micro-batched forwards and backwards in an order that respects every stage's program and the
    /// data flow (a stage's op is emitted once what it consumes has been).
    mutating func pipelinedLane(_ t: Int, lane: Int, rows: Int, load: TaskID, state: inout BackpropState) {
        let M = spec.microbatches, S = machine.stages.count
        let programs = (0..<S).map { Self.stageProgram(spec.schedule, stage: $0, stages: S, microbatches: M) }
        var cursor = Array(repeating: 0, count: S)
        var forwardDone = Array(repeating: Array(repeating: false, count: M), count: S)
        var backwardDone = Array(repeating: Array(repeating: false, count: M), count: S)
        var lossDone = Array(repeating: false, count: M)
        var previousForward: [TaskID?] = Array(repeating: nil, count: M)
        // Hand-offs between stages, per micro-batch: what the next forward (or backward) consumes.
        var forwardHandoff: [(TaskID, AllocationID)?] = Array(repeating: nil, count: M)
        var backwardHandoff: [(TaskID, AllocationID)?] = Array(repeating: nil, count: M)
        state.stash[lane] = Array(repeating: Array(repeating: [], count: M), count: layers.count)
        var remaining = programs.reduce(0) { $0 + $1.count }
        while remaining > 0 {
            var progressed = false
            for s in 0..<S where cursor[s] < programs[s].count {
                switch programs[s][cursor[s]] {
                case .forward(let m):
                    guard s == 0 || forwardDone[s - 1][m] else { continue }
                    let mbRows = share(rows, m, M)
                    for l in machine.stages[s].layers {
                        let first = l == machine.stages[s].layers[0]
                        lastHandoff = nil
                        let r = forwardTask(
                            t, layer: l, lane: lane, rows: mbRows, microbatch: m,
                            previous: first ? nil : previousForward[m], load: l == 0 ? load : nil,
                            storeInput: true, storeLogit: true,
                            handoff: Handoff(input: first ? forwardHandoff[m] : nil))
                        state.stash[lane]![l][m] = [r.input, r.logit].compactMap { $0 }
                        previousForward[m] = r.task
                        if let h = lastHandoff { forwardHandoff[m] = h }
                    }
                    forwardDone[s][m] = true
                    if s == S - 1 {
                        var dl = lossTask(rows: mbRows, kind: .lossGradient, iteration: t, lane: lane)
                        dl.microbatch = Int32(m)
                        // The deltas wait in the last stage's memory for its backward of this micro-batch.
                        let bytes = mbRows &* layers[layers.count - 1].flowElements &* sizes.activation
                        let block = graph.addAllocation(in: place(layers.count - 1, lane: lane).inputs, bytes: bytes)
                        backwardHandoff[m] = (add(dl, allocates: [block]), block)
                        lossDone[m] = true
                    }
                case .backward(let m):
                    guard forwardDone[s][m], s == S - 1 ? lossDone[m] : backwardDone[s + 1][m] else { continue }
                    for l in machine.stages[s].layers.reversed() {
                        let last = l == machine.stages[s].layers[machine.stages[s].layers.count - 1]
                        lastHandoff = nil
                        backwardTask(
                            t, layer: l, lane: lane, rows: share(rows, m, M), microbatch: m, state: &state,
                            handoff: Handoff(input: last ? backwardHandoff[m] : nil))
                        if let h = lastHandoff { backwardHandoff[m] = h }
                    }
                    backwardDone[s][m] = true
                }
                cursor[s] += 1; remaining -= 1; progressed = true
            }
            precondition(progressed, "backprop schedule \(spec.schedule) cannot make progress")
        }
    }

    /// Sets a task's push of the deltas it produces for layer `l - 1` (backward of layer l, or the loss gradient for
    /// l = layers.count) into the backward FIFO of layer l-1's stage, when that stage differs.
    mutating func pushDeltas(_ d: inout TaskDescriptor, fromLayer l: Int, lane: Int, rows: Int) {
        let from = l == layers.count ? machine.stages.count : machine.stageOfLayer[l]
        guard l > 0, machine.stageOfLayer[l - 1] != from else { return }
        let up = machine.stageOfLayer[l - 1]
        let elements = layers[l - 1].flowElements  // the deltas of layer l-1's output and of any shortcut it carries
        d.fifoOut = machine.backwardFIFO(stage: up, lane: lane, graph: &graph)
        d.fifoOutWords = fifoWords(rows &* elements, machine.stages[up].spec)
        d.counts.fifoBytes = rows &* elements &* sizes.activation
        d.counts.onChipLinkBytes &+= d.counts.fifoBytes
    }

    /// Layer l's backward for `rows` rows: activation derivative, weight-gradient GEMM (accumulated into the replica's
    /// gradient), input-gradient GEMM (not for layer 0), deltas to the previous stage; frees the stash.
    mutating func backwardTask(
        _ t: Int, layer l: Int, lane: Int, rows B: Int, microbatch m: Int,
        state: inout BackpropState, handoff: Handoff? = nil
    ) {
        let layer = layers[l], st = place(l, lane: lane)
        let wg = layer.weightGradientGemm(rows: B)
        let ig = l > 0 ? layer.inputGradientGemm(rows: B) : GemmShape(m: 0, n: 0, k: 0)
        // GCN: the input gradient goes back through A_hat (symmetric): the same aggregation as the forward's.
        let aggregate = l > 0 ? aggregation(layer: l, copies: 1, st) : (macs: 0, cycles: 0)
        var d = task(
            st.array, .backward,
            cycles: vectorCycles(B &* layer.postOpElements, st) &+ gemmCycles(wg, st) &+ gemmCycles(ig, st)
                &+ vectorCycles(B &* layer.logitElements, st) &+ aggregate.cycles,
            iteration: t, layer: l)
        d.microbatch = Int32(m)
        d.gemm = gemmSpec(wg, st, ifmap: (st.inputs, sizes.input), filter: (st.replica.weights, sizes.weight))
        d.counts.macs = wg.macs &+ ig.macs &+ aggregate.macs
        d.counts.vectorOps = B &* layer.postOpElements
        d.counts.adds = B &* layer.logitElements
        let last = l == layers.count - 1
        var handedIn: [AllocationID] = [], handedOut: [AllocationID] = []
        if let h = handoff {
            if let (_, block) = h.input { handedIn = [block] }
            if l > 0 && machine.stageOfLayer[l - 1] != st.stage {
                let bytes = B &* layers[l - 1].flowElements &* sizes.activation
                handedOut = [graph.addAllocation(in: place(l - 1, lane: lane).inputs, bytes: bytes)]
                d.counts.onChipLinkBytes &+= bytes
            }
        } else {
            if last || machine.stageOfLayer[l + 1] != st.stage {
                d.fifoIn = machine.backwardFIFO(stage: st.stage, lane: lane, graph: &graph)
                d.fifoInWords = fifoWords(B &* layer.flowElements, st)
            }
            pushDeltas(&d, fromLayer: l, lane: lane, rows: B)
        }
        let mb = max(m, 0)
        let stash = state.stash[lane]?[l][mb] ?? []
        var allocates: [AllocationID] = []
        let gradient: AllocationID
        if let g = state.gradient[l][st.slot] {
            gradient = g
        } else {
            gradient = graph.addAllocation(in: st.accumulators, bytes: layer.parameterCount &* sizes.gradient)
            state.gradient[l][st.slot] = gradient; allocates.append(gradient)
        }
        d.counts.sramReadBytes = stash.reduce(0) { $0 &+ graph.bytes(of: $1) } &+ layer.parameterCount &* sizes.weight
        d.counts.sramWriteBytes = graph.bytes(of: gradient)
        var deps: [(TaskID, DependencyKind)] = []
        if d.fifoIn == nil && handedIn.isEmpty, l + 1 < layers.count, let p = state.lastBackward[l + 1][st.slot] {
            deps.append((p, .data))
        }
        if let (producer, _) = handoff?.input { deps.append((producer, .data)) }
        let id = add(
            d, after: deps, allocates: allocates + handedOut,
            reads: stash + [weights(l, lane: lane)] + (allocates.isEmpty ? [gradient] : []) + handedIn,
            frees: stash + handedIn)
        state.lastBackward[l][st.slot] = id
        if let block = handedOut.first { lastHandoff = (id, block) }
    }

    /// After the backward of every micro-batch on every lane: the replicas' gradients are all-reduced (when there are
    /// several) and every replica updates its weights.
    mutating func reduceAndUpdate(_ t: Int, state: BackpropState) {
        for l in layers.indices.reversed() {
            let slots = state.lastBackward[l].keys.sorted()
            var after: [Int: [(TaskID, DependencyKind)]] = [:]
            for slot in slots { after[slot] = [(state.lastBackward[l][slot]!, .data)] }
            if slots.count > 1 {
                let bytes = layers[l].parameterCount &* sizes.gradient
                let done = collective(
                    .allReduce, bytes: bytes, stage: machine.stageOfLayer[l], slots: slots,
                    after: slots.map { (state.lastBackward[l][$0]!, .data) }, kind: .allReduce,
                    iteration: t, layer: l)
                let perChip = machine.stages[machine.stageOfLayer[l]].spec.replicas
                for slot in slots {
                    let chipDone =
                        done.first { graph.units[graph.task($0).unit.index].chip == slot / perChip } ?? done.last!
                    after[slot] = [(chipDone, .data)]
                }
            }
            for slot in slots {
                let lane = laneOf(slot: slot, layer: l)
                let g = state.gradient[l][slot]!
                weightsReady[t][l][slot] = weightUpdate(
                    t, layer: l, lane: lane, gradient: g, after: after[slot]!,
                    frees: [g])
            }
        }
    }

    /// A lane that uses weight slot `slot` of layer `l`'s stage.
    func laneOf(slot: Int, layer l: Int) -> Int {
        let perChip = machine.stages[machine.stageOfLayer[l]].spec.replicas
        return (slot / perChip) &* machine.lanesPerChip &+ slot % perChip
    }
}
