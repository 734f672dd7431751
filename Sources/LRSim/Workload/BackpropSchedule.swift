extension ScheduleBuilder {
    /// One backprop iteration: forward storing inputs and pre-activations, the loss gradient now; returns the backward
    /// chain and the updates.
    mutating func backpropIteration(_ t: Int) -> (inout ScheduleBuilder) -> Void {
        let B = spec.batch
        let load = inputLoad(t)
        let clean = cleanForwardPass(t, load: load, storeLogits: true)
        let lastStage = machine.stage(ofLayer: layers.count - 1)
        let classes = layers[layers.count - 1].outputElements
        var dl = lossTask(rows: B, kind: .lossGradient, iteration: t)
        dl.fifoOut = lastStage.fifoBack
        dl.fifoOutWords = fifoWords(B &* classes, lastStage)
        dl.counts.fifoBytes = B &* classes &* sizes.activation
        add(dl)
        let stash = clean
        return { (b: inout ScheduleBuilder) in b.backwardChain(t, inputs: stash.inputs, logits: stash.logits) }
    }

    mutating func backwardChain(_ t: Int, inputs: [AllocationID?], logits: [AllocationID?]) {
        let B = spec.batch
        var previous: TaskID? = nil
        var backward: [TaskID] = Array(repeating: TaskID(index: 0), count: layers.count)
        for l in layers.indices.reversed() {
            let layer = layers[l], st = machine.stage(ofLayer: l)
            let wg = layer.weightGradientGemm(rows: B)
            let ig = l > 0 ? layer.inputGradientGemm(rows: B) : GemmShape(m: 0, n: 0, k: 0)
            // GCN: the input gradient goes back through A_hat (symmetric): the same aggregation as the forward's.
            let aggregate = l > 0 ? aggregation(layer: l, copies: 1, st) : (macs: 0, cycles: 0)
            var d = task(st.array, .backward,
                         cycles: vectorCycles(B &* layer.postOpElements, st) &+ gemmCycles(wg, st) &+ gemmCycles(ig, st)
                            &+ vectorCycles(B &* layer.logitElements, st) &+ aggregate.cycles,
                         iteration: t, layer: l)
            d.counts.macs = wg.macs &+ ig.macs &+ aggregate.macs
            d.counts.vectorOps = B &* layer.postOpElements
            d.counts.adds = B &* layer.logitElements
            let last = l == layers.count - 1
            let sameStageAsNext = !last && machine.stageOfLayer[l + 1] == machine.stageOfLayer[l]
            if last || !sameStageAsNext {
                d.fifoIn = st.fifoBack
                d.fifoInWords = fifoWords(B &* (last ? layer.outputElements : layers[l + 1].inputElements), st)
            }
            if l > 0 && machine.stageOfLayer[l - 1] != machine.stageOfLayer[l] {
                let up = machine.stage(ofLayer: l - 1)
                d.fifoOut = up.fifoBack
                d.fifoOutWords = fifoWords(B &* layer.inputElements, up)
                d.counts.fifoBytes = B &* layer.inputElements &* sizes.activation
            }
            let stash = [inputs[l], logits[l]].compactMap { $0 }
            let gradient = graph.addAllocation(in: st.accumulators, bytes: layer.parameterCount &* sizes.gradient)
            d.counts.sramReadBytes = stash.reduce(0) { $0 &+ graph.bytes(of: $1) } &+ layer.parameterCount &* sizes.weight
            d.counts.sramWriteBytes = graph.bytes(of: gradient)
            var deps: [(TaskID, DependencyKind)] = []
            if let p = previous, d.fifoIn == nil { deps.append((p, .data)) }
            let id = add(d, after: deps, allocates: [gradient], reads: stash + [weights[l]], frees: stash)
            backward[l] = id
            previous = id
            updates[t][l] = weightUpdate(t, layer: l, gradient: gradient, after: [(id, .data)], frees: [gradient])
        }
    }
}
