/// SRAM blocks, spills and the traffic of a task's tiles: what goes through the buffers' ports and what through DRAM.
extension EngineRun {
    /// Places `bytes` in buffer `b`: the part that fits stays on chip, the rest spills. Returns (on chip, spilled).
    mutating func place(bytes: Int, in b: Int) -> (Int, Int) {
        let free = max(0, g.buffers[b].capacityBytes &- buffers[b].onChip)
        let onChip = min(bytes, free)
        buffers[b].onChip &+= onChip
        buffers[b].demand &+= bytes
        buffers[b].spilled &+= bytes &- onChip
        buffers[b].peak = max(buffers[b].peak, buffers[b].onChip)
        buffers[b].peakDemand = max(buffers[b].peakDemand, buffers[b].demand)
        if record { rec.bufferLevels.append(.init(cycle: now, index: b, value: buffers[b].onChip)) }
        return (onChip, bytes &- onChip)
    }

    mutating func allocate(_ a: Int) {
        precondition(a >= 0, "resident blocks are not allocated by tasks")
        let i = a &- g.store.allocationBase
        let d = g.store.allocations[i]
        let (on, sp) = place(bytes: d.bytes, in: d.buffer.index)
        allocOnChip[i] = on; allocSpilled[i] = sp
        if sp > 0 { allocAddress[i] = reserveDRAM(bytes: d.bytes, chip: g.buffers[d.buffer.index].chip) }
    }

    mutating func free(_ a: Int) {
        guard a >= 0 else { return }
        let i = a &- g.store.allocationBase
        let d = g.store.allocations[i]
        let b = d.buffer.index
        buffers[b].onChip &-= allocOnChip[i]
        buffers[b].demand &-= d.bytes
        allocOnChip[i] = 0
        allocFreed[i] = true
        if record { rec.bufferLevels.append(.init(cycle: now, index: b, value: buffers[b].onChip)) }
    }

    /// A fresh, 4 KiB-aligned DRAM address range on `chip` (the space wraps at 1 TiB; only row/bank mapping sees it).
    mutating func reserveDRAM(bytes: Int, chip: Int) -> Int {
        let c = min(chip, dramNext.count &- 1)
        let a = dramNext[c]
        dramNext[c] = (a &+ ((bytes &+ 4095) & ~4095)) & ((1 << 40) &- 1)
        return a
    }

    /// (buffer, spilled bytes, DRAM address, block bytes, on-chip bytes) of a stored access's block.
    func blockPlacement(_ allocation: Int) -> (buffer: Int, bytes: Int, onChip: Int, spilled: Int, address: Int) {
        if allocation < 0 {
            let k = ~allocation
            let d = g.residents[k]
            return (d.buffer.index, d.bytes, residentOnChip[k], residentSpilled[k], residentAddress[k])
        }
        let i = allocation &- g.store.allocationBase
        let d = g.store.allocations[i]
        return (d.buffer.index, d.bytes, allocOnChip[i], allocSpilled[i], allocAddress[i])
    }

    /// Issues the DRAM reads of tile `i` (explicit loads and the spilled part of every block read); returns the cycle
    /// the last byte is in (`now` when there is none). Under a scratchpad program the GEMM's streamed operands arrive
    /// as its fills (re-reads included), the rest in proportion to the tile's lines.
    mutating func issueReads(_ ti: Int, tile i: Int) -> Int {
        let task = g.store.tasks[ti]
        var ready = now
        if task.dramReadBytes > 0 {
            let bytes = part(ti, task.dramReadBytes, i)
            let address = rt[ti].explicitAddress &+ upTo(ti, task.dramReadBytes, i)
            ready = max(
                ready,
                request(
                    chip: g.units[task.unit.index].chip, address: address, bytes: bytes, write: false,
                    spill: false))
        }
        for r in task.reads {
            let acc = g.store.accesses[r &- g.store.accessBase]
            let p = blockPlacement(acc.allocation)
            guard p.spilled > 0, p.bytes > 0 else { continue }
            var bytes: Int, offset: Int
            if let fills = streamedFills(ti, buffer: p.buffer, tile: i) {
                // The fills' words, of which the block's spilled fraction comes from DRAM.
                bytes = mulDiv(fills.bytes, p.spilled, p.bytes)
                offset = mulDiv(fills.before, p.spilled, p.bytes)
            } else {
                let spilledTraffic = mulDiv(acc.bytes, p.spilled, p.bytes)
                bytes = part(ti, spilledTraffic, i)
                offset = upTo(ti, spilledTraffic, i)
            }
            guard bytes > 0 else { continue }
            let address = p.address &+ p.onChip &+ offset % max(1, p.spilled)
            ready = max(
                ready,
                request(
                    chip: g.buffers[p.buffer].chip, address: address, bytes: bytes, write: false,
                    spill: true))
        }
        return ready
    }

    /// Bytes of the fills tile `i` of task `ti` needs from its scratchpad program for the operand held in `buffer`
    /// (and the bytes of the fills before it), or nil when the task follows no program or `buffer` holds neither
    /// operand.
    func streamedFills(_ ti: Int, buffer: Int, tile i: Int) -> (bytes: Int, before: Int)? {
        let pi = rt[ti].program
        guard pi >= 0, let prog = programs[pi] else { return nil }
        let spec = g.gemms[Int(pi)]
        let fills: [Int], words: Int, initial: Int, wordBytes: Int
        if buffer == spec.filterBuffer?.index {
            fills = prog.filterFills; words = prog.filterFillWords; initial = prog.filterInitialWords
            wordBytes = spec.filterWordBytes
        } else if buffer == spec.ifmapBuffer?.index {
            fills = prog.ifmapFills; words = prog.ifmapFillWords; initial = prog.ifmapInitialWords
            wordBytes = spec.ifmapWordBytes
        } else {
            return nil
        }
        var before = initial
        for k in 0..<i { before &+= fills[k] &* words }
        let here = fills[i] &* words &+ (i == 0 ? initial : 0)
        return (here &* wordBytes, (i == 0 ? 0 : before) &* wordBytes)
    }

    /// Posts the DRAM writes of tile `i` (explicit stores and the spilled part of every block written or allocated);
    /// returns the cycle they are done.
    mutating func issueWrites(_ ti: Int, tile i: Int) -> Int {
        let task = g.store.tasks[ti]
        var done = now
        if task.dramWriteBytes > 0 {
            let bytes = part(ti, task.dramWriteBytes, i)
            let address = rt[ti].explicitAddress &+ upTo(ti, task.dramWriteBytes, i)
            done = max(
                done,
                request(
                    chip: g.units[task.unit.index].chip, address: address, bytes: bytes, write: true,
                    spill: false))
        }
        for list in [task.allocates, task.writes] {
            for w in list {
                let acc = g.store.accesses[w &- g.store.accessBase]
                let p = blockPlacement(acc.allocation)
                guard p.spilled > 0, p.bytes > 0 else { continue }
                let spilledTraffic = mulDiv(acc.bytes, p.spilled, p.bytes)
                let bytes = part(ti, spilledTraffic, i)
                guard bytes > 0 else { continue }
                let address = p.address &+ p.onChip &+ upTo(ti, spilledTraffic, i) % max(1, p.spilled)
                done = max(
                    done,
                    request(
                        chip: g.buffers[p.buffer].chip, address: address, bytes: bytes, write: true,
                        spill: true))
            }
        }
        return done
    }

    /// One request to `chip`'s memory; returns its finish cycle.
    mutating func request(chip: Int, address: Int, bytes: Int, write: Bool, spill: Bool) -> Int {
        let c = min(chip, memories.count &- 1)
        let s = memories[c].service(MemoryRequest(address: address, bytes: bytes, isWrite: write), arrival: now)
        if write {
            dramWrite &+= bytes; if spill { spillWrite &+= bytes }
        } else {
            dramRead &+= bytes; if spill { spillRead &+= bytes }
        }
        if record {
            rec.dramTraffic.append(.init(cycle: now, index: write ? 1 : 0, value: write ? dramWrite : dramRead))
        }
        return s.finish
    }

    /// Occupies the SRAM ports for tile `i`'s on-chip traffic (reads on read ports, writes and fresh blocks on write
    /// ports; each port serves its requests first come first served); returns when the last port is done. The traffic
    /// streams while the tile computes, so it only stalls the unit when a port is slower than the compute.
    mutating func sramTraffic(_ ti: Int, tile i: Int) -> Int {
        let task = g.store.tasks[ti]
        var end = now
        for r in task.reads {
            let acc = g.store.accesses[r &- g.store.accessBase]
            let p = blockPlacement(acc.allocation)
            let rate = g.buffers[p.buffer].readBytesPerCycle
            guard rate > 0, p.bytes > 0 else { continue }
            let bytes = part(ti, acc.bytes &- mulDiv(acc.bytes, p.spilled, p.bytes), i)
            guard bytes > 0 else { continue }
            let s = max(now, buffers[p.buffer].readFreeAt)
            buffers[p.buffer].readFreeAt = s &+ (bytes &+ rate &- 1) / rate
            end = max(end, buffers[p.buffer].readFreeAt)
        }
        for list in [task.allocates, task.writes] {
            for w in list {
                let acc = g.store.accesses[w &- g.store.accessBase]
                let p = blockPlacement(acc.allocation)
                let rate = g.buffers[p.buffer].writeBytesPerCycle
                guard rate > 0, p.bytes > 0 else { continue }
                let bytes = part(ti, acc.bytes &- mulDiv(acc.bytes, p.spilled, p.bytes), i)
                guard bytes > 0 else { continue }
                let s = max(now, buffers[p.buffer].writeFreeAt)
                buffers[p.buffer].writeFreeAt = s &+ (bytes &+ rate &- 1) / rate
                end = max(end, buffers[p.buffer].writeFreeAt)
            }
        }
        return end
    }
}
