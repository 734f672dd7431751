import HWModel
import LRTestSupport
import XCTest

@testable import LRSim

/// The memory devices as the engine sees them: `SimpleChannel` is the engine's former DRAM formula, `StructuredDRAM`'s
/// closed-form runs equal its burst-by-burst path, and the presets sustain their rated bandwidth.
final class DRAMDeviceTests: XCTestCase {
    func testSimpleChannelIsTheFormerFormula() {
        // edge.toml's channel: 25.6 B/cycle, 80 cycles. The review's run loads a 100,608 B batch in 4,010 cycles.
        var c = SimpleChannel(bytesPerCycle: 25.6, latencyCycles: 80)
        XCTAssertEqual(
            c.service(MemoryRequest(address: 0, bytes: 100_608, isWrite: false), arrival: 0),
            MemoryService(start: 0, finish: 3930 + 80))
        // Random sequences: start = max(arrival, channel free), busy ceil(bytes / B), finish busy end + latency, the
        // channel free again after the busy part.
        var rng = SeededRandom(seed: 15)
        for _ in 0..<50 {
            let bandwidth = Double(Int.random(in: 1...4000, using: &rng)) / 100
            let latency = Int.random(in: 0...200, using: &rng)
            let spec = DRAMSpec(bytesPerCycle: bandwidth, latencyCycles: latency)
            var device = spec.makeDevice(acceleratorHz: 1e9)
            var free = 0, now = 0, busy = 0
            for _ in 0..<40 {
                now += Int.random(in: 0...300, using: &rng)
                let bytes = Int.random(in: 0...5000, using: &rng)
                let r = device.service(
                    MemoryRequest(address: 0, bytes: bytes, isWrite: Bool.random(using: &rng)),
                    arrival: now)
                let start = max(now, free)
                let occupancy = bytes == 0 ? 0 : Int((Double(bytes) / bandwidth).rounded(.up))
                free = start + occupancy
                busy += occupancy
                XCTAssertEqual(r, MemoryService(start: start, finish: free + latency))
                if bytes > 0 { XCTAssertEqual(r.finish - r.start, spec.transferCycles(bytes: bytes)) }
            }
            XCTAssertEqual(device.statistics.total.dataBusBusyCycles, busy)
            XCTAssertNil(device.statistics.clockHz)
        }
    }

    func testRunsInClosedFormEqualBurstByBurst() {
        // Random requests (sizes, alignments, directions, arrival gaps, refreshes) on every preset and on variants
        // with tight timing: the closed form must give the same service and statistics as issuing every burst.
        var rng = SeededRandom(seed: 3)
        var specs = DRAMPreset.allCases.map(\.spec)
        var tight = DRAMPreset.hbm2_2000.spec
        tight.timing.refi = 700; tight.timing.rfc = 90; tight.timing.ccdL = 3; tight.channels = 2
        specs.append(tight)
        var narrow = DRAMPreset.lpddr4_3200.spec
        narrow.columns = 64; narrow.timing.refi = 500; narrow.timing.rfc = 60
        specs.append(narrow)
        for spec in specs {
            for acceleratorHz in [5e8, 1e9, spec.clockHz] {
                var fast = StructuredDRAM(spec, acceleratorHz: acceleratorHz)
                var slow = fast
                slow.closedFormRuns = false
                var now = 0
                let region = spec.rowBytes * spec.banksPerChannel * spec.channels * 4
                for i in 0..<300 {
                    now += [0, 0, 1, 7, 50, 400][Int.random(in: 0...5, using: &rng)]
                    let sequential = Bool.random(using: &rng)
                    let bytes =
                        sequential ? Int.random(in: 1...20_000, using: &rng) : Int.random(in: 1...300, using: &rng)
                    let request = MemoryRequest(
                        address: Int.random(in: 0..<region, using: &rng), bytes: bytes,
                        isWrite: Int.random(in: 0..<4, using: &rng) == 0)
                    let a = fast.service(request, arrival: now), b = slow.service(request, arrival: now)
                    XCTAssertEqual(a, b, "\(spec.preset) at \(acceleratorHz) Hz, request \(i)")
                    XCTAssertGreaterThanOrEqual(a.start, now)
                    XCTAssertGreaterThan(a.finish, a.start)
                }
                XCTAssertEqual(fast.statistics, slow.statistics, "\(spec.preset)")
                XCTAssertGreaterThan(fast.statistics.total.refreshes, 0)
                XCTAssertGreaterThan(fast.statistics.total.rowConflicts, 0)
            }
        }
    }

    func testSteadyStreamJumpsEqualBurstByBurst() {
        // Long sequential transfers (the datacenter model moves megabytes per task) reach the steady state that
        // `StreamJump` applies cycles of at once; mixed with short and random ones, reads and writes, arrivals that
        // leave the device idle or queue behind, and refreshes, the services and statistics must equal the
        // burst-by-burst path's.
        var rng = SeededRandom(seed: 11)
        var specs = DRAMPreset.allCases.map(\.spec)
        var swapped = DRAMPreset.hbm2e_3200.spec  // bank groups change every 4 rows: the jump takes whole cycles
        swapped.mapping = DRAMAddressMapping([.row, .bankGroup, .bank, .column, .channel])
        specs.append(swapped)
        var slowRuns = DRAMPreset.hbm2_2000.spec
        slowRuns.timing.ccdL = 4  // bursts of one bank slower than the bus: a different steady state
        specs.append(slowRuns)
        var fewRows = DRAMPreset.hbm2_2000.spec
        fewRows.rows = 8  // 1 MiB: the stream wraps around the rows; a jump must stop before
        fewRows.timing.refi = 1_000_000  // and refresh rarely limits the jump
        specs.append(fewRows)
        for spec in specs {
            var fast = StructuredDRAM(spec, acceleratorHz: 1e9)
            var slow = fast
            slow.closedFormRuns = false
            var now = 0
            for i in 0..<40 {
                now += [0, 10, 3000, 40_000][Int.random(in: 0...3, using: &rng)]
                let long = Int.random(in: 0..<3, using: &rng) > 0
                let bytes =
                    long ? Int.random(in: 100_000...2_000_000, using: &rng) : Int.random(in: 1...5000, using: &rng)
                let address =
                    long ? Int.random(in: 0..<64, using: &rng) * 4096 : Int.random(in: 0..<(1 << 30), using: &rng)
                let request = MemoryRequest(address: address, bytes: bytes, isWrite: Bool.random(using: &rng))
                XCTAssertEqual(
                    fast.service(request, arrival: now), slow.service(request, arrival: now),
                    "\(spec.preset) \(spec.mapping) request \(i)")
                // The whole state, open rows included (a wrong open row shows only on a later access).
                XCTAssertEqual(Self.state(fast), Self.state(slow), "\(spec.preset) \(spec.mapping) request \(i)")
            }
            XCTAssertEqual(fast.statistics, slow.statistics, "\(spec.preset) \(spec.mapping)")
            if spec.preset == .lpddr4_3200 {
                // After every refresh its 8 banks open closed rows for 8 x 512 cycles; then tREFI (6247) is near.
                XCTAssertEqual(fast.storage.runsJumped, 0)
            } else {
                XCTAssertGreaterThan(
                    fast.storage.runsJumped, 1000, "\(spec.preset) \(spec.mapping): the jump is exercised")
            }
            XCTAssertEqual(slow.storage.runsJumped, 0)
        }
    }

    func testStreamMeetingRowsLeftOpenByAnotherRequestStaysExact() {
        // A stream (C) queued behind a request (B) that opened the second half of the banks on the row C is about
        // to read: those runs are row hits, not the conflicts of a steady stream; the jumps later in C must agree
        // with serving every burst.
        var spec = DRAMPreset.hbm2e_3200.spec
        spec.channels = 1
        let rowSet = spec.rowBytes * spec.banksPerChannel
        var fast = StructuredDRAM(spec, acceleratorHz: 1e9)
        var slow = fast
        slow.closedFormRuns = false
        let requests = [
            MemoryRequest(address: 0, bytes: 10 * rowSet, isWrite: false),  // A: warms the stream up
            MemoryRequest(address: 10 * rowSet + rowSet / 2, bytes: rowSet / 2, isWrite: false),  // B
            MemoryRequest(address: 10 * rowSet, bytes: 6 * rowSet, isWrite: false),  // C
        ]
        for r in requests { XCTAssertEqual(fast.service(r, arrival: 0), slow.service(r, arrival: 0)) }
        XCTAssertEqual(Self.state(fast), Self.state(slow))
        XCTAssertEqual(fast.statistics, slow.statistics)
        XCTAssertGreaterThan(fast.storage.runsJumped, 0)
    }

    /// Every channel's timing state, bank and group state and counters (the `StreamJump` snapshot layout).
    static func state(_ d: StructuredDRAM) -> [Int] {
        let words = d.storage.snapshotWords
        let buffer = UnsafeMutablePointer<Int>.allocate(capacity: words)
        defer { buffer.deallocate() }
        var out: [Int] = []
        for ch in 0..<d.spec.channels {
            d.capture(channel: ch, into: buffer)
            out += UnsafeBufferPointer(start: buffer, count: words)
        }
        return out
    }

    func testPresetsSustainTheirRatedBandwidthMinusRefresh() {
        // A 4 MiB sequential read on each preset behind the accelerator clock of the shipped model that names it.
        // Streaming runs at the peak rate; refresh takes about (tRFC + tRP + tRCD) every tREFI, so the sustained
        // rate lies between peak * (1 - that share) and the peak.
        for (preset, acceleratorHz) in [(DRAMPreset.lpddr4_3200, 500e6), (.hbm2_2000, 1e9), (.hbm2e_3200, 1e9)] {
            let s = preset.spec, t = s.timing
            var d = StructuredDRAM(s, acceleratorHz: acceleratorHz)
            let bytes = 4 << 20
            let r = d.service(MemoryRequest(address: 0, bytes: bytes, isWrite: false), arrival: 0)
            let peak = s.peakBytesPerSecond / acceleratorHz  // bytes per accelerator cycle
            let sustained = Double(bytes) / Double(r.finish)
            let refreshShare = Double(t.rfc + t.rp + t.rcd + t.rtp) / Double(t.refi)
            XCTAssertLessThanOrEqual(sustained, peak, "\(preset)")
            XCTAssertGreaterThan(sustained, peak * (1 - refreshShare) * 0.99, "\(preset)")
            XCTAssertEqual(
                d.statistics.total.rowConflicts + d.statistics.total.rowMisses,
                d.statistics.total.refreshes + bytes / s.rowBytes, "one activate per row and per refresh")
        }
    }

    func testPresetsMatchTheShippedModelsBandwidth() {
        // edge.toml: LPDDR4-3200 x32, 25.6 B/cycle at 500 MHz; datacenter.toml: one HBM2e stack, 409.6 B/cycle at 1 GHz.
        XCTAssertEqual(DRAMPreset.lpddr4_3200.spec.peakBytesPerSecond, 25.6 * 500e6, accuracy: 1)
        XCTAssertEqual(DRAMPreset.hbm2e_3200.spec.peakBytesPerSecond, 409.6 * 1e9, accuracy: 1)
        XCTAssertEqual(DRAMPreset.hbm2_2000.spec.peakBytesPerSecond, 256e9, accuracy: 1)
    }

    func testAddressMappingPicksTheDocumentedBits() {
        // lpddr4-3200: 32 B bursts (5 offset bits), then channel (1 bit), column (6), bank (3), row.
        let decoder = DRAMAddressDecoder(DRAMPreset.lpddr4_3200.spec)
        let channelBits = 1, columnBits = 6, bankBits = 3
        let burst =
            UInt(1) | 5 << channelBits | 3 << (channelBits + columnBits) | 7 << (channelBits + columnBits + bankBits)
        XCTAssertEqual(decoder.offsetBits, 5)
        XCTAssertEqual(
            [decoder.channel(burst), decoder.column(burst), decoder.bank(burst), decoder.row(burst)], [1, 5, 3, 7])
        XCTAssertTrue(decoder.runsStayInOneBank)
        XCTAssertEqual(decoder.columnStride, 2)
        // hbm2: 64 B bursts, channel (3 bits), column (4), bank group (2), bank (2), row.
        let h = DRAMAddressDecoder(DRAMPreset.hbm2_2000.spec)
        let b: UInt = 6 | 9 << 3 | 2 << 7 | 3 << 9 | 100 << 11
        XCTAssertEqual(h.offsetBits, 6)
        XCTAssertEqual([h.channel(b), h.column(b), h.group(b), h.bank(b), h.row(b)], [6, 9, 2, 3, 100])
        // Addresses beyond the capacity wrap: the row is taken modulo `rows`.
        XCTAssertEqual(h.row(b + UInt(32768) << 11), 100)
    }

    func testClockRatioIsExactCeiling() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let num = Int.random(in: 1...100_000, using: &rng), den = Int.random(in: 1...100_000, using: &rng)
            let x = Int.random(in: 0...1_000_000_000, using: &rng)
            let q = DRAMClockRatio.ceilScale(x, by: num, over: den)
            XCTAssertEqual(q, (x * num + den - 1) / den)
        }
        // Beyond Int.max / num the full-width path answers, and saturates instead of trapping.
        XCTAssertEqual(DRAMClockRatio.ceilScale(Int.max / 2, by: 3, over: 4), (Int.max / 2) / 4 * 3 + 3)
        XCTAssertEqual(DRAMClockRatio.ceilScale(Int.max / 2, by: 5, over: 2), Int.max)
        let r = DRAMClockRatio(dramHz: 1.6e9, acceleratorHz: 500e6)
        XCTAssertEqual([r.dram, r.accelerator], [16, 5])
        // Accelerator cycle 123,456 starts within DRAM cycle 395,059.2: the next DRAM edge, 395,060, falls in the
        // same accelerator cycle, and the next accelerator edge after it is 123,457.
        XCTAssertEqual(r.toDRAM(123_456), 395_060)
        XCTAssertEqual(r.acceleratorCycle(containing: 395_060), 123_456)
        XCTAssertEqual(r.toAccelerator(395_060), 123_457)
        XCTAssertEqual(r.acceleratorCycle(containing: 395_056), 123_455, "395,056 DRAM = 123,455 accelerator exactly")
        XCTAssertEqual(r.toAccelerator(395_056), 123_455)
    }

    func testEmptyRequestTakesNoTimeAndDevicesComeFromTheModel() throws {
        var hw = try HardwareModel.parse(
            text: "[clock]\nhz = 5e8\n[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\n")
        var d = hw.dram.makeDevice(acceleratorHz: hw.clock.hz)
        XCTAssertTrue(d is StructuredDRAM)
        XCTAssertEqual(
            d.service(MemoryRequest(address: 64, bytes: 0, isWrite: true), arrival: 9),
            MemoryService(start: 9, finish: 9))
        XCTAssertEqual(d.statistics.writeRequests, 0)
        hw = try HardwareModel.parse(text: "")
        XCTAssertTrue(hw.dram.makeDevice(acceleratorHz: hw.clock.hz) is SimpleChannel)
    }
}
