/// A task's life on its unit, tile by tile (see `Engine`).
extension EngineRun {
    /// Lets unit `u` make every move it can at `now`, and sets its state.
    mutating func examine(_ u: Int) {
        if units[u].running >= 0 {
            advance(units[u].running)
            if units[u].running >= 0 { return }
        }
        while true {
            guard units[u].head < units[u].queue.count else { setState(u, .idle, .none); return }
            let t = units[u].queue[units[u].head]
            let r = rt[t &- g.store.base]
            if r.pendingTotal > 0 {
                if r.pendingControl > 0 {
                    setState(u, .idle, .control)
                } else if r.pendingData > 0 {
                    setState(u, .starved, .dependency)
                } else {
                    setState(u, .blocked, r.resourceReason)
                }
                return
            }
            units[u].head &+= 1
            start(t)
            if units[u].running >= 0 { return }
        }
    }

    mutating func start(_ t: Int) {
        let ti = t &- g.store.base
        let task = g.store.tasks[ti]
        let u = task.unit.index
        units[u].running = t
        rt[ti].start = now
        for a in task.allocates { allocate(g.store.accesses[a &- g.store.accessBase].allocation) }
        if let n = task.noiseUnit, task.noiseCycles > 0 {
            let s = max(now, units[n.index].freeAt)
            rt[ti].noiseStart = s
            units[n.index].freeAt = s &+ task.noiseCycles
            units[n.index].cycles.busy &+= task.noiseCycles
            if record {
                rec.states.append(.init(cycle: s, unit: n.index, state: .busy, reason: .none))
                rec.states.append(.init(cycle: s &+ task.noiseCycles, unit: n.index, state: .idle, reason: .none))
            }
        }
        if task.dramReadBytes > 0 || task.dramWriteBytes > 0 {
            rt[ti].explicitAddress = reserveDRAM(
                bytes: max(task.dramReadBytes, task.dramWriteBytes),
                chip: g.units[u].chip)
        }
        rt[ti].tiles = Int32(task.tiles)
        if task.gemm >= 0, let p = program(for: task) {
            rt[ti].program = task.gemm
            rt[ti].tiles = Int32(p.tiles)
        }
        rt[ti].phase = .fetching
        rt[ti].tile = 0
        rt[ti].dataReady = issueReads(ti, tile: 0)
        advance(t)
    }

    /// Moves a running task through its tiles as far as it can go at `now`.
    mutating func advance(_ t: Int) {
        let ti = t &- g.store.base
        let task = g.store.tasks[ti]
        let u = task.unit.index
        let tiles = Int(rt[ti].tiles)
        while true {
            let i = Int(rt[ti].tile)
            switch rt[ti].phase {
            case .fetching:
                if now < rt[ti].dataReady {
                    setState(u, .blocked, .dram); events.push(rt[ti].dataReady, .wake, u); return
                }
                if let f = task.fifoIn?.index {
                    // The tile takes its words as they arrive (into the array's input staging), so a tile larger than
                    // the FIFO still gets them all; it computes once it has them.
                    if rt[ti].inNeed < 0 { rt[ti].inNeed = part(ti, task.fifoInWords, i) }
                    let take = min(rt[ti].inNeed, fifos[f].visible)
                    if take > 0 {
                        fifos[f].visible &-= take
                        fifos[f].reserved &-= take
                        rt[ti].inNeed &-= take
                        if record { rec.fifoLevels.append(.init(cycle: now, index: f, value: fifos[f].visible)) }
                        wakeWaiters(ofFIFO: f)
                    }
                    guard rt[ti].inNeed == 0 else {
                        setState(u, .starved, .fifoEmpty); fifos[f].waiters.append(u); return
                    }
                }
                let c = part(ti, task.cycles, i)
                let busyEnd = now &+ c
                var end = busyEnd, reason = StallReason.none
                let portsEnd = sramTraffic(ti, tile: i)
                if portsEnd > end { end = portsEnd; reason = .sram }
                if task.noiseCycles > 0 {
                    let noiseEnd = rt[ti].noiseStart &+ upTo(ti, task.noiseCycles, i &+ 1)
                    if noiseEnd > end { end = noiseEnd; reason = .noise }
                }
                rt[ti].busyEnd = busyEnd; rt[ti].tileEnd = end; rt[ti].tileReason = reason
                if i &+ 1 < tiles { rt[ti].nextDataReady = issueReads(ti, tile: i &+ 1) }
                rt[ti].phase = .computing
                if c > 0 { events.push(busyEnd, .wake, u) }
                if end > busyEnd { events.push(end, .wake, u) }
            case .computing:
                if now < rt[ti].busyEnd { setState(u, .busy, .none); return }
                if now < rt[ti].tileEnd { setState(u, .blocked, rt[ti].tileReason); return }
                rt[ti].writesDone = max(rt[ti].writesDone, issueWrites(ti, tile: i))
                rt[ti].phase = .pushing
            case .pushing:
                if let f = task.fifoOut?.index {
                    let w = part(ti, task.fifoOutWords, i)
                    if w > 0 {
                        guard fifos[f].reserved == 0 || fifos[f].reserved &+ w <= g.fifos[f].capacityWords else {
                            setState(u, .blocked, .fifoFull); fifos[f].waiters.append(u); return
                        }
                        push(f, words: w)
                    }
                }
                if i &+ 1 < tiles {
                    rt[ti].tile &+= 1
                    rt[ti].inNeed = -1
                    rt[ti].dataReady = rt[ti].nextDataReady
                    rt[ti].phase = .fetching
                } else {
                    rt[ti].phase = .draining
                }
            case .draining:
                if now < rt[ti].writesDone {
                    setState(u, .blocked, .dram); events.push(rt[ti].writesDone, .wake, u); return
                }
                release(u, task: t, latency: task.latency)
                return
            case .waiting, .latency, .done:
                return
            }
        }
    }

    /// Puts `words` into FIFO `f`: they occupy its capacity now and reach the consumer after the port and link time.
    mutating func push(_ f: Int, words w: Int) {
        let d = g.fifos[f]
        fifos[f].reserved &+= w
        fifos[f].peak = max(fifos[f].peak, fifos[f].reserved)
        let transfer = d.wordsPerCycle > 0 ? Int((Double(w) / d.wordsPerCycle).rounded(.up)) : 0
        let s = max(now, fifos[f].portFreeAt)
        fifos[f].portFreeAt = s &+ transfer
        let arrival = fifos[f].portFreeAt &+ d.latencyCycles
        if arrival <= now {
            fifos[f].visible &+= w
            if record { rec.fifoLevels.append(.init(cycle: now, index: f, value: fifos[f].visible)) }
            wakeWaiters(ofFIFO: f)
        } else {
            events.push(arrival, .arrive, f, amount: w)
        }
    }

    mutating func wakeWaiters(ofFIFO f: Int) {
        guard !fifos[f].waiters.isEmpty else { return }
        for u in fifos[f].waiters { markDirty(u) }
        fifos[f].waiters.removeAll(keepingCapacity: true)
    }

    /// The unit is free; the task's result is visible after its latency.
    mutating func release(_ u: Int, task t: Int, latency: Int) {
        let ti = t &- g.store.base
        units[u].running = -1
        if record {
            rec.tasks.append(.init(unit: u, label: TaskLabel(g.store.tasks[ti]), start: rt[ti].start, end: now))
        }
        if latency > 0 {
            rt[ti].phase = .latency
            events.push(now &+ latency, .complete, t)
        } else {
            complete(t)
        }
    }

    mutating func complete(_ t: Int) {
        let ti = t &- g.store.base
        let task = g.store.tasks[ti]
        rt[ti].phase = .done
        for a in task.frees { free(g.store.accesses[a &- g.store.accessBase].allocation) }
        executed += task.counts
        completed &+= 1
        unitTasks[task.unit.index] &+= 1
        unitCounts[task.unit.index] += task.counts
        let it = Int(task.iteration)
        if it >= 0 && it < iterationEnd.count {
            iterationEnd[it] = max(iterationEnd[it], now)
            iterationRemaining[it] &-= 1
        }
        var e = rt[ti].edgeHead
        while e >= 0 {
            let x = e &- edgeBase
            let d = edgeTarget[x] &- g.store.base
            switch edgeKind[x] {
            case .data: rt[d].pendingData &-= 1
            case .resource: rt[d].pendingResource &-= 1
            case .control: rt[d].pendingControl &-= 1
            }
            let du = g.store.tasks[d].unit.index
            if rt[d].pendingTotal == 0 && units[du].arrival { units[du].queue.append(edgeTarget[x]) }
            markDirty(du)
            e = edgeNext[x]
        }
        while lowestIncomplete < registered && rt[lowestIncomplete &- g.store.base].phase == .done {
            lowestIncomplete &+= 1
        }
    }

    // MARK: Accounting

    mutating func setState(_ u: Int, _ s: ResourceState, _ r: StallReason) {
        guard units[u].state != s || units[u].reason != r else { return }
        units[u].cycles.add(units[u].state, units[u].reason, now &- units[u].since)
        units[u].state = s; units[u].reason = r; units[u].since = now
        if record { rec.states.append(.init(cycle: now, unit: u, state: s, reason: r)) }
    }

    mutating func recordInitialLevels() {
        for u in units.indices { rec.states.append(.init(cycle: 0, unit: u, state: .idle, reason: .none)) }
        for f in fifos.indices { rec.fifoLevels.append(.init(cycle: 0, index: f, value: 0)) }
        for b in buffers.indices { rec.bufferLevels.append(.init(cycle: 0, index: b, value: buffers[b].onChip)) }
        rec.dramTraffic.append(.init(cycle: 0, index: 0, value: 0))
        rec.dramTraffic.append(.init(cycle: 0, index: 1, value: 0))
    }
}

/// `x`'s share of part `i` of `n` equal parts (the parts sum to `x` exactly).
@inline(__always) func share(_ x: Int, _ i: Int, _ n: Int) -> Int {
    n == 1 ? x : mulDiv(x, i &+ 1, n) &- mulDiv(x, i, n)
}

/// `floor(a * b / c)` for non-negative `a`, `b <= c`, `c > 0`, without overflow in the product.
@inline(__always) func mulDiv(_ a: Int, _ b: Int, _ c: Int) -> Int {
    if a < Int(Int32.max) && b < Int(Int32.max) { return a &* b / c }
    let p = a.multipliedFullWidth(by: b)
    return c.dividingFullWidth((p.high, p.low)).quotient
}

extension EngineRun {
    /// Task `ti`'s share of `x` in tile `i`: equal parts, or in proportion to the tile's demand lines under a
    /// scratchpad program. The parts sum to `x` exactly.
    @inline(__always) func part(_ ti: Int, _ x: Int, _ i: Int) -> Int {
        upTo(ti, x, i &+ 1) &- upTo(ti, x, i)
    }

    /// The share of `x` in tiles `0 ..< i`.
    @inline(__always) func upTo(_ ti: Int, _ x: Int, _ i: Int) -> Int {
        let p = rt[ti].program
        if p < 0 { return mulDiv(x, i, Int(rt[ti].tiles)) }
        let prog = programs[p]!
        return i == 0 ? 0 : mulDiv(x, prog.lineEnd[i &- 1], max(1, prog.totalLines))
    }

    /// The scratchpad program of `task`'s GEMM if one of its operands streams from DRAM (an access to the GEMM's
    /// IFMAP or filter buffer whose block spilled), else nil.
    mutating func program(for task: TaskDescriptor) -> GemmTileProgram? {
        let spec = g.gemms[Int(task.gemm)]
        var streams = false
        for r in task.reads {
            let p = blockPlacement(g.store.accesses[r &- g.store.accessBase].allocation)
            if p.spilled > 0 && (p.buffer == spec.ifmapBuffer?.index || p.buffer == spec.filterBuffer?.index) {
                streams = true; break
            }
        }
        guard streams else { return nil }
        if let p = programs[task.gemm] { return p }
        guard let p = try? GemmTileProgram(spec, maxTiles: Self.maxProgramTiles) else { return nil }
        programs[task.gemm] = p
        return p
    }
}
