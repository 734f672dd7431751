import HWModel
import LRCore

/// Layer-wise LR / ALR / ES / AES: per perturbed layer p, copy groups that perturb p and run the layers after it.
///
/// The clean forward, the clean loss and the gradient work run on the home lane (lane 0). Copy groups go to lanes by
/// `mapping.split`: data level spreads every layer's groups over all lanes; layer level puts all of layer p's groups on
/// lane p mod lanes. A lane other than the home lane first receives the clean state it perturbs (the stored logit, or
/// for ES the layer input, and the clean losses: a broadcast on the interconnect), and its partial accumulator `w_b`
/// is reduced into the home lane's before the outer product; the updated weights are broadcast back to every replica
/// that runs the layer.
extension ScheduleBuilder {
    /// Where copy group `g` (0, 1, ...) of perturbed layer `p` runs.
    func lane(ofGroup g: Int, layer p: Int) -> Int {
        model.mapping.split == .data ? g % lanes : p % lanes
    }

    /// The copy groups of layer p: (first copy, copies) with `copiesPerPass` copies each; `pairs` rounds the group
    /// size up to even so antithetic partners travel together.
    func copyGroups(layer p: Int, pairs: Bool = false) -> [(first: Int, count: Int)] {
        let K = spec.copies(ofLayer: p)
        let G = pairs && spec.antithetic ? spec.copiesPerPass &+ spec.copiesPerPass % 2 : spec.copiesPerPass
        return stride(from: 0, to: K, by: G).map { ($0, min(G, K &- $0)) }
    }

    mutating func forwardOnlyIteration(_ t: Int) -> (inout ScheduleBuilder) -> Void {
        let B = spec.batch, method = spec.method
        let load = inputLoad(t, lane: 0, rows: B, extraBytes: adjacencyBytes)
        let clean = cleanForwardPass(t, lane: 0, rows: B, load: load, storeInputs: true,
                                     storeLogits: !method.usesWeightNoise)
        let cleanLoss = add(lossTask(rows: B, kind: .loss, iteration: t, lane: 0))
        let cleanBroadcast = add(broadcastTask(losses: B, iteration: t, lane: 0), after: [(cleanLoss, .data)])

        var lastAccumulates = Array<[TaskID]>(repeating: [], count: layers.count)
        var homeAccumulator = Array<AllocationID?>(repeating: nil, count: layers.count)
        var partials = Array<[AllocationID]>(repeating: [], count: layers.count)
        var usedSlots = Array<[Int]>(repeating: [], count: layers.count)
        // Replicas (slots) that read layer l's weights this iteration: the home one, and those running copies.
        var readers: [Set<Int>] = layers.indices.map { [place($0, lane: 0).slot] }

        for p in layers.indices.reversed() {
            let groups = copyGroups(layer: p)
            guard !groups.isEmpty else { continue }
            let layer = layers[p]
            let home = place(p, lane: 0)
            let groupLanes = groups.indices.map { lane(ofGroup: $0, layer: p) }
            for lane in Set(groupLanes) {
                for l in (method.usesWeightNoise ? p : p &+ 1)..<layers.count { readers[l].insert(place(l, lane: lane).slot) }
            }
            // The clean state a remote replica perturbs, broadcast from home: one block per remote slot.
            let stateBytes = B &* (method.usesWeightNoise ? layer.inputElements &* sizes.input
                                                          : layer.logitElements &* sizes.activation) &+ B &* sizes.loss
            var slots = Set(groupLanes.map { place(p, lane: $0).slot })
            slots.insert(home.slot)
            usedSlots[p] = slots.sorted()
            var remoteState: [Int: AllocationID] = [:]
            var stateArrived: [TaskID] = []
            if slots.count > 1 {
                stateArrived = collective(.broadcast, bytes: stateBytes, stage: home.stage, slots: usedSlots[p],
                                          after: [(clean.tasks[p], .data), (cleanLoss, .data)], kind: .transfer,
                                          iteration: t, layer: p)
            }
            var lastGroupOfSlot: [Int: Int] = [:]
            for (j, lane) in groupLanes.enumerated() { lastGroupOfSlot[place(p, lane: lane).slot] = j }
            var accumulator: [Int: AllocationID] = [:]
            var noiseOfLeader: [Int: AllocationID] = [:]
            var lastUser: [Int: Int] = [:]

            for (j, group) in groups.enumerated() {
                let (g0, gc) = group
                let lane = groupLanes[j]
                let st = place(p, lane: lane)
                let remote = st.slot != home.slot
                let rows = B &* gc
                // Antithetic partners share their leader's noise (negated): only leaders draw and store noise, and a
                // block is freed by the group holding the last copy that uses it.
                let copiesHere = g0..<(g0 &+ gc)
                let leaders = copiesHere.filter { !spec.antithetic || $0 % 2 == 0 }
                let perNumber = method.usesWeightNoise ? layer.parameterCount : B &* layer.logitElements
                let noiseCount = perNumber &* leaders.count
                let storeBytes = method.signEncoded ? (noiseCount &+ 7) / 8 : noiseCount &* sizes.noise
                let noiseBlock = noiseCount > 0 ? graph.addAllocation(in: st.noiseStore, bytes: storeBytes) : nil
                if let block = noiseBlock {
                    for k in leaders { noiseOfLeader[k] = block }
                    lastUser[block.index] = spec.antithetic ? min(leaders.last! &+ 1, spec.copies(ofLayer: p) &- 1) : leaders.last!
                }
                var usedNoise: [AllocationID] = []
                for k in copiesHere {
                    if let n = noiseOfLeader[spec.antithetic ? k &- k % 2 : k], !usedNoise.contains(n) { usedNoise.append(n) }
                }
                let freedNoise = usedNoise.filter { copiesHere.contains(lastUser[$0.index] ?? -1) }

                // Perturbed layer p: noise on the stored clean logit (LR/ALR), or a perturbed-weight GEMM (ES/AES).
                var allocates: [AllocationID] = noiseBlock.map { [$0] } ?? []
                var stored: AllocationID?
                if remote {
                    if let s = remoteState[st.slot] { stored = s } else {
                        let s = graph.addAllocation(in: st.inputs, bytes: stateBytes)
                        remoteState[st.slot] = s; stored = s; allocates.append(s)
                    }
                } else {
                    stored = method.usesWeightNoise ? clean.inputs[p] : clean.logits[p]
                }
                let elementwise = rows &* (layer.logitElements &+ layer.postOpElements)
                var d = task(st.array, .perturb, cycles: 0, iteration: t, layer: p)
                d.perturbed = Int32(p); d.copy = Int32(g0)
                d.noiseUnit = st.noise; d.noiseCycles = noiseCycles(noiseCount, st)
                if method.signEncoded { d.counts.noiseBits = noiseCount } else { d.counts.noiseNumbers = noiseCount }
                var reads: [AllocationID] = stored.map { [$0] } ?? []
                if method.usesWeightNoise {
                    let g = layer.forwardGemm(rows: rows)
                    d.cycles = vectorCycles(layer.parameterCount &* gc, st) &+ gemmCycles(g, st) &+ vectorCycles(elementwise, st)
                    d.counts.macs = g.macs
                    d.gemm = gemmSpec(g, st, ifmap: (st.inputs, sizes.input), filter: (st.replica.weights, sizes.weight))
                    d.counts.vectorOps = layer.parameterCount &* gc &+ elementwise
                    reads.append(weights(p, lane: lane))
                    d.counts.sramReadBytes = B &* layer.inputElements &* sizes.input &+ layer.parameterCount &* sizes.weight
                } else {
                    d.cycles = vectorCycles(elementwise, st)
                    d.counts.vectorOps = elementwise
                    d.counts.sramReadBytes = B &* layer.logitElements &* sizes.activation
                }
                d.counts.sramWriteBytes = noiseBlock == nil ? 0 : storeBytes
                linkOut(&d, layer: p, lane: lane, rows: rows)
                let lastGroup = j == groups.count &- 1
                var frees: [AllocationID] = []
                if lastGroup, !method.usesWeightNoise, let logit = clean.logits[p] { frees.append(logit) }
                if remote, lastGroupOfSlot[st.slot] == j, let s = stored { frees.append(s) }
                var deps: [(TaskID, DependencyKind)] = [(clean.tasks[p], .data)]
                if remote { deps += stateArrived.map { ($0, .resource) } }
                if method.usesWeightNoise { deps += weightOrdering(layer: p, lane: lane, iteration: t) }
                let perturb = add(d, after: deps, allocates: allocates, reads: reads, frees: frees)
                var previous = perturb

                // The copies through every downstream layer.
                for l in (p + 1)..<layers.count {
                    let down = layers[l], ds = place(l, lane: lane)
                    let g = down.forwardGemm(rows: rows)
                    let ew = rows &* (down.logitElements &+ down.postOpElements)
                    let aggregate = aggregation(layer: l, copies: gc, ds)   // GCN: A_hat * (.) of every copy
                    var c = task(ds.array, .copyForward, cycles: gemmCycles(g, ds) &+ vectorCycles(ew, ds) &+ aggregate.cycles,
                                 iteration: t, layer: l)
                    c.perturbed = Int32(p); c.copy = Int32(g0)
                    c.gemm = gemmSpec(g, ds, ifmap: nil, filter: (ds.replica.weights, sizes.weight))
                    c.counts.macs = g.macs &+ aggregate.macs; c.counts.vectorOps = ew
                    c.counts.sramReadBytes = down.parameterCount &* sizes.weight
                    let pops = link(&c, layer: l, lane: lane, rows: rows)
                    var deps: [(TaskID, DependencyKind)] = pops ? [] : [(previous, .data)]
                    deps += weightOrdering(layer: l, lane: lane, iteration: t)
                    previous = add(c, after: deps, reads: [weights(l, lane: lane)])
                }

                // Per-copy losses, broadcast to the perturbed layer.
                var lt = lossTask(rows: rows, kind: .loss, iteration: t, lane: lane)
                lt.perturbed = Int32(p); lt.copy = Int32(g0)
                let loss = add(lt)
                var bt = broadcastTask(losses: rows, iteration: t, lane: lane)
                bt.perturbed = Int32(p); bt.copy = Int32(g0)
                let broadcast = add(bt, after: [(loss, .data)])

                // Local reduction over copies: w_b += (L_bk - L0_b) * s_bk (LR: multiply; ALR: sign-controlled add).
                var a = task(st.vector, .accumulate, cycles: 0, iteration: t, layer: p)
                a.perturbed = Int32(p); a.copy = Int32(g0)
                let weighted = method.usesWeightNoise ? gc &* layer.parameterCount : rows &* layer.logitElements
                // GCN: noise at node v below the last layer reaches the losses of A_hat's support of v, so the loss
                // changes are summed over it first: one width-1 aggregation per copy (N + 2E adds).
                let credit = p < layers.count - 1 ? gc &* (spec.graph?.nonZeros ?? 0) : 0
                if method.signEncoded { a.counts.adds = weighted &+ rows &+ credit } else { a.counts.macs = weighted; a.counts.adds = rows &+ credit }
                a.cycles = vectorCycles(weighted &+ rows &+ credit, st)
                var accAllocates: [AllocationID] = []
                let accBytes = (method.usesWeightNoise ? layer.parameterCount : B &* layer.logitElements) &* sizes.accumulator
                let acc: AllocationID
                if let existing = accumulator[st.slot] { acc = existing } else {
                    acc = graph.addAllocation(in: st.accumulators, bytes: accBytes)
                    accumulator[st.slot] = acc; accAllocates.append(acc)
                    if remote { partials[p].append(acc) } else { homeAccumulator[p] = acc }
                }
                a.counts.sramWriteBytes = accBytes
                var accDeps: [(TaskID, DependencyKind)] = [(broadcast, .data), (perturb, .data)]
                accDeps.append(remote ? (stateArrived.first ?? cleanBroadcast, .data) : (cleanBroadcast, .data))
                a.counts.sramReadBytes = usedNoise.reduce(0) { $0 &+ graph.bytes(of: $1) } &+ accBytes
                let accumulate = add(a, after: accDeps, allocates: accAllocates,
                                     reads: usedNoise + (accAllocates.isEmpty ? [acc] : []), frees: freedNoise)
                if lastGroupOfSlot[st.slot] == j { lastAccumulates[p].append(accumulate) }
            }
        }

        let inputs = clean.inputs
        return { (b: inout ScheduleBuilder) in
            for p in b.layers.indices.reversed() {
                guard !b.copyGroups(layer: p).isEmpty, let input = inputs[p] else { continue }
                var after = lastAccumulates[p].map { ($0, DependencyKind.data) }
                var accumulator = homeAccumulator[p]
                var allocate = false
                if Set(usedSlots[p]).count > 1 {
                    let layer = b.layers[p], home = b.place(p, lane: 0)
                    let bytes = (b.spec.method.usesWeightNoise ? layer.parameterCount : B &* layer.logitElements)
                        &* b.sizes.accumulator
                    after = b.collective(.reduce, bytes: bytes, stage: home.stage, slots: usedSlots[p], after: after,
                                         kind: .reduce, iteration: t, layer: p).map { ($0, .data) }
                    if accumulator == nil {
                        // The home replica ran no copies of this layer: the reduction lands in a fresh accumulator.
                        accumulator = b.graph.addAllocation(in: home.accumulators, bytes: bytes)
                        allocate = true
                    }
                }
                b.gradientAndUpdate(t, layer: p, accumulator: accumulator!, allocate: allocate, after: after,
                                    input: input, extraFrees: partials[p], readers: readers[p])
            }
        }
    }

    /// The outer-product GEMM `dW = sum_b w_b (x) x_b` (LR/ALR) and the weight update on the home lane, then the
    /// updated weights to every other replica that reads them.
    mutating func gradientAndUpdate(_ t: Int, layer p: Int, accumulator: AllocationID, allocate: Bool,
                                    after last: [(TaskID, DependencyKind)], input: AllocationID,
                                    extraFrees: [AllocationID], readers: Set<Int>) {
        let layer = layers[p], st = place(p, lane: 0), B = spec.batch
        var updateDeps = last
        var gradient = accumulator
        var frees: [AllocationID] = [accumulator, input] + extraFrees
        var updateAllocates: [AllocationID] = allocate ? [accumulator] : []
        if !spec.method.usesWeightNoise {
            let g = layer.weightGradientGemm(rows: B)
            var d = task(st.array, .gradient, cycles: gemmCycles(g, st) &+ vectorCycles(B &* layer.logitElements, st),
                         iteration: t, layer: p)
            d.counts.macs = g.macs
            d.gemm = gemmSpec(g, st, ifmap: (st.inputs, sizes.input), filter: (st.accumulators, sizes.accumulator))
            d.counts.adds = B &* layer.logitElements   // bias gradient: sum of w_b over samples and positions
            gradient = graph.addAllocation(in: st.accumulators, bytes: layer.parameterCount &* sizes.gradient)
            d.counts.sramReadBytes = graph.bytes(of: input) &+ graph.bytes(of: accumulator)
            d.counts.sramWriteBytes = graph.bytes(of: gradient)
            let grad = add(d, after: last, allocates: [gradient] + (allocate ? [accumulator] : []),
                           reads: [input] + (allocate ? [] : [accumulator]), frees: [input, accumulator] + extraFrees)
            updateDeps = [(grad, .data)]
            frees = [gradient]
            updateAllocates = []
        }
        let update = weightUpdate(t, layer: p, lane: 0, gradient: gradient, after: updateDeps, allocates: updateAllocates,
                                  frees: frees)
        publishWeights(t, layer: p, update: update, readers: readers)
    }

    /// Records that the home replica's update of layer `p` is done, and broadcasts the weights to the other replicas
    /// in `readers` (their copies of the next iterations read them).
    mutating func publishWeights(_ t: Int, layer p: Int, update: TaskID, readers: Set<Int>) {
        let home = place(p, lane: 0)
        weightsReady[t][p][home.slot] = update
        let remote = readers.subtracting([home.slot]).sorted()
        guard !remote.isEmpty else { return }
        let done = collective(.broadcast, bytes: layers[p].parameterCount &* sizes.weight, stage: home.stage,
                              slots: [home.slot] + remote, after: [(update, .data)], kind: .weightBroadcast,
                              iteration: t, layer: p)
        let perChip = machine.stages[home.stage].spec.replicas
        for slot in remote {
            // The phase that finishes on the slot's chip (the last on-chip broadcast), else the last phase.
            let chipDone = done.first { graph.units[graph.task($0).unit.index].chip == slot / perChip } ?? done.last
            weightsReady[t][p][slot] = chipDone
        }
    }

    /// SGD update `W -= eta * g` on the vector unit of `lane`'s replica; writes back weights that live in DRAM.
    mutating func weightUpdate(_ t: Int, layer p: Int, lane: Int, gradient: AllocationID,
                               after deps: [(TaskID, DependencyKind)], allocates: [AllocationID] = [],
                               frees: [AllocationID]) -> TaskID {
        let layer = layers[p], st = place(p, lane: lane)
        var u = task(st.vector, .update, cycles: vectorCycles(layer.parameterCount, st), iteration: t, layer: p)
        u.counts.vectorOps = layer.parameterCount
        u.counts.sramReadBytes = graph.bytes(of: gradient) &+ layer.parameterCount &* sizes.weight
        u.counts.sramWriteBytes = layer.parameterCount &* sizes.weight
        let w = weights(p, lane: lane)
        return add(u, after: deps, allocates: allocates, reads: allocates.contains(gradient) ? [w] : [gradient, w],
                   writes: [w], frees: frees)
    }
}
