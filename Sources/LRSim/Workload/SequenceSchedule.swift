import HWModel
import LRCore

/// Schedules of recurrent and spiking models (`SequenceModel`): every time step is its own task on the stage that runs
/// the layer, so steps of the cell and of the head pipeline across stages as the recurrence allows.
///
/// Clean forward, step s = 0..<T: cell (layer 0) — RNN: GEMM on `[x_t ; h_{t-1}]` plus tanh; SNN: GEMM on the
/// input spikes (generated on chip as Bernoulli bits by the stage's noise unit) plus the membrane update — then the head
/// (layer 1) where it runs (RNN: last step only; SNN: every step, an output integrator). Each trained layer stores its
/// input of every step (the outer products need all of them).
///
/// LR / ALR (forward-only), per perturbed layer p (head first), per copy group: at every step p runs, noise for the
/// group (independent per step) is generated and stored until the group's loss is known; the RNN cell recomputes its
/// GEMM per copy (each copy has its own hidden-state trajectory, kept for the `W_hh` outer product), the SNN cell
/// updates its membranes; the head follows per step (as copies). Then the per-copy loss, its broadcast, and the local
/// reduction over copies of all steps' noise. Phase B: the outer-product GEMM over the B*T stored inputs (RNN cell: the
/// `W_in` part over x_t; its `W_hh` part is one GEMM per copy group over the group's trajectories), and the update.
/// Antithetic partners travel in the same pass (copies per pass are rounded up to even).
///
/// Backprop (BPTT; for the SNN a surrogate gradient): the forward stores inputs and logits of every step; the backward
/// runs the steps in reverse, per step the weight-gradient GEMM and the GEMM that carries the error to the previous step
/// (RNN `dh W_hh`) or layer (head -> cell); one update per layer.
extension ScheduleBuilder {
    struct SequenceClean {
        var tasks: [[TaskID?]]
        var inputs: [[AllocationID?]]
        var logits: [[AllocationID?]]
    }

    mutating func sequenceIteration(_ t: Int, _ m: SequenceModel) -> (inout ScheduleBuilder) -> Void {
        spec.method == .bp ? sequenceBackpropIteration(t, m) : sequenceForwardOnlyIteration(t, m)
    }

    /// The batch: RNN T*D inputs per sample; SNN D rates per sample (spikes are drawn on chip); plus the labels.
    mutating func sequenceInputLoad(_ t: Int, _ m: SequenceModel) -> TaskID {
        var d = task(machine.dma[0], .inputLoad, cycles: 0, iteration: t)
        let perSample = m.kind == .rnn ? m.inputs &* m.steps : m.inputs
        d.dramReadBytes = spec.batch &* (perSample &* sizes.input &+ sizes.loss)
        let deps: [(TaskID, DependencyKind)] = t >= 1 ? (batchConsumed[t - 1][0].map { [($0, .control)] } ?? []) : []
        return add(d, after: deps)
    }

    mutating func sequenceCleanForward(_ t: Int, _ m: SequenceModel, load: TaskID, storeLogits: (Int) -> Bool)
        -> SequenceClean
    {
        let B = spec.batch, T = m.steps
        var r = SequenceClean(
            tasks: Array(repeating: Array(repeating: nil, count: T), count: 2),
            inputs: Array(repeating: Array(repeating: nil, count: T), count: 2),
            logits: Array(repeating: Array(repeating: nil, count: T), count: 2))
        var previous: [TaskID?] = [nil, nil]
        for s in 0..<T {
            for l in 0..<2 where m.runs(layer: l, step: s) {
                let layer = layers[l], st = place(lane0: l), links = forwardLinks(l)
                let gemm = layer.forwardGemm(rows: B)
                let ew = B &* (layer.logitElements &+ layer.postOpElements)
                var d = task(
                    st.array, .forward, cycles: gemmCycles(gemm, st) &+ vectorCycles(ew, st), iteration: t, layer: l)
                d.counts.macs = gemm.macs; d.counts.vectorOps = ew
                if l == 1, let f = links.fifoIn { d.fifoIn = f; d.fifoInWords = forwardInWords(layer: 1, rows: B) }
                let pushes = l == 0 ? m.runs(layer: 1, step: s) : s == T - 1
                if pushes, let out = links.fifoOut {
                    d.fifoOut = out; d.fifoOutWords = fifoWords(B &* layer.outputElements, st)
                    d.counts.fifoBytes = B &* layer.outputElements &* sizes.activation
                }
                if l == 0 && m.kind == .snn {
                    let n = st.spec.noise
                    d.noiseUnit = st.noise
                    d.noiseCycles = UnitTiming.noise(
                        count: B &* m.inputs, rate: n.bitsPerCycle, latency: n.latencyCycles)
                    d.counts.noiseBits = B &* m.inputs
                }
                let trained = !spec.method.isForwardOnly || spec.copies(ofLayer: l) > 0
                var allocs: [AllocationID] = []
                if trained {
                    let a = graph.addAllocation(in: st.inputs, bytes: B &* layer.inputElements &* sizes.input)
                    allocs.append(a); r.inputs[l][s] = a
                    if storeLogits(l) {
                        let g = graph.addAllocation(in: st.inputs, bytes: B &* layer.logitElements &* sizes.activation)
                        allocs.append(g); r.logits[l][s] = g
                    }
                }
                d.counts.sramReadBytes = layer.parameterCount &* sizes.weight
                d.counts.sramWriteBytes = allocs.reduce(0) { $0 &+ graph.bytes(of: $1) }
                var deps: [(TaskID, DependencyKind)] = []
                if let p = previous[l] {
                    deps.append((p, .data))
                } else {
                    deps += weightOrdering(layer: l, lane: 0, iteration: t)
                }
                if l == 0 && s == 0 { deps.append((load, .resource)) }
                if l == 1 && d.fifoIn == nil, let c = r.tasks[0][s] { deps.append((c, .data)) }
                let id = add(d, after: deps, allocates: allocs, reads: [weights(l, lane: 0)])
                r.tasks[l][s] = id; previous[l] = id
            }
        }
        batchConsumed[t][0] = r.tasks[0][0]
        return r
    }

    mutating func sequenceForwardOnlyIteration(_ t: Int, _ m: SequenceModel) -> (inout ScheduleBuilder) -> Void {
        let B = spec.batch, T = m.steps, method = spec.method
        let load = sequenceInputLoad(t, m)
        // Noise is added to stored clean logits, except in the RNN cell, which recomputes its GEMM per copy.
        let clean = sequenceCleanForward(t, m, load: load, storeLogits: { l in !(m.kind == .rnn && l == 0) })
        let cleanLoss = add(lossTask(rows: B, kind: .loss, iteration: t, lane: 0))
        let cleanBroadcast = add(broadcastTask(losses: B, iteration: t, lane: 0), after: [(cleanLoss, .data)])
        var lastAccumulate: [TaskID?] = [nil, nil]
        var accumulator: [AllocationID?] = [nil, nil]
        var recurrentGradient: AllocationID? = nil
        for p in [1, 0] {
            let K = spec.copies(ofLayer: p)
            guard K > 0 else { continue }
            let layer = layers[p], st = place(lane0: p), active = m.activeSteps(layer: p)
            let G = spec.antithetic ? spec.copiesPerPass &+ spec.copiesPerPass % 2 : spec.copiesPerPass
            var g0 = 0
            while g0 < K {
                let gc = min(G, K &- g0), rows = B &* gc
                let leaders = spec.antithetic ? (gc &+ 1) / 2 : gc
                let perStep = B &* leaders &* layer.logitElements
                let noiseCount = perStep &* active
                let storeBytes = method.signEncoded ? (noiseCount &+ 7) / 8 : noiseCount &* sizes.noise
                let noiseBlock = graph.addAllocation(in: st.noiseStore, bytes: storeBytes)
                let recurrent = m.kind == .rnn && p == 0
                let trajectory: AllocationID? =
                    recurrent
                    ? graph.addAllocation(in: st.inputs, bytes: rows &* m.hidden &* T &* sizes.activation) : nil
                let lastGroup = g0 &+ gc == K
                var previousPerturb: TaskID? = nil, previousCopy: TaskID? = nil, firstPerturb = true
                for s in 0..<T {
                    if m.runs(layer: p, step: s) {
                        let links = forwardLinks(p)
                        let ew = rows &* (layer.logitElements &+ layer.postOpElements)
                        var d = task(st.array, .perturb, cycles: vectorCycles(ew, st), iteration: t, layer: p)
                        d.perturbed = Int32(p); d.copy = Int32(g0)
                        d.noiseUnit = st.noise; d.noiseCycles = noiseCycles(perStep, st)
                        if method.signEncoded { d.counts.noiseBits = perStep } else { d.counts.noiseNumbers = perStep }
                        d.counts.vectorOps = ew
                        var reads: [AllocationID] = []
                        if recurrent {
                            let g = layer.forwardGemm(rows: rows)
                            d.cycles &+= gemmCycles(g, st); d.counts.macs = g.macs
                            reads = [weights(p, lane: 0)] + (clean.inputs[p][s].map { [$0] } ?? [])
                            d.counts.sramReadBytes =
                                layer.parameterCount &* sizes.weight &+ B &* m.inputs &* sizes.input
                        } else if let logit = clean.logits[p][s] {
                            reads = [logit]
                            d.counts.sramReadBytes = B &* layer.logitElements &* sizes.activation
                        }
                        d.counts.sramWriteBytes =
                            (method.signEncoded ? (perStep &+ 7) / 8 : perStep &* sizes.noise)
                            &+ (recurrent ? rows &* m.hidden &* sizes.activation : 0)
                        let pushes = p == 0 ? m.runs(layer: 1, step: s) : s == T - 1
                        if pushes, let out = links.fifoOut {
                            d.fifoOut = out; d.fifoOutWords = fifoWords(rows &* layer.outputElements, st)
                            d.counts.fifoBytes = rows &* layer.outputElements &* sizes.activation
                        }
                        var deps: [(TaskID, DependencyKind)] = [(clean.tasks[p][s]!, .data)]
                        if let q = previousPerturb { deps.append((q, .data)) }
                        let allocates = firstPerturb ? [noiseBlock] + (trajectory.map { [$0] } ?? []) : []
                        let frees = lastGroup ? (clean.logits[p][s].map { [$0] } ?? []) : []
                        previousPerturb = add(d, after: deps, allocates: allocates, reads: reads, frees: frees)
                        firstPerturb = false
                    }
                    if p == 0 && m.runs(layer: 1, step: s) {
                        let down = layers[1], ds = place(lane0: 1), dl = forwardLinks(1)
                        let g = down.forwardGemm(rows: rows)
                        let ew = rows &* (down.logitElements &+ down.postOpElements)
                        var c = task(
                            ds.array, .copyForward, cycles: gemmCycles(g, ds) &+ vectorCycles(ew, ds), iteration: t,
                            layer: 1)
                        c.perturbed = 0; c.copy = Int32(g0)
                        c.counts.macs = g.macs; c.counts.vectorOps = ew
                        c.counts.sramReadBytes = down.parameterCount &* sizes.weight
                        c.fifoIn = dl.fifoIn
                        if dl.fifoIn != nil { c.fifoInWords = forwardInWords(layer: 1, rows: rows) }
                        if s == T - 1, let out = dl.fifoOut {
                            c.fifoOut = out; c.fifoOutWords = fifoWords(rows &* down.outputElements, ds)
                            c.counts.fifoBytes = rows &* down.outputElements &* sizes.activation
                        }
                        var deps: [(TaskID, DependencyKind)] = []
                        if dl.fifoIn == nil, let q = previousPerturb { deps.append((q, .data)) }
                        if let q = previousCopy { deps.append((q, .data)) }
                        previousCopy = add(c, after: deps, reads: [weights(1, lane: 0)])
                    }
                }

                var lt = lossTask(rows: rows, kind: .loss, iteration: t, lane: 0)
                lt.perturbed = Int32(p); lt.copy = Int32(g0)
                let loss = add(lt)
                var bt = broadcastTask(losses: rows, iteration: t, lane: 0)
                bt.perturbed = Int32(p); bt.copy = Int32(g0)
                let broadcast = add(bt, after: [(loss, .data)])

                // w_b,t += (L_bk - L0_b) * s_bk,t over the group's copies and every active step.
                var a = task(st.vector, .accumulate, cycles: 0, iteration: t, layer: p)
                a.perturbed = Int32(p); a.copy = Int32(g0)
                let weighted = rows &* layer.logitElements &* active
                if method.signEncoded {
                    a.counts.adds = weighted &+ rows
                } else {
                    a.counts.macs = weighted; a.counts.adds = rows
                }
                a.cycles = vectorCycles(weighted &+ rows, st)
                var allocates: [AllocationID] = []
                if accumulator[p] == nil {
                    let acc = graph.addAllocation(
                        in: st.accumulators, bytes: B &* layer.logitElements &* active &* sizes.accumulator)
                    accumulator[p] = acc; allocates.append(acc)
                }
                a.counts.sramReadBytes = storeBytes &+ graph.bytes(of: accumulator[p]!)
                a.counts.sramWriteBytes = graph.bytes(of: accumulator[p]!)
                let accumulate = add(
                    a, after: [(broadcast, .data), (cleanBroadcast, .data), (previousPerturb!, .data)],
                    allocates: allocates, reads: [noiseBlock] + [accumulator[p]!].filter { !allocates.contains($0) },
                    frees: recurrent ? [] : [noiseBlock])
                lastAccumulate[p] = accumulate
                if let trajectory {
                    // dW_hh += sum over the group's copies and steps of (w * eps_t) (outer) h_{t-1}: one GEMM.
                    let g = GemmShape(m: m.hidden, n: m.hidden, k: rows &* T)
                    var d = task(st.array, .gradient, cycles: gemmCycles(g, st), iteration: t, layer: p)
                    d.perturbed = Int32(p); d.copy = Int32(g0)
                    d.counts.macs = g.macs
                    var allocs: [AllocationID] = []
                    if recurrentGradient == nil {
                        let hh = graph.addAllocation(in: st.accumulators, bytes: m.hidden &* m.hidden &* sizes.gradient)
                        recurrentGradient = hh; allocs.append(hh)
                    }
                    d.counts.sramReadBytes = graph.bytes(of: trajectory) &+ storeBytes
                    d.counts.sramWriteBytes = m.hidden &* m.hidden &* sizes.gradient
                    lastAccumulate[p] = add(
                        d, after: [(accumulate, .data)], allocates: allocs,
                        reads: [trajectory, noiseBlock], frees: [trajectory, noiseBlock])
                }
                g0 &+= gc
            }
        }

        let inputs = clean.inputs
        let hh = recurrentGradient
        return { (b: inout ScheduleBuilder) in
            for p in [1, 0] {
                guard let acc = accumulator[p], let last = lastAccumulate[p] else { continue }
                let layer = b.layers[p], st = b.place(lane0: p), active = m.activeSteps(layer: p)
                let stored = inputs[p].compactMap { $0 }
                // The outer product over the B*T stored inputs (the RNN cell's W_in part reduces over x_t only).
                let reduction = m.kind == .rnn && p == 0 ? m.inputs : layer.reduction
                let g = GemmShape(m: reduction, n: layer.outChannels, k: B &* active)
                var d = b.task(
                    st.array, .gradient,
                    cycles: b.gemmCycles(g, st) &+ b.vectorCycles(B &* active &* layer.logitElements, st),
                    iteration: t, layer: p)
                d.counts.macs = g.macs
                d.counts.adds = B &* active &* layer.logitElements
                let gradient = b.graph.addAllocation(
                    in: st.accumulators, bytes: layer.parameterCount &* b.sizes.gradient)
                d.counts.sramReadBytes = stored.reduce(0) { $0 &+ b.graph.bytes(of: $1) } &+ b.graph.bytes(of: acc)
                d.counts.sramWriteBytes = b.graph.bytes(of: gradient)
                let grad = b.add(
                    d, after: [(last, .data)], allocates: [gradient], reads: stored + [acc], frees: stored + [acc])
                let extra = p == 0 ? (hh.map { [$0] } ?? []) : []
                b.weightsReady[t][p][0] = b.weightUpdate(
                    t, layer: p, lane: 0, gradient: gradient, after: [(grad, .data)], frees: [gradient] + extra)
            }
        }
    }

    mutating func sequenceBackpropIteration(_ t: Int, _ m: SequenceModel) -> (inout ScheduleBuilder) -> Void {
        let B = spec.batch
        let load = sequenceInputLoad(t, m)
        let clean = sequenceCleanForward(t, m, load: load, storeLogits: { _ in true })
        let lastStage = place(lane0: 1)
        var dl = lossTask(rows: B, kind: .lossGradient, iteration: t, lane: 0)
        dl.fifoOut = machine.backwardFIFO(stage: lastStage.stage, lane: 0, graph: &graph)
        dl.fifoOutWords = fifoWords(B &* m.classes, lastStage)
        dl.counts.fifoBytes = B &* m.classes &* sizes.activation
        add(dl)
        return { (b: inout ScheduleBuilder) in b.sequenceBackward(t, m, clean) }
    }

    mutating func sequenceBackward(_ t: Int, _ m: SequenceModel, _ clean: SequenceClean) {
        let B = spec.batch, T = m.steps
        let split = machine.stageOfLayer[0] != machine.stageOfLayer[1]
        var previous: [TaskID?] = [nil, nil]
        var gradient: [AllocationID?] = [nil, nil]
        for s in stride(from: T - 1, through: 0, by: -1) {
            for l in [1, 0] where m.runs(layer: l, step: s) {
                let layer = layers[l], st = place(lane0: l)
                let wg = layer.weightGradientGemm(rows: B)
                let ig: GemmShape
                if l == 1 {
                    ig = layer.inputGradientGemm(rows: B)
                } else if m.kind == .rnn && s > 0 {
                    ig = GemmShape(m: B, n: m.hidden, k: m.hidden)
                }  // dh_{t-1} = da W_hh
                else {
                    ig = GemmShape(m: 0, n: 0, k: 0)
                }  // SNN: membrane carry is elementwise
                let ew = B &* (layer.postOpElements &+ layer.logitElements)
                var d = task(
                    st.array, .backward, cycles: vectorCycles(ew, st) &+ gemmCycles(wg, st) &+ gemmCycles(ig, st),
                    iteration: t, layer: l)
                d.counts.macs = wg.macs &+ ig.macs
                d.counts.vectorOps = B &* layer.postOpElements
                d.counts.adds = B &* layer.logitElements
                if l == 1 && s == T - 1 {
                    d.fifoIn = machine.backwardFIFO(stage: st.stage, lane: 0, graph: &graph);
                    d.fifoInWords = fifoWords(B &* m.classes, st)
                }
                if l == 0 && split && m.runs(layer: 1, step: s) {
                    d.fifoIn = machine.backwardFIFO(stage: st.stage, lane: 0, graph: &graph);
                    d.fifoInWords = fifoWords(B &* layers[1].inputElements, st)
                }
                if l == 1 && split {
                    let up = place(lane0: 0)
                    d.fifoOut = machine.backwardFIFO(stage: up.stage, lane: 0, graph: &graph)
                    d.fifoOutWords = fifoWords(B &* layer.inputElements, up)
                    d.counts.fifoBytes = B &* layer.inputElements &* sizes.activation
                }
                let stash = [clean.inputs[l][s], clean.logits[l][s]].compactMap { $0 }
                var allocates: [AllocationID] = []
                if gradient[l] == nil {
                    let g = graph.addAllocation(in: st.accumulators, bytes: layer.parameterCount &* sizes.gradient)
                    gradient[l] = g; allocates.append(g)
                }
                d.counts.sramReadBytes =
                    stash.reduce(0) { $0 &+ graph.bytes(of: $1) } &+ layer.parameterCount &* sizes.weight
                d.counts.sramWriteBytes = layer.parameterCount &* sizes.gradient
                var deps: [(TaskID, DependencyKind)] = []
                if let p = previous[l] { deps.append((p, .data)) }
                if l == 0 && !split && m.runs(layer: 1, step: s), let h = previous[1] { deps.append((h, .data)) }
                previous[l] = add(
                    d, after: deps, allocates: allocates, reads: stash + [weights(l, lane: 0)], frees: stash)
            }
        }
        for l in [1, 0] {
            weightsReady[t][l][0] = weightUpdate(
                t, layer: l, lane: 0, gradient: gradient[l]!, after: [(previous[l]!, .data)], frees: [gradient[l]!])
        }
    }
}

extension SequenceModel {
    /// What the sequence schedules support.
    func validate(_ spec: WorkloadSpec) throws {
        guard spec.method == .lr || spec.method == .alr || spec.method == .bp else {
            throw SimulationError.invalidWorkload(
                "workload: \(spelling) supports the estimators lr, alr and bp, got \(spec.method.rawValue)")
        }
        guard steps >= 1 && steps <= 4096 else {
            throw SimulationError.invalidWorkload("workload: \(spelling): time steps must be 1 ... 4096, got \(steps)")
        }
        if spec.method.isForwardOnly && spec.antithetic {
            for l in 0..<2 where spec.copies(ofLayer: l) % 2 != 0 {
                throw SimulationError.invalidWorkload(
                    "workload: copies must be even with antithetic pairs, got \(spec.copies(ofLayer: l)) for layer \(l) (or pass --no-antithetic)"
                )
            }
        }
        // Bound the per-iteration task count (steps x copy groups) so a build stays in memory.
        let groups = spec.method.isForwardOnly ? max(1, (spec.copies.max() ?? 1) / max(1, spec.copiesPerPass)) : 1
        let tasks = steps.multipliedReportingOverflow(by: groups &* 4 &+ 4)
        guard !tasks.overflow,
            tasks.partialValue.multipliedReportingOverflow(by: spec.iterations).partialValue <= 50_000_000
        else {
            throw SimulationError.invalidWorkload(
                "workload: \(spelling) with \(spec.copies.max() ?? 0) copies in groups of \(spec.copiesPerPass) over \(spec.iterations) iterations needs too many tasks; raise --copies-per-pass or lower --iterations"
            )
        }
    }
}
