/// Jumping over whole cycles of a long sequential stream in one channel.
///
/// With the row as the most significant address field (the presets' mappings), a sequential stream in one channel
/// visits every bank once per row: a cycle of `banks per channel` row-long runs. Once the stream is steady, each
/// cycle is the previous one shifted by a constant time Δ (the row one higher, the counters one cycle's worth
/// higher), and the remaining cycles up to the next refresh or the request's end can be applied at once.
///
/// Why that is exact: every command time is a maximum of earlier times plus timing constants, of the arrival and of
/// the end of the last refresh. Take the channel's state at the end of three consecutive cycles, S_a, S_b, S_c, and
/// require that every value changed by the same Δ from S_a to S_b and from S_b to S_c or did not change at all, and
/// that every run's first column command of the second cycle is the first cycle's plus Δ (the other command times of
/// a run are in the state: precharge in `activateReady`, activate in `columnReady`, the rest of the run in closed
/// form). A value that did not change entered both cycles as the same constant C; the command it constrains came
/// out at least at C in the first of them and Δ later in the second, so it did not bind there and never binds again:
/// from S_c on, every cycle is the previous one plus Δ, by induction, as long as no refresh falls due.
enum StreamJump {
    /// How a snapshot word evolves in a steady stream.
    enum Kind: UInt8 { case time, equal, row, count }

    /// Snapshot layout: the channel (13 words), its bank groups (3 each), its banks (4 each), its counters (10).
    static let channelKinds: [Kind] = [.time, .time, .time, .equal, .time, .time, .time, .time, .time, .time, .equal,
                                       .equal, .equal]
    static let groupKinds: [Kind] = [.time, .time, .time]
    static let bankKinds: [Kind] = [.row, .time, .time, .time]
    static let countWords = 10

    static func words(groups: Int, banks: Int) -> Int {
        channelKinds.count &+ groups &* groupKinds.count &+ banks &* bankKinds.count &+ countWords
    }

    /// The kind of snapshot word `w` (counters excluded: they are the last `countWords`).
    static func kind(ofWord w: Int, groups: Int) -> Kind {
        if w < channelKinds.count { return channelKinds[w] }
        let g = w &- channelKinds.count
        if g < groups &* groupKinds.count { return groupKinds[g % groupKinds.count] }
        return bankKinds[(g &- groups &* groupKinds.count) % bankKinds.count]
    }
}

extension StructuredDRAM {
    /// Writes channel `ch`'s state into `p` (the `StreamJump` layout).
    func capture(channel ch: Int, into p: UnsafeMutablePointer<Int>) {
        let c = storage.channels[ch]
        p[0] = c.lastColumn; p[1] = c.lastRead; p[2] = c.lastWrite; p[3] = Int(c.lastDirection); p[4] = c.busFree
        p[5] = c.lastActivate; p[6] = c.faw.0; p[7] = c.faw.1; p[8] = c.faw.2; p[9] = c.faw.3; p[10] = c.fawNext
        p[11] = c.nextRefresh; p[12] = c.floor
        var i = StreamJump.channelKinds.count
        for g in (ch &* groupsPerChannel)..<((ch &+ 1) &* groupsPerChannel) {
            let x = storage.groups[g]
            p[i] = x.lastColumn; p[i &+ 1] = x.lastWrite; p[i &+ 2] = x.lastActivate
            i &+= 3
        }
        let banks = spec.banksPerChannel
        for b in (ch &* banks)..<((ch &+ 1) &* banks) {
            let x = storage.banks[b]
            p[i] = x.openRow; p[i &+ 1] = x.columnReady; p[i &+ 2] = x.prechargeReady; p[i &+ 3] = x.activateReady
            i &+= 4
        }
        let s = storage.stats[ch]
        p[i] = s.readBursts; p[i &+ 1] = s.writeBursts; p[i &+ 2] = s.rowHits; p[i &+ 3] = s.rowMisses
        p[i &+ 4] = s.rowConflicts; p[i &+ 5] = s.readToWriteTurnarounds; p[i &+ 6] = s.writeToReadTurnarounds
        p[i &+ 7] = s.refreshes; p[i &+ 8] = s.refreshStallCycles; p[i &+ 9] = s.dataBusBusyCycles
    }

    /// Sets channel `ch`'s state from `p` (the inverse of `capture`).
    func restore(channel ch: Int, from p: UnsafeMutablePointer<Int>) {
        var c = storage.channels[ch]
        c.lastColumn = p[0]; c.lastRead = p[1]; c.lastWrite = p[2]; c.lastDirection = UInt8(truncatingIfNeeded: p[3])
        c.busFree = p[4]; c.lastActivate = p[5]; c.faw = (p[6], p[7], p[8], p[9]); c.fawNext = p[10]
        c.nextRefresh = p[11]; c.floor = p[12]
        storage.channels[ch] = c
        var i = StreamJump.channelKinds.count
        for g in (ch &* groupsPerChannel)..<((ch &+ 1) &* groupsPerChannel) {
            storage.groups[g] = GroupTiming(lastColumn: p[i], lastWrite: p[i &+ 1], lastActivate: p[i &+ 2])
            i &+= 3
        }
        let banks = spec.banksPerChannel
        for b in (ch &* banks)..<((ch &+ 1) &* banks) {
            storage.banks[b] = BankTiming(openRow: p[i], columnReady: p[i &+ 1], prechargeReady: p[i &+ 2],
                                          activateReady: p[i &+ 3])
            i &+= 4
        }
        var s = MemoryChannelStatistics()
        s.readBursts = p[i]; s.writeBursts = p[i &+ 1]; s.rowHits = p[i &+ 2]; s.rowMisses = p[i &+ 3]
        s.rowConflicts = p[i &+ 4]; s.readToWriteTurnarounds = p[i &+ 5]; s.writeToReadTurnarounds = p[i &+ 6]
        s.refreshes = p[i &+ 7]; s.refreshStallCycles = p[i &+ 8]; s.dataBusBusyCycles = p[i &+ 9]
        storage.stats[ch] = s
    }

    /// Given snapshots at the end of three consecutive cycles of channel `ch` (slots `a`, `b`, `c` of the scratch)
    /// and the first column commands of the last two, applies up to `available` more cycles when the stream is steady
    /// (see `StreamJump`) and no refresh or row wrap falls among them. Returns how many cycles it applied.
    func jumpCycles(channel ch: Int, slots a: Int, _ b: Int, _ c: Int, available: Int) -> Int {
        let n = storage.snapshotWords, runs = storage.cycleRuns
        let pa = storage.snapshots + a &* n, pb = storage.snapshots + b &* n, pc = storage.snapshots + c &* n
        let delta = pc[0] &- pb[0]
        guard available > 0, delta > 0, pb[0] &- pa[0] == delta else { return 0 }
        let fb = storage.firstColumns + b &* runs, fc = storage.firstColumns + c &* runs
        for r in 0..<runs where fc[r] &- fb[r] != delta { return 0 }
        var maxRow = 0
        for w in 0..<n {
            let d1 = pb[w] &- pa[w], d2 = pc[w] &- pb[w]
            switch w >= n &- StreamJump.countWords ? .count : StreamJump.kind(ofWord: w, groups: groupsPerChannel) {
            case .time: guard d1 == d2 && (d2 == 0 || d2 == delta) else { return 0 }
            case .equal: guard d1 == 0 && d2 == 0 else { return 0 }
            case .row:
                guard d1 == 1 && d2 == 1 else { return 0 }
                maxRow = max(maxRow, pc[w])
            case .count: guard d1 == d2 else { return 0 }
            }
        }
        // Every command of the jumped cycles precedes the last column command, which must precede the next refresh.
        let nextRefresh = pc[11]
        guard nextRefresh > pc[0] else { return 0 }
        let k = min(available, (nextRefresh &- 1 &- pc[0]) / delta, spec.rows &- 1 &- maxRow)
        guard k > 0 else { return 0 }
        for w in 0..<n {
            let d = pc[w] &- pb[w]
            switch w >= n &- StreamJump.countWords ? .count : StreamJump.kind(ofWord: w, groups: groupsPerChannel) {
            case .time where d != 0: pc[w] &+= k &* delta
            case .row: pc[w] &+= k
            case .count: pc[w] &+= k &* d
            default: break
            }
        }
        restore(channel: ch, from: pc)
        return k
    }
}
