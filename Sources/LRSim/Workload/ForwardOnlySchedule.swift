import LRCore

extension ScheduleBuilder {
    /// One LR / ALR / ES / AES iteration: emits the forward work now and returns the gradient work (outer-product
    /// GEMMs and updates), which the caller emits now or after the next iteration's forward work.
    mutating func forwardOnlyIteration(_ t: Int) -> (inout ScheduleBuilder) -> Void {
        let B = spec.batch, method = spec.method
        let load = inputLoad(t)
        let clean = cleanForwardPass(t, load: load, storeLogits: !method.usesWeightNoise)
        let cleanLoss = add(lossTask(rows: B, kind: .loss, iteration: t))
        let cleanBroadcast = add(broadcastTask(losses: B, iteration: t), after: [(cleanLoss, .data)])

        var lastAccumulate = Array<TaskID?>(repeating: nil, count: layers.count)
        var accumulator = Array<AllocationID?>(repeating: nil, count: layers.count)
        for p in layers.indices.reversed() {
            let layer = layers[p], st = machine.stage(ofLayer: p)
            let K = spec.copies(ofLayer: p), G = spec.copiesPerPass
            // Noise block holding copy j's perturbation (antithetic partners share their leader's block).
            var noiseOfCopy = Array<AllocationID?>(repeating: nil, count: K)
            // The last copy that uses each block (its antithetic partner, or the leader itself): that copy's
            // accumulation frees the block.
            var lastUser: [Int: Int] = [:]
            var g0 = 0
            while g0 < K {
                let gc = min(G, K - g0), rows = B &* gc
                let copiesHere = g0..<(g0 + gc)
                let leaders = copiesHere.filter { !spec.antithetic || $0 % 2 == 0 }
                let perNumber = method.usesWeightNoise ? layer.parameterCount : B &* layer.logitElements
                let noiseCount = perNumber &* leaders.count
                let storeBytes = method.signEncoded ? (noiseCount &+ 7) / 8 : noiseCount &* sizes.noise
                var noiseBlock: AllocationID? = nil
                if noiseCount > 0, let lastLeader = leaders.last {
                    let block = graph.addAllocation(in: st.noiseStore, bytes: storeBytes)
                    noiseBlock = block
                    lastUser[block.index] = spec.antithetic ? min(lastLeader + 1, K - 1) : lastLeader
                }
                for j in copiesHere {
                    let leader = spec.antithetic ? j - j % 2 : j
                    noiseOfCopy[j] = leader >= g0 ? noiseBlock : noiseOfCopy[leader]
                }

                // Perturbed layer p: noise on the stored clean logit (LR/ALR), or a perturbed-weight GEMM (ES/AES).
                let links = forwardLinks(p)
                let elementwise = rows &* (layer.logitElements &+ layer.postOpElements)
                var d = task(st.array, .perturb, cycles: 0, iteration: t, layer: p)
                d.perturbed = Int32(p); d.copy = Int32(g0)
                d.noiseUnit = st.noise; d.noiseCycles = noiseCycles(noiseCount, st)
                if method.signEncoded { d.counts.noiseBits = noiseCount } else { d.counts.noiseNumbers = noiseCount }
                var reads: [AllocationID]
                if method.usesWeightNoise {
                    let g = layer.forwardGemm(rows: rows)
                    d.cycles = vectorCycles(layer.parameterCount &* gc, st) &+ gemmCycles(g, st) &+ vectorCycles(elementwise, st)
                    d.counts.macs = g.macs
                    d.counts.vectorOps = layer.parameterCount &* gc &+ elementwise
                    reads = (clean.inputs[p].map { [$0] } ?? []) + [weights[p]]
                    d.counts.sramReadBytes = B &* layer.inputElements &* sizes.input &+ layer.parameterCount &* sizes.weight
                } else {
                    d.cycles = vectorCycles(elementwise, st)
                    d.counts.vectorOps = elementwise
                    reads = clean.logits[p].map { [$0] } ?? []
                    d.counts.sramReadBytes = B &* layer.logitElements &* sizes.activation
                }
                d.counts.sramWriteBytes = noiseBlock == nil ? 0 : storeBytes
                d.fifoOut = links.fifoOut
                if links.fifoOut != nil {
                    d.fifoOutWords = fifoWords(rows &* layer.outputElements, st)
                    d.counts.fifoBytes = rows &* layer.outputElements &* sizes.activation
                }
                let lastGroup = g0 + gc == K
                var frees: [AllocationID] = []
                if lastGroup, let logit = clean.logits[p] { frees.append(logit) }
                let perturb = add(d, after: [(clean.tasks[p], .data)], allocates: noiseBlock.map { [$0] } ?? [],
                                  reads: reads, frees: frees)
                var previous = perturb

                // The copies through every downstream layer.
                for l in (p + 1)..<layers.count {
                    let down = layers[l], ds = machine.stage(ofLayer: l)
                    let dl = forwardLinks(l)
                    let g = down.forwardGemm(rows: rows)
                    let ew = rows &* (down.logitElements &+ down.postOpElements)
                    let aggregate = aggregation(layer: l, copies: gc, ds)   // GCN: A_hat * (.) of every copy
                    var c = task(ds.array, .copyForward, cycles: gemmCycles(g, ds) &+ vectorCycles(ew, ds) &+ aggregate.cycles,
                                 iteration: t, layer: l)
                    c.perturbed = Int32(p); c.copy = Int32(g0)
                    c.counts.macs = g.macs &+ aggregate.macs; c.counts.vectorOps = ew
                    c.counts.sramReadBytes = down.parameterCount &* sizes.weight
                    c.fifoIn = dl.fifoIn; c.fifoOut = dl.fifoOut
                    if dl.fifoOut != nil {
                        c.fifoOutWords = fifoWords(rows &* down.outputElements, ds)
                        c.counts.fifoBytes = rows &* down.outputElements &* sizes.activation
                    }
                    let deps: [(TaskID, DependencyKind)] = dl.fifoIn == nil ? [(previous, .data)] : []
                    previous = add(c, after: deps, reads: [weights[l]])
                }

                // Per-copy losses, broadcast to the perturbed layer.
                var lt = lossTask(rows: rows, kind: .loss, iteration: t)
                lt.perturbed = Int32(p); lt.copy = Int32(g0)
                let loss = add(lt)
                var bt = broadcastTask(losses: rows, iteration: t)
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
                var allocates: [AllocationID] = []
                if accumulator[p] == nil {
                    let bytes = (method.usesWeightNoise ? layer.parameterCount : B &* layer.logitElements) &* sizes.accumulator
                    let acc = graph.addAllocation(in: st.accumulators, bytes: bytes)
                    accumulator[p] = acc; allocates.append(acc)
                }
                var used: [AllocationID] = []
                for j in copiesHere { if let n = noiseOfCopy[j], !used.contains(n) { used.append(n) } }
                // A block is freed by the group holding the last copy that uses it.
                var freed: [AllocationID] = []
                for n in used where copiesHere.contains(lastUser[n.index] ?? -1) { freed.append(n) }
                a.counts.sramReadBytes = used.reduce(0) { $0 &+ graph.allocations[$1.index].bytes }
                    &+ graph.allocations[accumulator[p]!.index].bytes
                a.counts.sramWriteBytes = graph.allocations[accumulator[p]!.index].bytes
                lastAccumulate[p] = add(a, after: [(broadcast, .data), (cleanBroadcast, .data), (perturb, .data)],
                                        allocates: allocates, reads: used + [accumulator[p]!].filter { !allocates.contains($0) },
                                        writes: [], frees: freed)
                g0 += gc
            }
        }

        let inputs = clean.inputs
        return { (b: inout ScheduleBuilder) in
            for p in b.layers.indices.reversed() {
                guard let acc = accumulator[p], let last = lastAccumulate[p], let input = inputs[p] else { continue }
                b.gradientAndUpdate(t, layer: p, accumulator: acc, after: last, input: input)
            }
        }
    }

    /// The outer-product GEMM `dW = sum_b w_b (x) x_b` (LR/ALR) and the weight update.
    mutating func gradientAndUpdate(_ t: Int, layer p: Int, accumulator: AllocationID, after last: TaskID,
                                    input: AllocationID) {
        let layer = layers[p], st = machine.stage(ofLayer: p), B = spec.batch
        var updateDeps: [(TaskID, DependencyKind)] = [(last, .data)]
        var gradient = accumulator
        var frees: [AllocationID] = [accumulator, input]
        if !spec.method.usesWeightNoise {
            let g = layer.weightGradientGemm(rows: B)
            var d = task(st.array, .gradient, cycles: gemmCycles(g, st) &+ vectorCycles(B &* layer.logitElements, st),
                         iteration: t, layer: p)
            d.counts.macs = g.macs
            d.counts.adds = B &* layer.logitElements   // bias gradient: sum of w_b over samples and positions
            gradient = graph.addAllocation(in: st.accumulators, bytes: layer.parameterCount &* sizes.gradient)
            d.counts.sramReadBytes = graph.allocations[input.index].bytes &+ graph.allocations[accumulator.index].bytes
            d.counts.sramWriteBytes = graph.allocations[gradient.index].bytes
            let grad = add(d, after: [(last, .data)], allocates: [gradient], reads: [input, accumulator],
                           frees: [input, accumulator])
            updateDeps = [(grad, .data)]
            frees = [gradient]
        }
        updates[t][p] = weightUpdate(t, layer: p, gradient: gradient, after: updateDeps, frees: frees)
    }

    /// SGD update `W -= eta * g` on the stage's vector unit; writes back weights that live in DRAM.
    mutating func weightUpdate(_ t: Int, layer p: Int, gradient: AllocationID, after deps: [(TaskID, DependencyKind)],
                               frees: [AllocationID]) -> TaskID {
        let layer = layers[p], st = machine.stage(ofLayer: p)
        var u = task(st.vector, .update, cycles: vectorCycles(layer.parameterCount, st), iteration: t, layer: p)
        u.counts.vectorOps = layer.parameterCount
        u.counts.sramReadBytes = graph.allocations[gradient.index].bytes &+ layer.parameterCount &* sizes.weight
        u.counts.sramWriteBytes = layer.parameterCount &* sizes.weight
        return add(u, after: deps, reads: [gradient, weights[p]], writes: [weights[p]], frees: frees)
    }
}
