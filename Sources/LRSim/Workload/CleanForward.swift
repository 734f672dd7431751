import LRCore

/// The clean (noise-free) forward pass: one task per layer, storing what the gradient work needs later.
extension ScheduleBuilder {
    /// How pipelined micro-batches cross stages: through a block of the next stage's `inputs` buffer (written by the
    /// producer, read and freed by the consumer) instead of the stage FIFO, so forwards and backwards of different
    /// micro-batches queue in memory as they do in GPipe/1F1B implementations (bounded FIFOs in both directions would
    /// deadlock them). `input` is what the task consumes: the producing task and its block.
    struct Handoff {
        var input: (TaskID, AllocationID)?
    }

    struct CleanPass {
        var tasks: [TaskID] = []
        var inputs: [AllocationID?] = []
        var logits: [AllocationID?] = []
    }

    /// One layer's clean forward for `rows` rows on `lane`: the GEMM, the elementwise post-ops and (GCN) the
    /// aggregation; stores the layer input and/or the clean logit when asked. `previous` is the task of the layer
    /// before (a data dependency when the two share a stage and no FIFO links them), `load` the batch load for the
    /// first layer.
    mutating func forwardTask(
        _ t: Int, layer l: Int, lane: Int, rows B: Int, microbatch: Int = -1, previous: TaskID?,
        load: TaskID?, storeInput: Bool, storeLogit: Bool, handoff: Handoff? = nil
    )
        -> (task: TaskID, input: AllocationID?, logit: AllocationID?)
    {
        let layer = layers[l], st = place(l, lane: lane)
        let aggregate = aggregation(layer: l, copies: 1, st)
        var d = task(
            st.array, .forward,
            cycles: gemmCycles(layer.forwardGemm(rows: B), st)
                &+ vectorCycles(B &* (layer.logitElements &+ layer.postOpElements), st) &+ aggregate.cycles,
            iteration: t, layer: l)
        d.microbatch = Int32(microbatch)
        d.gemm = gemmSpec(layer.forwardGemm(rows: B), st, ifmap: nil, filter: (st.replica.weights, sizes.weight))
        var pops: Bool
        var handedIn: [AllocationID] = [], handedOut: [AllocationID] = []
        if let h = handoff {
            // Pipelined micro-batches: activations cross stages through memory, not the stage FIFO.
            pops = h.input != nil
            if let (_, block) = h.input { handedIn = [block] }
            if l == layers.count - 1 {
                linkOut(&d, layer: l, lane: lane, rows: B)
            } else if machine.stageOfLayer[l + 1] != st.stage {
                let bytes = B &* layer.flowElements &* sizes.activation
                let block = graph.addAllocation(in: place(l + 1, lane: lane).inputs, bytes: bytes)
                handedOut = [block]
                d.counts.onChipLinkBytes &+= bytes
            }
        } else {
            pops = link(&d, layer: l, lane: lane, rows: B)
        }
        d.counts.macs = layer.forwardGemm(rows: B).macs &+ aggregate.macs
        d.counts.vectorOps = B &* (layer.logitElements &+ layer.postOpElements)
        var allocs: [AllocationID] = []
        var input: AllocationID? = nil, logit: AllocationID? = nil
        if storeInput {
            let a = graph.addAllocation(in: st.inputs, bytes: B &* layer.inputElements &* sizes.input)
            allocs.append(a); input = a
        }
        if storeLogit {
            let a = graph.addAllocation(in: st.inputs, bytes: B &* layer.logitElements &* sizes.activation)
            allocs.append(a); logit = a
        }
        d.counts.sramReadBytes = layer.parameterCount &* sizes.weight
        d.counts.sramWriteBytes = allocs.reduce(0) { $0 &+ graph.bytes(of: $1) }
        var deps = weightOrdering(layer: l, lane: lane, iteration: t)
        if let load { deps.append((load, .resource)) }
        if let p = previous, !pops { deps.append((p, .data)) }
        if let (producer, _) = handoff?.input { deps.append((producer, .data)) }
        let id = add(
            d, after: deps, allocates: allocs + handedOut, reads: [weights(l, lane: lane)] + handedIn,
            frees: handedIn)
        if let block = handedOut.first { lastHandoff = (id, block) }
        if l == 0 && batchConsumed[t][lane] == nil { batchConsumed[t][lane] = id }
        return (id, input, logit)
    }

    /// The clean forward of every layer on `lane`. Layers that are not trained (K = 0 in a forward-only run) store
    /// nothing.
    mutating func cleanForwardPass(
        _ t: Int, lane: Int, rows B: Int, load: TaskID, storeInputs: Bool,
        storeLogits: Bool
    ) -> CleanPass {
        var pass = CleanPass()
        var previous: TaskID? = nil
        for layer in layers {
            let l = layer.index
            let trained = !spec.method.isForwardOnly || spec.copies(ofLayer: l) > 0
            let r = forwardTask(
                t, layer: l, lane: lane, rows: B, previous: previous, load: l == 0 ? load : nil,
                storeInput: storeInputs && trained, storeLogit: storeLogits && trained)
            pass.tasks.append(r.task); pass.inputs.append(r.input); pass.logits.append(r.logit)
            previous = r.task
        }
        return pass
    }
}
