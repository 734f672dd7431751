import HWModel

/// `[dram] model = "structured"`: channels, bank groups, banks with open-page row buffers, refresh, and the JEDEC
/// timing parameters of `StructuredDRAMSpec`.
///
/// The controller it models, per channel:
/// - **In order.** Column commands (the data transfers) issue in request order and, within a request, in address
///   order; nothing is reordered. Row commands (precharge, activate) may issue as soon as their request has arrived
///   and the bank allows, ahead of earlier column commands (the look-ahead of a command queue), also in order.
/// - **Open page.** A row stays open until a burst needs another row of the bank (a conflict: precharge, then
///   activate) or a refresh closes every bank. A burst to a closed bank activates it (a miss).
/// - **Refresh.** All-bank refresh every `refi`: when a burst's first command would issue at or after the refresh's
///   due time, the controller precharges every open bank (after tRAS, tRTP, tWR), waits `rp`, refreshes for `rfc`,
///   and only then issues that burst. Refreshes that fall due while the channel idles cost nothing but closing rows.
/// - **Constraints.** tRCD, tRP, tRAS, tRTP, tWR; tCCD_S/L and the data bus between column commands; tWTR_S/L after
///   writes, tRTW before them; tRRD_S/L and tFAW between activates. Not modelled: ranks, the command bus's own
///   occupancy, power-down, per-bank refresh.
///
/// Requests are split into bursts by the address mapping; a request finishes when its last burst's data does. Time
/// is kept in DRAM cycles; arrivals are rounded up to the next DRAM cycle and completions to the next accelerator
/// cycle (`DRAMClockRatio`).
///
/// Cost: a request costs O(runs), a run being the bursts of one channel that walk one row (a sequential request on
/// the presets' mappings: `bytes / row_bytes` runs), each served in closed form (`continueRun`), and the steady
/// stretches of a long stream are applied at once (`StreamJump`); a mapping with banks or bank groups below the
/// column is served burst by burst. Measured costs are in docs/simulator.md.

public struct StructuredDRAM: MemoryDevice, Sendable {
    public let spec: StructuredDRAMSpec
    let ratio: DRAMClockRatio
    let decoder: DRAMAddressDecoder
    let t: DRAMTiming
    /// Data-bus cycles of one burst.
    let burst: Int
    /// Cycles between consecutive column commands of a run (same bank, same row, same direction).
    let runStep: Int
    let groupsPerChannel: Int
    let banksPerGroup: Int

    /// Channel, bank group and bank timing and the channel counters (copied on write).
    var storage: DRAMStorage
    var requestStats: MemoryStatistics
    /// Serve row-hit runs in closed form (true), or every burst one by one (false): the same services and statistics,
    /// slower; for validation and measurement.
    public var closedFormRuns = true

    /// A structured DRAM behind an accelerator clocked at `acceleratorHz`. `spec` must be valid (`spec.problem` nil:
    /// every loaded hardware model's is); the state is indexed by the address fields, so an invalid one is refused.
    public init(_ spec: StructuredDRAMSpec, acceleratorHz: Double) {
        precondition(spec.problem == nil, "invalid StructuredDRAMSpec: \(spec.problem ?? "")")
        self.spec = spec
        ratio = DRAMClockRatio(dramHz: spec.clockHz, acceleratorHz: acceleratorHz)
        decoder = DRAMAddressDecoder(spec)
        t = spec.timing
        burst = spec.burstCycles
        runStep = max(spec.burstCycles, spec.timing.ccdS, spec.timing.ccdL, 1)
        groupsPerChannel = spec.bankGroups
        banksPerGroup = spec.banksPerGroup
        storage = DRAMStorage(
            channels: spec.channels, groupsPerChannel: spec.bankGroups,
            banksPerGroup: spec.banksPerGroup, firstRefresh: spec.timing.refi)
        requestStats = MemoryStatistics(clockHz: spec.clockHz, bytesPerBurst: spec.bytesPerBurst, channels: 0)
    }

    public var statistics: MemoryStatistics {
        var s = requestStats
        s.channels = storage.channelStatistics
        return s
    }

    public mutating func service(_ request: MemoryRequest, arrival cycle: Int) -> MemoryService {
        let arrival = max(0, cycle)
        guard request.bytes > 0 else { return MemoryService(start: arrival, finish: arrival) }
        if !isKnownUniquelyReferenced(&storage) { storage = DRAMStorage(copying: storage) }
        if request.isWrite {
            requestStats.writeRequests &+= 1; requestStats.writeBytes &+= request.bytes
        } else {
            requestStats.readRequests &+= 1; requestStats.readBytes &+= request.bytes
        }
        let firstByte = UInt(bitPattern: request.address)
        let (lastByte, wrapped) = firstByte.addingReportingOverflow(UInt(request.bytes &- 1))
        let first = firstByte >> decoder.offsetBits
        let last = (wrapped ? UInt.max : lastByte) >> decoder.offsetBits
        var span = Span(arrival: ratio.toDRAM(arrival))
        if decoder.runsStayInOneBank && closedFormRuns {
            serveRuns(first: first, last: last, write: request.isWrite, span: &span)
        } else {
            var b = first
            while true {
                serveRun(burst: b, count: 1, write: request.isWrite, span: &span)
                if b == last { break }
                b &+= 1
            }
        }
        return MemoryService(
            start: max(arrival, ratio.acceleratorCycle(containing: span.start)),
            finish: ratio.toAccelerator(span.end))
    }

    /// The bursts `first...last` as runs: per channel lane, the bursts that walk one row column by column.
    /// Channels are independent, so serving one lane after another equals serving the bursts in address order. In a
    /// long stream, the rows after a steady stretch are applied at once (`StreamJump`).
    private mutating func serveRuns(first: UInt, last: UInt, write: Bool, span: inout Span) {
        let stride = UInt(decoder.columnStride)  // a power of two
        let strideBits = stride.trailingZeroBitCount
        let columns = decoder.columnMask &+ 1
        let runs = decoder.cycleRuns
        // Track steadiness only in lanes long enough to jump: three periods to verify, one more to apply.
        let laneRuns = Int(truncatingIfNeeded: min((last &- first) >> strideBits / columns, UInt(Int.max)))
        let period = laneRuns >= 4 &* decoder.jumpPeriod ? decoder.jumpPeriod : 0
        // Snapshots cost about as much as a run: take them only while a jump can follow (three periods to verify
        // and one to apply before the next refresh), and only over runs that conflict, as steady ones do. LPDDR4's
        // 8 rows of 512 cycles after each refresh open closed banks, and then tREFI has passed: it never jumps.
        let runCycles = Int(truncatingIfNeeded: columns) &* runStep
        for lane in 0...min(stride &- 1, last &- first) {  // first + lane: one burst of each lane
            var b = first &+ lane
            var inPeriod = 0  // steady runs since the last snapshot
            var periods = 0  // consecutive periods snapshotted
            var lastFirst = dramNever, lastActivate = dramNever  // of the previous run, for the steadiness test
            while b >= first && b <= last {
                let run = b
                let ch = decoder.channel(run)
                let conflicts = storage.stats[ch].rowConflicts
                let inRow = columns &- UInt(decoder.column(b))
                let inRange = ((last &- b) >> strideBits) &+ 1
                let k = min(inRow, inRange)
                let firstColumn = serveRun(burst: b, count: Int(truncatingIfNeeded: k), write: write, span: &span)
                let (next, overflow) = b.addingReportingOverflow(k &* stride)
                if overflow { break }
                b = next
                guard period > 0 else { continue }
                guard k == columns else { inPeriod = 0; periods = 0; continue }
                // A cheap test first: in a steady stream of runs in rotating banks, activates move with the data.
                let activate = storage.channels[ch].lastActivate
                let moving = period > 1 || activate &- lastActivate == firstColumn &- lastFirst
                lastFirst = firstColumn; lastActivate = activate
                let runsToJump = 4 &* period &- min(periods, 3) &* period &- inPeriod
                guard moving, storage.stats[ch].rowConflicts != conflicts,
                    storage.channels[ch].nextRefresh &- firstColumn > runsToJump &* runCycles
                else {
                    inPeriod = 0; periods = 0; continue
                }
                storage.firstColumns[(periods % 3) &* runs &+ inPeriod] = firstColumn
                inPeriod &+= 1
                guard inPeriod == period else { continue }
                inPeriod = 0
                capture(
                    channel: ch, into: storage.snapshots + (periods % 3) &* storage.snapshotWords,
                    slot: decoder.cyclePosition(run), rotate: period == 1)
                periods &+= 1
                guard periods >= 3, b <= last else { continue }
                let fullRuns = Int(truncatingIfNeeded: ((((last &- b) >> strideBits) &+ 1) / columns))
                let jumped = jumpPeriods(
                    channel: ch, slots: (periods &- 3) % 3, (periods &- 2) % 3, (periods &- 1) % 3,
                    run: run, available: fullRuns / period)
                guard jumped > 0 else { continue }
                storage.runsJumped &+= jumped &* period
                span.end = max(span.end, storage.channels[ch].busFree)
                b &+= UInt(jumped &* period) &* columns &* stride
                periods = 0
            }
        }
    }

    /// `count` bursts from burst index `b` on, all in the same channel, bank and row, consecutive columns. Returns the
    /// first burst's column command cycle.
    @discardableResult
    private mutating func serveRun(burst b: UInt, count: Int, write: Bool, span: inout Span) -> Int {
        let ch = decoder.channel(b)
        let gi = ch &* groupsPerChannel &+ decoder.group(b)
        let bi = gi &* banksPerGroup &+ decoder.bank(b)
        var c = issue(channel: ch, group: gi, bank: bi, row: decoder.row(b), write: write, span: &span)
        let firstColumn = c
        var remaining = count &- 1
        while remaining > 0 {
            let next = storage.channels[ch].nextRefresh
            // Usually the refresh is beyond the run (no division); otherwise the bursts before it.
            let m = c &+ remaining &* runStep < next ? remaining : (next > c ? (next &- 1 &- c) / runStep : 0)
            if m > 0 {
                c = continueRun(channel: ch, group: gi, bank: bi, write: write, after: c, count: m, span: &span)
                remaining &-= m
            }
            if remaining > 0 {  // the next burst meets a refresh: the general path handles it
                c = issue(channel: ch, group: gi, bank: bi, row: decoder.row(b), write: write, span: &span)
                remaining &-= 1
            }
        }
        return firstColumn
    }
}

/// The earliest command and the latest data of one request, in DRAM cycles.
struct Span {
    /// Arrival, in DRAM cycles: no command of the request issues before it.
    let arrival: Int
    var start = Int.max
    var end = 0
    init(arrival: Int) { self.arrival = arrival }
}

/// "Never": far enough in the past that adding any timing parameter stays in the past.
let dramNever = -(1 << 40)

/// Per channel: the last commands, the data bus, activates (tRRD, tFAW) and refresh.
struct ChannelTiming: Sendable {
    var lastColumn = dramNever
    var lastRead = dramNever
    var lastWrite = dramNever
    /// 0 before any column command, 1 after a read, 2 after a write.
    var lastDirection: UInt8 = 0
    /// First cycle the data bus is free.
    var busFree = 0
    var lastActivate = dramNever
    /// The last four activates (tFAW), a ring; `fawNext` is the oldest.
    var faw: (Int, Int, Int, Int) = (dramNever, dramNever, dramNever, dramNever)
    var fawNext = 0
    /// Due time of the next refresh.
    var nextRefresh: Int
    /// No command before this (the end of the last refresh).
    var floor = 0

    init(firstRefresh: Int) { nextRefresh = max(1, firstRefresh) }

    var oldestActivate: Int {
        switch fawNext {
        case 0: return faw.0
        case 1: return faw.1
        case 2: return faw.2
        default: return faw.3
        }
    }

    mutating func pushActivate(_ a: Int) {
        switch fawNext {
        case 0: faw.0 = a
        case 1: faw.1 = a
        case 2: faw.2 = a
        default: faw.3 = a
        }
        fawNext = (fawNext &+ 1) & 3
        lastActivate = a
    }
}

/// Per bank group: tCCD_L, tWTR_L and tRRD_L count from its last column command, write and activate.
struct GroupTiming: Sendable {
    var lastColumn = dramNever
    var lastWrite = dramNever
    var lastActivate = dramNever
}

/// Per bank: the open row (-1 when closed) and when each command may next issue.
struct BankTiming: Sendable {
    var openRow = -1
    var columnReady = 0
    var prechargeReady = 0
    var activateReady = 0
}
