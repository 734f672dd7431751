import LRCore

/// All-layer injection (LR / ALR, the authors' scheme): every copy is one noisy forward pass with noise on every layer's
/// output, so K copies cost K forward passes whatever the depth, and every layer's gradient comes from the same
/// per-copy losses. Each layer keeps, per copy, its noisy input and its noise (words or signs) until the copy's loss
/// is broadcast; then it weights the noise by the loss change and adds the outer product with its noisy input,
/// `dW += sum_n (L_n - L0_n) s_n (x) x_n` over the group's B x copies rows, into its gradient.
///
/// A clean pass gives the baseline losses L0 on a batch shard's home lane (`BatchShard`: the whole batch on lane 0,
/// or with `mapping.split = batch` one share per lane). A shard's copy groups are spread over its lanes (every lane
/// runs whole copies; layer level is not separable here, so it spreads them like data level); a lane other than the
/// home one loads the shard itself, receives the clean losses, and its partial gradients are reduced into the home
/// lane's before the update; updated weights go back to every replica. Batch shards all-reduce their gradients and
/// each updates its own weights.
extension ScheduleBuilder {
    /// What a shard's copies leave for the update: per layer, its replicas' gradients and their last outer products.
    struct AllLayersShardState {
        var shard: BatchShard
        var gradient: [[Int: AllocationID]]
        var lastOuter: [[Int: TaskID]]
    }

    mutating func allLayersIteration(_ t: Int) -> (inout ScheduleBuilder) -> Void {
        let states = batchShards.map { allLayersShard(t, $0) }
        return { (b: inout ScheduleBuilder) in
            for l in b.layers.indices.reversed() {
                let ready = states.map { b.allLayersGradient(t, layer: l, $0) }
                if states.count == 1, let (r, readers) = ready[0] {
                    let update = b.weightUpdate(
                        t, layer: l, lane: states[0].shard.home, gradient: r.gradient,
                        after: r.after, allocates: r.allocates, frees: r.frees)
                    b.publishWeights(t, layer: l, update: update, readers: readers)
                } else if states.count > 1 {
                    b.allReduceAndUpdate(
                        t, layer: l, zip(states, ready).compactMap { s, r in r.map { (shard: s.shard, ready: $0.0) } })
                }
            }
        }
    }

    /// Layer l's gradient of one shard on its home replica (the replicas' partial gradients reduced into it), and the
    /// replicas that read the layer's weights; nil when no copy of the shard ran.
    mutating func allLayersGradient(_ t: Int, layer l: Int, _ s: AllLayersShardState) -> (GradientReady, Set<Int>)? {
        let home = place(l, lane: s.shard.home)
        let slots = s.lastOuter[l].keys.sorted()
        guard !slots.isEmpty else { return nil }
        var after = slots.map { (s.lastOuter[l][$0]!, DependencyKind.data) }
        var target = s.gradient[l][home.slot]
        var allocates: [AllocationID] = []
        var frees = slots.filter { $0 != home.slot }.map { s.gradient[l][$0]! }
        let allSlots = Set(slots).union([home.slot]).sorted()
        if allSlots.count > 1 {
            after = collective(
                .reduce, bytes: layers[l].parameterCount &* sizes.gradient, stage: home.stage,
                slots: allSlots, after: after, kind: .reduce, iteration: t, layer: l
            ).map { ($0, .data) }
        }
        if target == nil {
            target = graph.addAllocation(in: home.accumulators, bytes: layers[l].parameterCount &* sizes.gradient)
            allocates = [target!]
        }
        frees.append(target!)
        return (GradientReady(after: after, gradient: target!, allocates: allocates, frees: frees), Set(allSlots))
    }

    /// One shard's clean pass and copy groups, with the outer products lagging the forwards by the stage count.
    mutating func allLayersShard(_ t: Int, _ shard: BatchShard) -> AllLayersShardState {
        let B = shard.rows, method = spec.method, home0 = shard.home
        let load = inputLoad(t, lane: home0, rows: B, extraBytes: home0 == 0 ? adjacencyBytes : 0)
        _ = cleanForwardPass(t, lane: home0, rows: B, load: load, storeInputs: false, storeLogits: false)
        let cleanLoss = add(lossTask(rows: B, kind: .loss, iteration: t, lane: home0))
        let cleanBroadcast = add(broadcastTask(losses: B, iteration: t, lane: home0), after: [(cleanLoss, .data)])

        let groups = copyGroups(layer: 0, pairs: true)
        let groupLanes = groups.indices.map { shard.copyLanes[$0 % shard.copyLanes.count] }
        let used = Array(Set(groupLanes)).sorted()
        // Remote lanes: their own copy of the shard, and the clean losses from the home lane.
        var laneLoad: [Int: TaskID] = [home0: load]
        var baselineArrived: [Int: TaskID] = [home0: cleanBroadcast]
        let firstSlots = Set(used.map { place(0, lane: $0).slot }).union([place(0, lane: home0).slot]).sorted()
        let lossesArrived = collective(
            .broadcast, bytes: B &* sizes.loss, stage: machine.stageOfLayer[0],
            slots: firstSlots, after: [(cleanLoss, .data)], kind: .transfer, iteration: t,
            layer: -1)
        for lane in used where lane != home0 {
            laneLoad[lane] = inputLoad(t, lane: lane, rows: B)
            baselineArrived[lane] = lossesArrived.last ?? cleanBroadcast
        }
        var gradient: [[Int: AllocationID]] = Array(repeating: [:], count: layers.count)
        var lastOuter: [[Int: TaskID]] = Array(repeating: [:], count: layers.count)
        var pending: [AllLayersGroup] = []
        let lag = machine.stages.count

        for (j, group) in groups.enumerated() {
            let (g0, gc) = group
            let lane = groupLanes[j]
            let rows = B &* gc
            let leaders = spec.antithetic ? (gc &+ 1) / 2 : gc
            var forward: [TaskID] = [], inputsKept: [AllocationID] = [], noiseKept: [AllocationID?] = []
            var previous: TaskID? = nil
            for layer in layers {
                let l = layer.index, st = place(l, lane: lane)
                let noiseCount = B &* leaders &* layer.logitElements
                let storeBytes = method.signEncoded ? (noiseCount &+ 7) / 8 : noiseCount &* sizes.noise
                let noiseBlock = noiseCount > 0 ? graph.addAllocation(in: st.noiseStore, bytes: storeBytes) : nil
                let input = graph.addAllocation(in: st.inputs, bytes: rows &* layer.inputElements &* sizes.input)
                let g = layer.forwardGemm(rows: rows)
                // The GEMM, the noise add and the post-ops, on every copy of the group.
                let elementwise = rows &* (2 &* layer.logitElements &+ layer.postOpElements)
                let aggregate = aggregation(layer: l, copies: gc, st)
                var d = task(
                    st.array, .copyForward,
                    cycles: gemmCycles(g, st) &+ vectorCycles(elementwise, st)
                        &+ aggregate.cycles, iteration: t, layer: l)
                d.copy = Int32(g0)
                d.gemm = gemmSpec(g, st, ifmap: nil, filter: (st.replica.weights, sizes.weight))
                d.noiseUnit = st.noise; d.noiseCycles = noiseCycles(noiseCount, st)
                if method.signEncoded { d.counts.noiseBits = noiseCount } else { d.counts.noiseNumbers = noiseCount }
                d.counts.macs = g.macs &+ aggregate.macs
                d.counts.vectorOps = elementwise
                d.counts.sramReadBytes = layer.parameterCount &* sizes.weight
                d.counts.sramWriteBytes = graph.bytes(of: input) &+ (noiseBlock.map { graph.bytes(of: $0) } ?? 0)
                let pops = link(&d, layer: l, lane: lane, rows: rows)
                var deps = weightOrdering(layer: l, lane: lane, iteration: t)
                if l == 0 { deps.append((laneLoad[lane]!, .resource)) }
                if let p = previous, !pops { deps.append((p, .data)) }
                let id = add(
                    d, after: deps, allocates: [input] + (noiseBlock.map { [$0] } ?? []),
                    reads: [weights(l, lane: lane)])
                if l == 0 && batchConsumed[t][lane] == nil { batchConsumed[t][lane] = id }
                forward.append(id); inputsKept.append(input); noiseKept.append(noiseBlock)
                previous = id
            }
            var lt = lossTask(rows: rows, kind: .loss, iteration: t, lane: lane)
            lt.copy = Int32(g0)
            let loss = add(lt)
            var bt = broadcastTask(losses: rows, iteration: t, lane: lane)
            bt.copy = Int32(g0)
            let broadcast = add(bt, after: [(loss, .data)])

            pending.append(
                AllLayersGroup(
                    first: g0, lane: lane, rows: rows, broadcast: broadcast,
                    baseline: baselineArrived[lane]!, forward: forward, inputs: inputsKept,
                    noise: noiseKept))
            // A stage's array runs the outer products of a group only after the forwards of the next `lag` groups, so
            // that copy groups pipeline through the stages while earlier groups wait for their losses.
            if pending.count > lag {
                allLayersGradients(t, pending.removeFirst(), gradient: &gradient, lastOuter: &lastOuter)
            }
        }
        while !pending.isEmpty {
            allLayersGradients(t, pending.removeFirst(), gradient: &gradient, lastOuter: &lastOuter)
        }

        return AllLayersShardState(shard: shard, gradient: gradient, lastOuter: lastOuter)
    }

    /// What a copy group leaves for its gradient work.
    struct AllLayersGroup {
        var first: Int, lane: Int, rows: Int
        var broadcast: TaskID, baseline: TaskID
        var forward: [TaskID]
        var inputs: [AllocationID]
        var noise: [AllocationID?]
    }

    /// A group's gradient work at every layer: weight the noise by the loss change, then add the outer product with
    /// the copies' noisy inputs into the replica's gradient.
    mutating func allLayersGradients(
        _ t: Int, _ p: AllLayersGroup, gradient: inout [[Int: AllocationID]],
        lastOuter: inout [[Int: TaskID]]
    ) {
        let method = spec.method, rows = p.rows
        for layer in layers {
            let l = layer.index, st = place(l, lane: p.lane)
            // w_n = (L_n - L0_n) * s_n on the vector lanes (LR multiplies; ALR adds or subtracts by the sign).
            let weighted = rows &* layer.logitElements
            let deltas = graph.addAllocation(in: st.accumulators, bytes: weighted &* sizes.accumulator)
            var a = task(st.vector, .accumulate, cycles: vectorCycles(weighted &+ rows, st), iteration: t, layer: l)
            a.copy = Int32(p.first)
            if method.signEncoded {
                a.counts.adds = weighted &+ rows
            } else {
                a.counts.macs = weighted; a.counts.adds = rows
            }
            a.counts.sramReadBytes = p.noise[l].map { graph.bytes(of: $0) } ?? 0
            a.counts.sramWriteBytes = graph.bytes(of: deltas)
            let accumulate = add(
                a, after: [(p.broadcast, .data), (p.baseline, .data), (p.forward[l], .data)],
                allocates: [deltas], reads: p.noise[l].map { [$0] } ?? [],
                frees: p.noise[l].map { [$0] } ?? [])
            // dW += w (x) x over the group's rows: the outer product with the copies' own (noisy) inputs.
            let og = layer.weightGradientGemm(rows: rows)
            var o = task(
                st.array, .gradient, cycles: gemmCycles(og, st) &+ vectorCycles(weighted, st),
                iteration: t, layer: l)
            o.copy = Int32(p.first)
            o.gemm = gemmSpec(og, st, ifmap: (st.inputs, sizes.input), filter: (st.accumulators, sizes.accumulator))
            o.counts.macs = og.macs
            o.counts.adds = weighted  // bias gradient
            var allocates: [AllocationID] = []
            let dW: AllocationID
            if let existing = gradient[l][st.slot] {
                dW = existing
            } else {
                dW = graph.addAllocation(in: st.accumulators, bytes: layer.parameterCount &* sizes.gradient)
                gradient[l][st.slot] = dW; allocates.append(dW)
            }
            o.counts.sramReadBytes = graph.bytes(of: p.inputs[l]) &+ graph.bytes(of: deltas)
            o.counts.sramWriteBytes = graph.bytes(of: dW)
            lastOuter[l][st.slot] = add(
                o, after: [(accumulate, .data)], allocates: allocates,
                reads: [p.inputs[l], deltas] + (allocates.isEmpty ? [dW] : []),
                frees: [p.inputs[l], deltas])
        }
    }
}
