import HWModel
import LRCore

/// Layer-wise LR / ALR / ES / AES: per perturbed layer p, copy groups that perturb p and run the layers after it.
///
/// The batch is divided into shards (one, unless `mapping.split` is `batch`: one per lane). A shard's clean forward,
/// clean loss and gradient work run on its home lane; its copy groups go to lanes by `mapping.split`: data level
/// spreads every layer's groups over all lanes, layer level puts all of layer p's groups on lane p mod lanes, batch
/// level keeps them on the shard's home lane. A lane other than the home lane first receives the clean state it
/// perturbs (the stored logit, or for ES the layer input, and the clean losses: a broadcast on the interconnect), and
/// its partial accumulator `w_b` is reduced into the home lane's before the outer product; the updated weights are
/// broadcast back to every replica that runs the layer. Batch shards instead all-reduce their weight gradients, and
/// every lane updates its own weights (data-parallel, as backprop does).
extension ScheduleBuilder {
    /// A share of the batch: its home lane (clean pass, gradient, update), its rows, and the lanes its copies use.
    struct BatchShard {
        var home: Int
        var rows: Int
        var copyLanes: [Int]
    }

    /// The batch shards of an iteration: the whole batch on lane 0 with copies over every lane, or (split `batch`)
    /// one shard per lane, each with its copies at home. A graph trains on the whole graph: one shard.
    var batchShards: [BatchShard] {
        let B = spec.batch
        guard model.mapping.split == .batch, lanes > 1, spec.graph == nil else {
            return [BatchShard(home: 0, rows: B, copyLanes: Array(0..<lanes))]
        }
        let used = min(lanes, B)
        return (0..<used).map { BatchShard(home: $0, rows: share(B, $0, used), copyLanes: [$0]) }
    }

    /// Where copy group `g` (0, 1, ...) of perturbed layer `p` of `shard` runs.
    func lane(ofGroup g: Int, layer p: Int, shard: BatchShard) -> Int {
        let lanes = shard.copyLanes
        switch model.mapping.split {
        case .data: return lanes[g % lanes.count]
        case .layer: return lanes[p % lanes.count]
        case .batch: return shard.home
        }
    }

    /// The copy groups of layer p: (first copy, copies) with `copiesPerPass` copies each; `pairs` rounds the group
    /// size up to even so antithetic partners travel together.
    func copyGroups(layer p: Int, pairs: Bool = false) -> [(first: Int, count: Int)] {
        let K = spec.copies(ofLayer: p)
        let G = pairs && spec.antithetic ? spec.copiesPerPass &+ spec.copiesPerPass % 2 : spec.copiesPerPass
        return stride(from: 0, to: K, by: G).map { ($0, min(G, K &- $0)) }
    }

    /// What a shard's forward work leaves for its gradient work.
    struct LayerwiseShardState {
        var shard: BatchShard
        var lastAccumulates: [[TaskID]]
        var homeAccumulator: [AllocationID?]
        var partials: [[AllocationID]]
        var usedSlots: [[Int]]
        var readers: [Set<Int>]
        var inputs: [AllocationID?]
    }

    mutating func forwardOnlyIteration(_ t: Int) -> (inout ScheduleBuilder) -> Void {
        let states = batchShards.map { forwardOnlyShard(t, $0) }
        return { (b: inout ScheduleBuilder) in
            for p in b.layers.indices.reversed() where !b.copyGroups(layer: p).isEmpty && states[0].inputs[p] != nil {
                if states.count == 1 {
                    let ready = b.shardGradient(t, layer: p, states[0])
                    let update = b.weightUpdate(
                        t, layer: p, lane: 0, gradient: ready.gradient, after: ready.after,
                        allocates: ready.allocates, frees: ready.frees)
                    b.publishWeights(t, layer: p, update: update, readers: states[0].readers[p])
                } else {
                    b.allReduceAndUpdate(
                        t, layer: p, states.map { (shard: $0.shard, ready: b.shardGradient(t, layer: p, $0)) })
                }
            }
        }
    }

    /// One shard's forward work: its clean pass and every layer's copy groups (the gradient work is deferred).
    mutating func forwardOnlyShard(_ t: Int, _ shard: BatchShard) -> LayerwiseShardState {
        let B = shard.rows, method = spec.method, home0 = shard.home
        let load = inputLoad(t, lane: home0, rows: B, extraBytes: home0 == 0 ? adjacencyBytes : 0)
        let clean = cleanForwardPass(
            t, lane: home0, rows: B, load: load, storeInputs: true,
            storeLogits: !method.usesWeightNoise)
        let cleanLoss = add(lossTask(rows: B, kind: .loss, iteration: t, lane: home0))
        let cleanBroadcast = add(broadcastTask(losses: B, iteration: t, lane: home0), after: [(cleanLoss, .data)])

        var lastAccumulates = Array<[TaskID]>(repeating: [], count: layers.count)
        var homeAccumulator = Array<AllocationID?>(repeating: nil, count: layers.count)
        var partials = Array<[AllocationID]>(repeating: [], count: layers.count)
        var usedSlots = Array<[Int]>(repeating: [], count: layers.count)
        // Replicas (slots) that read layer l's weights this iteration: the home one, and those running copies.
        var readers: [Set<Int>] = layers.indices.map { [place($0, lane: home0).slot] }

        for p in layers.indices.reversed() {
            let groups = copyGroups(layer: p)
            guard !groups.isEmpty else { continue }
            let layer = layers[p]
            let home = place(p, lane: home0)
            let groupLanes = groups.indices.map { lane(ofGroup: $0, layer: p, shard: shard) }
            for lane in Set(groupLanes) {
                for l in (method.usesWeightNoise ? p : p &+ 1)..<layers.count {
                    readers[l].insert(place(l, lane: lane).slot)
                }
            }
            // The clean state a remote replica perturbs, broadcast from home: one block per remote slot.
            let stateBytes =
                B
                &* (method.usesWeightNoise
                    ? layer.inputElements &* sizes.input
                    : layer.logitElements &* sizes.activation) &+ B &* sizes.loss
            var slots = Set(groupLanes.map { place(p, lane: $0).slot })
            slots.insert(home.slot)
            usedSlots[p] = slots.sorted()
            var remoteState: [Int: AllocationID] = [:]
            var stateArrived: [TaskID] = []
            if slots.count > 1 {
                stateArrived = collective(
                    .broadcast, bytes: stateBytes, stage: home.stage, slots: usedSlots[p],
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
                    lastUser[block.index] =
                        spec.antithetic ? min(leaders.last! &+ 1, spec.copies(ofLayer: p) &- 1) : leaders.last!
                }
                var usedNoise: [AllocationID] = []
                for k in copiesHere {
                    if let n = noiseOfLeader[spec.antithetic ? k &- k % 2 : k], !usedNoise.contains(n) {
                        usedNoise.append(n)
                    }
                }
                let freedNoise = usedNoise.filter { copiesHere.contains(lastUser[$0.index] ?? -1) }

                // Perturbed layer p: noise on the stored clean logit (LR/ALR), or a perturbed-weight GEMM (ES/AES).
                var allocates: [AllocationID] = noiseBlock.map { [$0] } ?? []
                var stored: AllocationID?
                if remote {
                    if let s = remoteState[st.slot] {
                        stored = s
                    } else {
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
                    d.cycles =
                        vectorCycles(layer.parameterCount &* gc, st) &+ gemmCycles(g, st)
                        &+ vectorCycles(elementwise, st)
                    d.counts.macs = g.macs
                    d.gemm = gemmSpec(
                        g, st, ifmap: (st.inputs, sizes.input), filter: (st.replica.weights, sizes.weight))
                    d.counts.vectorOps = layer.parameterCount &* gc &+ elementwise
                    reads.append(weights(p, lane: lane))
                    d.counts.sramReadBytes =
                        B &* layer.inputElements &* sizes.input &+ layer.parameterCount &* sizes.weight
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
                    let aggregate = aggregation(layer: l, copies: gc, ds)  // GCN: A_hat * (.) of every copy
                    var c = task(
                        ds.array, .copyForward, cycles: gemmCycles(g, ds) &+ vectorCycles(ew, ds) &+ aggregate.cycles,
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
                if method.signEncoded {
                    a.counts.adds = weighted &+ rows &+ credit
                } else {
                    a.counts.macs = weighted; a.counts.adds = rows &+ credit
                }
                a.cycles = vectorCycles(weighted &+ rows &+ credit, st)
                var accAllocates: [AllocationID] = []
                let accBytes =
                    (method.usesWeightNoise ? layer.parameterCount : B &* layer.logitElements) &* sizes.accumulator
                let acc: AllocationID
                if let existing = accumulator[st.slot] {
                    acc = existing
                } else {
                    acc = graph.addAllocation(in: st.accumulators, bytes: accBytes)
                    accumulator[st.slot] = acc; accAllocates.append(acc)
                    if remote { partials[p].append(acc) } else { homeAccumulator[p] = acc }
                }
                a.counts.sramWriteBytes = accBytes
                var accDeps: [(TaskID, DependencyKind)] = [(broadcast, .data), (perturb, .data)]
                accDeps.append(remote ? (stateArrived.first ?? cleanBroadcast, .data) : (cleanBroadcast, .data))
                a.counts.sramReadBytes = usedNoise.reduce(0) { $0 &+ graph.bytes(of: $1) } &+ accBytes
                let accumulate = add(
                    a, after: accDeps, allocates: accAllocates,
                    reads: usedNoise + (accAllocates.isEmpty ? [acc] : []), frees: freedNoise)
                if lastGroupOfSlot[st.slot] == j { lastAccumulates[p].append(accumulate) }
            }
        }

        return LayerwiseShardState(
            shard: shard, lastAccumulates: lastAccumulates, homeAccumulator: homeAccumulator, partials: partials,
            usedSlots: usedSlots, readers: readers, inputs: clean.inputs)
    }

    /// What a layer's update waits for: the tasks that finish its gradient, the gradient block, and the blocks the
    /// update allocates and frees.
    struct GradientReady {
        var after: [(TaskID, DependencyKind)]
        var gradient: AllocationID
        var allocates: [AllocationID]
        var frees: [AllocationID]
    }

    /// Layer p's gradient of one shard on its home lane: the copies' partial accumulators reduced into the home one
    /// (when copies ran on other replicas), then the outer product.
    mutating func shardGradient(_ t: Int, layer p: Int, _ s: LayerwiseShardState) -> GradientReady {
        let home = place(p, lane: s.shard.home), layer = layers[p]
        var after = s.lastAccumulates[p].map { ($0, DependencyKind.data) }
        var accumulator = s.homeAccumulator[p]
        var allocate = false
        if Set(s.usedSlots[p]).count > 1 {
            let bytes =
                (spec.method.usesWeightNoise ? layer.parameterCount : s.shard.rows &* layer.logitElements)
                &* sizes.accumulator
            after = collective(
                .reduce, bytes: bytes, stage: home.stage, slots: s.usedSlots[p], after: after,
                kind: .reduce, iteration: t, layer: p
            ).map { ($0, .data) }
            if accumulator == nil {
                // The home replica ran no copies of this layer: the reduction lands in a fresh accumulator.
                accumulator = graph.addAllocation(in: home.accumulators, bytes: bytes)
                allocate = true
            }
        }
        return layerGradient(
            t, layer: p, lane: s.shard.home, rows: s.shard.rows, accumulator: accumulator!,
            allocate: allocate, after: after, input: s.inputs[p]!, extraFrees: s.partials[p])
    }

    /// Batch shards: the shards' gradients of layer p are all-reduced over their home replicas, then every shard's
    /// home lane updates its own weights.
    mutating func allReduceAndUpdate(_ t: Int, layer p: Int, _ shards: [(shard: BatchShard, ready: GradientReady)]) {
        let slots = shards.map { place(p, lane: $0.shard.home).slot }
        let done = collective(
            .allReduce, bytes: layers[p].parameterCount &* sizes.gradient,
            stage: machine.stageOfLayer[p], slots: slots, after: shards.flatMap(\.ready.after),
            kind: .allReduce, iteration: t, layer: p)
        let perChip = machine.stages[machine.stageOfLayer[p]].spec.replicas
        for (shard, ready) in shards {
            let slot = place(p, lane: shard.home).slot
            let chipDone = done.first { graph.units[graph.task($0).unit.index].chip == slot / perChip } ?? done.last!
            weightsReady[t][p][slot] = weightUpdate(
                t, layer: p, lane: shard.home, gradient: ready.gradient,
                after: [(chipDone, .data)], allocates: ready.allocates,
                frees: ready.frees)
        }
    }

    /// The outer-product GEMM `dW = sum_b w_b (x) x_b` (LR/ALR) of `rows` samples on `lane`; weight noise (ES/AES)
    /// accumulates the gradient directly.
    mutating func layerGradient(
        _ t: Int, layer p: Int, lane: Int, rows B: Int, accumulator: AllocationID,
        allocate: Bool, after last: [(TaskID, DependencyKind)], input: AllocationID,
        extraFrees: [AllocationID]
    ) -> GradientReady {
        let layer = layers[p], st = place(p, lane: lane)
        guard !spec.method.usesWeightNoise else {
            return GradientReady(
                after: last, gradient: accumulator, allocates: allocate ? [accumulator] : [],
                frees: [accumulator, input] + extraFrees)
        }
        let g = layer.weightGradientGemm(rows: B)
        var d = task(
            st.array, .gradient, cycles: gemmCycles(g, st) &+ vectorCycles(B &* layer.logitElements, st),
            iteration: t, layer: p)
        d.counts.macs = g.macs
        d.gemm = gemmSpec(g, st, ifmap: (st.inputs, sizes.input), filter: (st.accumulators, sizes.accumulator))
        d.counts.adds = B &* layer.logitElements  // bias gradient: sum of w_b over samples and positions
        let gradient = graph.addAllocation(in: st.accumulators, bytes: layer.parameterCount &* sizes.gradient)
        d.counts.sramReadBytes = graph.bytes(of: input) &+ graph.bytes(of: accumulator)
        d.counts.sramWriteBytes = graph.bytes(of: gradient)
        let grad = add(
            d, after: last, allocates: [gradient] + (allocate ? [accumulator] : []),
            reads: [input] + (allocate ? [] : [accumulator]), frees: [input, accumulator] + extraFrees)
        return GradientReady(after: [(grad, .data)], gradient: gradient, allocates: [], frees: [gradient])
    }

    /// Records that the home replica's update of layer `p` is done, and broadcasts the weights to the other replicas
    /// in `readers` (their copies of the next iterations read them).
    mutating func publishWeights(_ t: Int, layer p: Int, update: TaskID, readers: Set<Int>) {
        let home = place(p, lane: 0)
        weightsReady[t][p][home.slot] = update
        let remote = readers.subtracting([home.slot]).sorted()
        guard !remote.isEmpty else { return }
        let done = collective(
            .broadcast, bytes: layers[p].parameterCount &* sizes.weight, stage: home.stage,
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
    mutating func weightUpdate(
        _ t: Int, layer p: Int, lane: Int, gradient: AllocationID,
        after deps: [(TaskID, DependencyKind)], allocates: [AllocationID] = [],
        frees: [AllocationID]
    ) -> TaskID {
        let layer = layers[p], st = place(p, lane: lane)
        var u = task(st.vector, .update, cycles: vectorCycles(layer.parameterCount, st), iteration: t, layer: p)
        u.counts.vectorOps = layer.parameterCount
        u.counts.sramReadBytes = graph.bytes(of: gradient) &+ layer.parameterCount &* sizes.weight
        u.counts.sramWriteBytes = layer.parameterCount &* sizes.weight
        let w = weights(p, lane: lane)
        return add(
            u, after: deps, allocates: allocates, reads: allocates.contains(gradient) ? [w] : [gradient, w],
            writes: [w], frees: frees)
    }
}
