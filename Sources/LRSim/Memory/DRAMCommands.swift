/// The command-level scheduling of `StructuredDRAM`: one burst at a time (`issue`), the rest of a row-hit run in
/// closed form (`continueRun`), and refresh. All times are DRAM cycles.
extension StructuredDRAM {
    /// Issues one burst: (refresh,) precharge and activate if needed, then its column command. Returns the column
    /// command's cycle.
    mutating func issue(channel ch: Int, group gi: Int, bank bi: Int, row: Int, write: Bool,
                        span: inout Span) -> Int {
        var floor = 0
        var first = 0
        while true {
            floor = max(span.arrival, channelState[ch].floor)
            let bank = banks[bi]
            if bank.openRow == row {
                first = columnTime(channel: ch, group: gi, write: write, notBefore: max(floor, bank.columnReady))
            } else if bank.openRow < 0 {
                first = activateTime(channel: ch, group: gi, notBefore: max(floor, bank.activateReady))
            } else {
                first = max(floor, bank.prechargeReady)
            }
            guard first >= channelState[ch].nextRefresh else { break }
            refresh(channel: ch, pending: first)
        }
        span.start = min(span.start, first)
        var bank = banks[bi]
        let column: Int
        if bank.openRow == row {
            channelStats[ch].rowHits &+= 1
            column = first
        } else {
            var activate = first
            if bank.openRow >= 0 {
                channelStats[ch].rowConflicts &+= 1
                bank.activateReady = first &+ t.rp  // `first` is the precharge
                activate = activateTime(channel: ch, group: gi, notBefore: max(floor, bank.activateReady))
            } else {
                channelStats[ch].rowMisses &+= 1
            }
            bank.openRow = row
            bank.columnReady = activate &+ t.rcd
            bank.prechargeReady = activate &+ t.ras
            channelState[ch].pushActivate(activate)
            groups[gi].lastActivate = activate
            column = columnTime(channel: ch, group: gi, write: write, notBefore: max(floor, bank.columnReady))
        }
        let direction: UInt8 = write ? 2 : 1
        switch (channelState[ch].lastDirection, direction) {
        case (1, 2): channelStats[ch].readToWriteTurnarounds &+= 1
        case (2, 1): channelStats[ch].writeToReadTurnarounds &+= 1
        default: break
        }
        channelState[ch].lastDirection = direction
        banks[bi] = bank
        recordColumns(channel: ch, group: gi, bank: bi, write: write, last: column, count: 1, span: &span)
        return column
    }

    /// `count` more row hits in the bank and row of a column command at `previous`, same direction, none reaching a
    /// refresh: each follows the previous one by `runStep` (tCCD_S, tCCD_L and the data bus; the bank, turnaround
    /// and arrival constraints held already for the first). Returns the last column command's cycle.
    mutating func continueRun(channel ch: Int, group gi: Int, bank bi: Int, write: Bool, after previous: Int,
                              count: Int, span: inout Span) -> Int {
        let last = previous &+ count &* runStep
        channelStats[ch].rowHits &+= count
        recordColumns(channel: ch, group: gi, bank: bi, write: write, last: last, count: count, span: &span)
        return last
    }

    /// Books `count` column commands of one bank, the last at `last`.
    private mutating func recordColumns(channel ch: Int, group gi: Int, bank bi: Int, write: Bool, last: Int,
                                        count: Int, span: inout Span) {
        let latency = write ? t.cwl : t.cl
        let dataEnd = last &+ latency &+ burst
        channelState[ch].lastColumn = last
        channelState[ch].busFree = dataEnd
        groups[gi].lastColumn = last
        if write {
            channelState[ch].lastWrite = last
            groups[gi].lastWrite = last
            banks[bi].prechargeReady = max(banks[bi].prechargeReady, dataEnd &+ t.wr)
            channelStats[ch].writeBursts &+= count
        } else {
            channelState[ch].lastRead = last
            banks[bi].prechargeReady = max(banks[bi].prechargeReady, last &+ t.rtp)
            channelStats[ch].readBursts &+= count
        }
        channelStats[ch].dataBusBusyCycles &+= count &* burst
        span.end = max(span.end, dataEnd)
    }

    /// The first cycle at or after `notBefore` a column command may issue on `ch`: tCCD_S/L after the last column
    /// commands, the data bus free when its data arrives, tRTW after a read (for a write), tWTR_S/L after the end of
    /// the last write data (for a read).
    func columnTime(channel ch: Int, group gi: Int, write: Bool, notBefore: Int) -> Int {
        let c = channelState[ch], g = groups[gi]
        let spacing = max(notBefore, c.lastColumn &+ t.ccdS, g.lastColumn &+ t.ccdL)
        if write { return max(spacing, c.busFree &- t.cwl, c.lastRead &+ t.rtw) }
        let writeEnd = t.cwl &+ burst
        return max(spacing, c.busFree &- t.cl, c.lastWrite &+ writeEnd &+ t.wtrS, g.lastWrite &+ writeEnd &+ t.wtrL)
    }

    /// The first cycle at or after `notBefore` an activate may issue on `ch`: tRRD_S/L after the last activates and
    /// at most four in any tFAW window.
    func activateTime(channel ch: Int, group gi: Int, notBefore: Int) -> Int {
        let c = channelState[ch]
        return max(notBefore, c.lastActivate &+ t.rrdS, groups[gi].lastActivate &+ t.rrdL, c.oldestActivate &+ t.faw)
    }

    /// Performs every refresh of `ch` due at or before `pending` (the cycle a command is waiting to issue): the first
    /// after precharging every bank (each when tRAS, tRTP, tWR allow, plus tRP), the others (due while the channel
    /// idled) each when due or when the previous one ends. No command issues before the last one ends.
    mutating func refresh(channel ch: Int, pending: Int) {
        var state = channelState[ch]
        let due = state.nextRefresh
        var start = max(due, state.floor)
        var prechargeAll = dramNever  // when every open bank may be precharged
        let firstBank = ch &* spec.banksPerChannel
        for i in firstBank..<(firstBank &+ spec.banksPerChannel) {
            if banks[i].openRow >= 0 {
                prechargeAll = max(prechargeAll, banks[i].prechargeReady)
                banks[i].openRow = -1
            } else {
                start = max(start, banks[i].activateReady)  // a bank precharged earlier still needs its tRP
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
        channelState[ch] = state
        channelStats[ch].refreshes &+= count
        channelStats[ch].refreshStallCycles &+= max(0, end &- pending)
    }
}
