import HWModel

/// The command-level scheduling of `StructuredDRAM`: one burst at a time (`issue`), the rest of a row-hit run in
/// closed form (`continueRun`), and refresh. All times are DRAM cycles.
extension StructuredDRAM {
    /// Issues one burst: (refresh,) precharge and activate if needed, then its column command. Returns the column
    /// command's cycle. Works on copies of the channel, group and bank state and writes them back once: through
    /// the storage pointers the compiler must reload every field after every store.
    mutating func issue(
        channel ch: Int, group gi: Int, bank bi: Int, row: Int, write: Bool,
        span: inout Span
    ) -> Int {
        var c = storage.channels[ch], g = storage.groups[gi], bank = storage.banks[bi]
        var floor = max(span.arrival, c.floor)
        var first: Int
        while true {
            if bank.openRow == row {
                first = columnTime(c, g, write: write, notBefore: max(floor, bank.columnReady))
            } else if bank.openRow < 0 {
                first = activateTime(c, g, notBefore: max(floor, bank.activateReady))
            } else {
                first = max(floor, bank.prechargeReady)
            }
            guard first >= c.nextRefresh else { break }
            refresh(channel: ch, pending: first)
            c = storage.channels[ch]; g = storage.groups[gi]; bank = storage.banks[bi]
            floor = max(span.arrival, c.floor)
        }
        span.start = min(span.start, first)
        var stats = storage.stats[ch]
        let column: Int
        if bank.openRow == row {
            stats.rowHits &+= 1
            column = first
        } else {
            var activate = first
            if bank.openRow >= 0 {
                stats.rowConflicts &+= 1
                bank.activateReady = first &+ t.rp  // `first` is the precharge
                activate = activateTime(c, g, notBefore: max(floor, bank.activateReady))
            } else {
                stats.rowMisses &+= 1
            }
            bank.openRow = row
            bank.columnReady = activate &+ t.rcd
            bank.prechargeReady = activate &+ t.ras
            c.pushActivate(activate)
            g.lastActivate = activate
            column = columnTime(c, g, write: write, notBefore: max(floor, bank.columnReady))
        }
        let direction: UInt8 = write ? 2 : 1
        switch (c.lastDirection, direction) {
        case (1, 2): stats.readToWriteTurnarounds &+= 1
        case (2, 1): stats.writeToReadTurnarounds &+= 1
        default: break
        }
        c.lastDirection = direction
        recordColumns(&c, &g, &bank, &stats, write: write, last: column, count: 1, span: &span)
        storage.channels[ch] = c; storage.groups[gi] = g; storage.banks[bi] = bank; storage.stats[ch] = stats
        return column
    }

    /// `count` more row hits in the bank and row of a column command at `previous`, same direction, none reaching a
    /// refresh: each follows the previous one by `runStep` (tCCD_S, tCCD_L and the data bus; the bank, turnaround
    /// and arrival constraints held already for the first). Returns the last column command's cycle.
    mutating func continueRun(
        channel ch: Int, group gi: Int, bank bi: Int, write: Bool, after previous: Int,
        count: Int, span: inout Span
    ) -> Int {
        let last = previous &+ count &* runStep
        var c = storage.channels[ch], g = storage.groups[gi], bank = storage.banks[bi], stats = storage.stats[ch]
        stats.rowHits &+= count
        recordColumns(&c, &g, &bank, &stats, write: write, last: last, count: count, span: &span)
        storage.channels[ch] = c; storage.groups[gi] = g; storage.banks[bi] = bank; storage.stats[ch] = stats
        return last
    }

    /// Books `count` column commands of one bank, the last at `last`.
    private func recordColumns(
        _ c: inout ChannelTiming, _ g: inout GroupTiming, _ bank: inout BankTiming,
        _ stats: inout MemoryChannelStatistics, write: Bool, last: Int, count: Int,
        span: inout Span
    ) {
        let dataEnd = last &+ (write ? t.cwl : t.cl) &+ burst
        c.lastColumn = last
        c.busFree = dataEnd
        g.lastColumn = last
        if write {
            c.lastWrite = last
            g.lastWrite = last
            bank.prechargeReady = max(bank.prechargeReady, dataEnd &+ t.wr)
            stats.writeBursts &+= count
        } else {
            c.lastRead = last
            bank.prechargeReady = max(bank.prechargeReady, last &+ t.rtp)
            stats.readBursts &+= count
        }
        stats.dataBusBusyCycles &+= count &* burst
        span.end = max(span.end, dataEnd)
    }

    /// The first cycle at or after `notBefore` a column command may issue: tCCD_S/L after the last column commands,
    /// the data bus free when its data arrives, tRTW after a read (for a write), tWTR_S/L after the end of the last
    /// write data (for a read).
    @inline(__always)
    func columnTime(_ c: ChannelTiming, _ g: GroupTiming, write: Bool, notBefore: Int) -> Int {
        let spacing = max(notBefore, c.lastColumn &+ t.ccdS, g.lastColumn &+ t.ccdL)
        if write { return max(spacing, c.busFree &- t.cwl, c.lastRead &+ t.rtw) }
        let writeEnd = t.cwl &+ burst
        return max(spacing, c.busFree &- t.cl, c.lastWrite &+ writeEnd &+ t.wtrS, g.lastWrite &+ writeEnd &+ t.wtrL)
    }

    /// The first cycle at or after `notBefore` an activate may issue: tRRD_S/L after the last activates and at most
    /// four in any tFAW window.
    @inline(__always)
    func activateTime(_ c: ChannelTiming, _ g: GroupTiming, notBefore: Int) -> Int {
        max(notBefore, c.lastActivate &+ t.rrdS, g.lastActivate &+ t.rrdL, c.oldestActivate &+ t.faw)
    }

    /// Performs every refresh of `ch` due at or before `pending` (the cycle a command is waiting to issue): the first
    /// after precharging every bank (each when tRAS, tRTP, tWR allow, plus tRP), the others (due while the channel
    /// idled) each when due or when the previous one ends. No command issues before the last one ends.
    mutating func refresh(channel ch: Int, pending: Int) {
        var state = storage.channels[ch]
        let due = state.nextRefresh
        var start = max(due, state.floor)
        var prechargeAll = dramNever  // when every open bank may be precharged
        let firstBank = ch &* spec.banksPerChannel
        for i in firstBank..<(firstBank &+ spec.banksPerChannel) {
            if storage.banks[i].openRow >= 0 {
                prechargeAll = max(prechargeAll, storage.banks[i].prechargeReady)
                storage.banks[i].openRow = -1
            } else {
                start = max(start, storage.banks[i].activateReady)  // a bank precharged earlier still needs its tRP
            }
        }
        if prechargeAll != dramNever { start = max(start, max(prechargeAll, due) &+ t.rp) }
        var end = start &+ t.rfc
        var count = 1
        var nextDue = due &+ t.refi
        // The channel was busy past later due times: those refreshes start back to back until they catch up.
        while nextDue <= pending && end > nextDue {
            end &+= t.rfc; count &+= 1; nextDue &+= t.refi
        }
        if nextDue <= pending {  // caught up: the rest start when due, the last one at `lastDue`
            let more = (pending &- nextDue) / t.refi
            let lastDue = nextDue &+ more &* t.refi
            end = lastDue &+ t.rfc
            count &+= more &+ 1
            nextDue = lastDue &+ t.refi
        }
        state.floor = max(state.floor, end)
        state.nextRefresh = nextDue
        storage.channels[ch] = state
        storage.stats[ch].refreshes &+= count
        storage.stats[ch].refreshStallCycles &+= max(0, end &- pending)
    }
}
