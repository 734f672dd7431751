import HWModel

/// Jumping over the steady part of a long sequential stream in one channel.
///
/// With the row as the most significant address field (the presets' mappings), a sequential stream in one channel
/// walks row-long runs bank after bank. Once steady, each run (or each cycle of runs, `jumpPeriod`) repeats the
/// previous one shifted by a constant time δ, in the next bank: seen from the bank the stream is in, the state is the
/// same plus δ. The remaining runs up to the next refresh or the request's end are then applied at once.
///
/// Why that is exact: every command time is a maximum of earlier times plus timing constants, of the arrival and of
/// the end of the last refresh; the rules are the same for every bank, and with bank groups rotating with the banks
/// (`jumpPeriod` 1) or a whole cycle per period, for every position. Take the channel's state after three
/// consecutive periods, S_a, S_b, S_c, seen from the current bank, and require that every value changed by the same
/// δ from S_a to S_b and from S_b to S_c or did not change at all, and that the first column command of the last two
/// periods' runs moved by δ too (the other command times of a run are in the state: precharge in `activateReady`,
/// activate in `columnReady`, the rest of the run in closed form). A value that did not change entered both periods
/// as the same constant C; the command it constrains came out at least at C in the first and δ later in the second,
/// so it did not bind there and never binds again: from S_c on, every period is the previous one plus δ, by
/// induction, as long as no refresh falls due. Open rows set no time as long as every run finds its bank open on the
/// row below its own (a conflict): checked by requiring each bank to hold the row the stream last used in it, and
/// by stopping before the rows wrap.
enum StreamJump {
    /// How a snapshot word evolves in a steady stream.
    enum Kind: UInt8 { case time, equal, row, count }

    /// Snapshot layout: the channel (13 words, the activate window oldest first), its bank groups (3 each), its banks
    /// (4 each), its counters (10). Groups and banks are listed from the current one backwards.
    static let channelKinds: [Kind] = [
        .time, .time, .time, .equal, .time, .time, .time, .time, .time, .time, .equal,
        .equal, .equal,
    ]
    static let groupKinds: [Kind] = [.time, .time, .time]
    static let bankKinds: [Kind] = [.row, .time, .time, .time]
    static let countWords = 10
    /// Index of `rowConflicts` among the counters.
    static let conflictCount = 4

    static func words(groups: Int, banks: Int) -> Int {
        channelKinds.count &+ groups &* groupKinds.count &+ banks &* bankKinds.count &+ countWords
    }

    /// The kind of snapshot word `w` of a snapshot with `groups` groups.
    static func kind(ofWord w: Int, groups: Int, words n: Int) -> Kind {
        if w >= n &- countWords { return .count }
        if w < channelKinds.count { return channelKinds[w] }
        let g = w &- channelKinds.count
        if g < groups &* groupKinds.count { return groupKinds[g % groupKinds.count] }
        return bankKinds[(g &- groups &* groupKinds.count) % bankKinds.count]
    }
}

extension StructuredDRAM {
    /// Where group `j` and bank `j` of a snapshot taken at cycle position `slot` live in channel `ch`: counting back
    /// from the current one when `rotate`, in storage order otherwise.
    private func groupIndex(_ j: Int, channel ch: Int, slot: Int, rotate: Bool) -> Int {
        let g = groupsPerChannel  // a power of two
        return ch &* g &+ (rotate ? (decoder.slotGroup[slot] &- j) & (g &- 1) : j)
    }

    private func bankIndex(_ j: Int, channel ch: Int, slot: Int, rotate: Bool) -> Int {
        let n = spec.banksPerChannel  // a power of two
        return ch &* n &+ (rotate ? decoder.slotBank[(slot &- j) & (n &- 1)] : j)
    }

    /// Writes channel `ch`'s state into `p` (the `StreamJump` layout), seen from cycle position `slot` when `rotate`.
    func capture(channel ch: Int, into p: UnsafeMutablePointer<Int>, slot: Int = 0, rotate: Bool = false) {
        let c = storage.channels[ch]
        p[0] = c.lastColumn; p[1] = c.lastRead; p[2] = c.lastWrite; p[3] = Int(c.lastDirection); p[4] = c.busFree
        p[5] = c.lastActivate
        for i in 0..<4 { p[6 &+ i] = c.activate(oldestFirst: i) }
        p[10] = 0; p[11] = c.nextRefresh; p[12] = c.floor
        var w = StreamJump.channelKinds.count
        for j in 0..<groupsPerChannel {
            let x = storage.groups[groupIndex(j, channel: ch, slot: slot, rotate: rotate)]
            p[w] = x.lastColumn; p[w &+ 1] = x.lastWrite; p[w &+ 2] = x.lastActivate
            w &+= 3
        }
        for j in 0..<spec.banksPerChannel {
            let x = storage.banks[bankIndex(j, channel: ch, slot: slot, rotate: rotate)]
            p[w] = x.openRow; p[w &+ 1] = x.columnReady; p[w &+ 2] = x.prechargeReady; p[w &+ 3] = x.activateReady
            w &+= 4
        }
        let s = storage.stats[ch]
        p[w] = s.readBursts; p[w &+ 1] = s.writeBursts; p[w &+ 2] = s.rowHits; p[w &+ 3] = s.rowMisses
        p[w &+ 4] = s.rowConflicts; p[w &+ 5] = s.readToWriteTurnarounds; p[w &+ 6] = s.writeToReadTurnarounds
        p[w &+ 7] = s.refreshes; p[w &+ 8] = s.refreshStallCycles; p[w &+ 9] = s.dataBusBusyCycles
    }

    /// Sets channel `ch`'s state from `p`, a snapshot seen from cycle position `slot`; `activates` activates after
    /// the ring position the snapshot was taken at.
    private func restore(channel ch: Int, from p: UnsafeMutablePointer<Int>, slot: Int, rotate: Bool, activates: Int) {
        var c = storage.channels[ch]
        c.lastColumn = p[0]; c.lastRead = p[1]; c.lastWrite = p[2]; c.lastDirection = UInt8(truncatingIfNeeded: p[3])
        c.busFree = p[4]; c.lastActivate = p[5]
        c.fawNext = (c.fawNext &+ activates) & 3
        for i in 0..<4 { c.setActivate(oldestFirst: i, p[6 &+ i]) }
        c.nextRefresh = p[11]; c.floor = p[12]
        storage.channels[ch] = c
        var w = StreamJump.channelKinds.count
        for j in 0..<groupsPerChannel {
            storage.groups[groupIndex(j, channel: ch, slot: slot, rotate: rotate)] =
                GroupTiming(lastColumn: p[w], lastWrite: p[w &+ 1], lastActivate: p[w &+ 2])
            w &+= 3
        }
        for j in 0..<spec.banksPerChannel {
            storage.banks[bankIndex(j, channel: ch, slot: slot, rotate: rotate)] =
                BankTiming(openRow: p[w], columnReady: p[w &+ 1], prechargeReady: p[w &+ 2], activateReady: p[w &+ 3])
            w &+= 4
        }
        var s = MemoryChannelStatistics()
        s.readBursts = p[w]; s.writeBursts = p[w &+ 1]; s.rowHits = p[w &+ 2]; s.rowMisses = p[w &+ 3]
        s.rowConflicts = p[w &+ 4]; s.readToWriteTurnarounds = p[w &+ 5]; s.writeToReadTurnarounds = p[w &+ 6]
        s.refreshes = p[w &+ 7]; s.refreshStallCycles = p[w &+ 8]; s.dataBusBusyCycles = p[w &+ 9]
        storage.stats[ch] = s
    }

    /// Given snapshots after three consecutive periods of channel `ch`'s stream (scratch slots `a`, `b`, `c`, seen
    /// from the run just served, whose burst index is `run`), and the first column commands of the last two periods,
    /// applies up to `available` more periods when the stream is steady (see `StreamJump`) and no refresh or row wrap
    /// falls among them. Returns how many periods it applied.
    func jumpPeriods(channel ch: Int, slots a: Int, _ b: Int, _ c: Int, run: UInt, available: Int) -> Int {
        let n = storage.snapshotWords, period = decoder.jumpPeriod, runs = spec.banksPerChannel
        let pa = storage.snapshots + a &* n, pb = storage.snapshots + b &* n, pc = storage.snapshots + c &* n
        let delta = pc[0] &- pb[0]
        guard available > 0, delta > 0, pb[0] &- pa[0] == delta else { return 0 }
        let fb = storage.firstColumns + b &* runs, fc = storage.firstColumns + c &* runs
        for r in 0..<period where fc[r] &- fb[r] != delta { return 0 }
        // Without writes in the window (the channel's last write did not move), the groups' last writes are
        // constants that differ from group to group, so they do not rotate; they are left in place, which is exact
        // when they cannot bind: a read waits for a group's last write plus CWL, the burst and tWTR_L, and every
        // read to come is later than the last column command so far.
        let groupWrites = StreamJump.channelKinds.count &+ 1
        let readsOnly = pa[2] == pb[2] && pb[2] == pc[2] && period == 1
        if readsOnly {
            var latest = dramNever
            for g in 0..<groupsPerChannel { latest = max(latest, pc[groupWrites &+ g &* 3]) }
            guard latest &+ t.cwl &+ burst &+ t.wtrL <= pa[0] else { return 0 }
        }
        for w in 0..<n {
            let d1 = pb[w] &- pa[w], d2 = pc[w] &- pb[w]
            if readsOnly && w >= groupWrites && w < groupWrites &+ 3 &* groupsPerChannel && (w &- groupWrites) % 3 == 0
            {
                continue
            }
            switch StreamJump.kind(ofWord: w, groups: groupsPerChannel, words: n) {
            case .time: guard d1 == d2 && (d2 == 0 || d2 == delta) else { return 0 }
            case .equal: guard d1 == 0 && d2 == 0 else { return 0 }
            case .row: break
            case .count: guard d1 == d2 else { return 0 }
            }
        }
        // Every run a conflict: each found its bank open on the row below its own.
        guard
            pc[n &- StreamJump.countWords &+ StreamJump.conflictCount]
                &- pb[n &- StreamJump.countWords &+ StreamJump.conflictCount] == period
        else { return 0 }
        // Every command of the jumped periods precedes their last column command, which must precede the next refresh;
        // and the rows must not wrap (the bits above the row, beyond the capacity, must stay).
        let nextRefresh = pc[11]
        guard nextRefresh > pc[0] else { return 0 }
        let slotBits = runs.trailingZeroBitCount
        let here = run >> decoder.cycleShift  // row and cycle position of the current run
        let hereSlot = Int(truncatingIfNeeded: here & UInt(runs &- 1))
        // Every bank must hold the row this stream left in it (its next visit is then a conflict, as assumed),
        // whether this request or an earlier one that the stream continues opened it.
        var rowWord = StreamJump.channelKinds.count &+ groupsPerChannel &* StreamJump.groupKinds.count
        for j in 0..<runs {
            let back = period == 1 ? j : (hereSlot &- decoder.bankSlot[j] &+ runs) % runs
            guard here >= UInt(back),
                pc[rowWord] == Int(truncatingIfNeeded: ((here &- UInt(back)) >> slotBits) & decoder.rowMask)
            else { return 0 }
            rowWord &+= 4
        }
        let rowRoom = Int(
            truncatingIfNeeded: ((decoder.rowMask &+ 1) << slotBits) &- 1
                &- (here & (((decoder.rowMask &+ 1) << slotBits) &- 1)))
        let k = min(available, (nextRefresh &- 1 &- pc[0]) / delta, rowRoom / period)
        guard k > 0 else { return 0 }
        var writes = [Int]()
        if readsOnly {  // the groups' last writes stay with their groups
            writes = (0..<groupsPerChannel).map { storage.groups[ch &* groupsPerChannel &+ $0].lastWrite }
        }
        for w in 0..<n {
            let d = pc[w] &- pb[w]
            switch StreamJump.kind(ofWord: w, groups: groupsPerChannel, words: n) {
            case .time where d != 0: pc[w] &+= k &* delta
            case .count: pc[w] &+= k &* d
            default: break
            }
        }
        // The last jumped run's position; each bank's open row is the row of its last visit, `j` runs earlier.
        let steps = k &* period
        let end = here &+ UInt(steps)
        let endSlot = Int(truncatingIfNeeded: end & UInt(runs &- 1))
        var w = StreamJump.channelKinds.count &+ groupsPerChannel &* StreamJump.groupKinds.count
        for j in 0..<runs {
            let back = period == 1 ? j : (endSlot &- decoder.bankSlot[j] &+ runs) % runs
            pc[w] = Int(truncatingIfNeeded: ((end &- UInt(back)) >> slotBits) & decoder.rowMask)
            w &+= 4
        }
        restore(channel: ch, from: pc, slot: endSlot, rotate: period == 1, activates: steps)
        for (g, w) in writes.enumerated() { storage.groups[ch &* groupsPerChannel &+ g].lastWrite = w }
        return k
    }
}

extension ChannelTiming {
    /// The activate window from the oldest (0) to the newest (3).
    func activate(oldestFirst i: Int) -> Int {
        switch (fawNext &+ i) & 3 {
        case 0: return faw.0
        case 1: return faw.1
        case 2: return faw.2
        default: return faw.3
        }
    }

    mutating func setActivate(oldestFirst i: Int, _ value: Int) {
        switch (fawNext &+ i) & 3 {
        case 0: faw.0 = value
        case 1: faw.1 = value
        case 2: faw.2 = value
        default: faw.3 = value
        }
    }
}
