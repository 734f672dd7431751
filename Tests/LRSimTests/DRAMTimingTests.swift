import HWModel
import XCTest

@testable import LRSim

/// `StructuredDRAM` against closed forms written from the timing parameters (JEDEC command sequences). Unless a test
/// says otherwise, the accelerator runs at the DRAM clock, so accelerator cycles are DRAM cycles.
final class DRAMTimingTests: XCTestCase {
    /// The LPDDR4-3200 preset, `edit`ed.
    func lpddr4(_ edit: (inout StructuredDRAMSpec) -> Void = { _ in }) -> StructuredDRAMSpec {
        var s = DRAMPreset.lpddr4_3200.spec
        edit(&s)
        return s
    }

    func device(_ s: StructuredDRAMSpec, acceleratorHz: Double? = nil) -> StructuredDRAM {
        StructuredDRAM(s, acceleratorHz: acceleratorHz ?? s.clockHz)
    }

    func read(_ address: Int, _ bytes: Int) -> MemoryRequest {
        MemoryRequest(address: address, bytes: bytes, isWrite: false)
    }
    func write(_ address: Int, _ bytes: Int) -> MemoryRequest {
        MemoryRequest(address: address, bytes: bytes, isWrite: true)
    }

    func testFirstAccessIsActivateThenReadLatency() {
        let s = lpddr4()
        let t = s.timing, burst = s.burstLength / 2
        var d = device(s)
        let r = d.service(read(0, 32), arrival: 0)
        // ACT at 0, RD at tRCD, last data at tRCD + CL + BL/2.
        XCTAssertEqual(r, MemoryService(start: 0, finish: t.rcd + t.cl + burst))
        XCTAssertEqual(r.finish, 29 + 32 + 8)
        XCTAssertEqual(d.statistics.total.rowMisses, 1)
        XCTAssertEqual(d.statistics.total.readBursts, 1)
        XCTAssertEqual(d.statistics.total.dataBusBusyCycles, burst)
    }

    func testClockCrossingRoundsUpBothWays() {
        // LPDDR4-3200 (1.6 GHz) behind the edge model's 500 MHz accelerator: 16 DRAM cycles per 5 accelerator cycles.
        let s = lpddr4()
        var d = device(s, acceleratorHz: 500e6)
        let latency = s.timing.rcd + s.timing.cl + s.burstLength / 2  // 69 DRAM cycles
        XCTAssertEqual(d.service(read(0, 32), arrival: 0).finish, (latency * 5 + 15) / 16)  // ceil(21.5625) = 22
        var e = device(s, acceleratorHz: 500e6)
        // Arrival 7 -> DRAM cycle ceil(7 * 16 / 5) = 23; data ends at 23 + 69 = 92 -> accelerator ceil(92 * 5 / 16) = 29.
        XCTAssertEqual(e.service(read(0, 32), arrival: 7), MemoryService(start: 7, finish: 29))
    }

    func testStreamOfRowHitsRunsAtOneBurstPerCCD() {
        // One channel, one 2 KiB row: 64 bursts, one column command every tCCD after the first.
        let s = lpddr4 { $0.channels = 1 }
        let t = s.timing, burst = s.burstLength / 2
        XCTAssertEqual(s.rowBytes, 2048)
        var d = device(s)
        let r = d.service(read(0, 2048), arrival: 0)
        XCTAssertEqual(r.finish, t.rcd + 63 * t.ccdL + t.cl + burst)
        let st = d.statistics.total
        XCTAssertEqual([st.rowMisses, st.rowHits, st.rowConflicts], [1, 63, 0])
        // Throughput in the stream: bytes per burst / tCCD.
        var e = device(s)
        let long = e.service(read(0, 4096), arrival: 0).finish
        XCTAssertEqual(Double(2048) / Double(long - r.finish), Double(s.bytesPerBurst) / Double(t.ccdL))
    }

    func testSequentialStreamHidesActivatesBehindData() {
        // 16 KiB in one channel walks the rows of all 8 banks; each next bank is activated while the previous one
        // streams (tRRD, tFAW and tRCD all fit in 64 bursts), so the stream never pauses: 512 bursts, tCCD apart.
        let s = lpddr4 { $0.channels = 1 }
        let t = s.timing, burst = s.burstLength / 2
        var d = device(s)
        let r = d.service(read(0, 16384), arrival: 0)
        XCTAssertEqual(r.finish, t.rcd + 511 * t.ccdL + t.cl + burst)
        XCTAssertEqual(d.statistics.total.rowMisses, 8)
        XCTAssertEqual(d.statistics.total.rowHits, 504)
    }

    func testTwoChannelsDoubleTheStreamingRate() {
        // The preset interleaves bursts over its two channels: 16 KiB is 256 bursts per channel, in parallel (and
        // 512 bursts on one channel end before the first refresh).
        let two = lpddr4(), one = lpddr4 { $0.channels = 1 }
        let t = two.timing, burst = two.burstLength / 2
        var d2 = device(two), d1 = device(one)
        let f2 = d2.service(read(0, 16384), arrival: 0).finish
        let f1 = d1.service(read(0, 16384), arrival: 0).finish
        let first = t.rcd + t.cl + burst
        XCTAssertEqual(f2, first + 255 * t.ccdL)
        XCTAssertEqual(f1, first + 511 * t.ccdL)
        XCTAssertLessThan(f1, t.refi)
        XCTAssertEqual(Double(f1 - first + t.ccdL) / Double(f2 - first + t.ccdL), 2)
        XCTAssertEqual(d2.statistics.channels.map(\.readBursts), [256, 256])
    }

    func testBankConflictPingPongCostsPrechargeActivateRead() {
        // Alternate rows 0 and 1 of bank 0, each request arriving when the previous one's data is in: every access
        // after the first precharges, activates and reads: tRP + tRCD + CL + BL/2.
        let s = lpddr4 { $0.channels = 1 }
        let t = s.timing, burst = s.burstLength / 2
        let rowStride = s.rowBytes * s.banksPerChannel  // next row, same bank
        var d = device(s)
        var now = 0
        for i in 0..<10 {
            let r = d.service(read((i % 2) * rowStride, 32), arrival: now)
            XCTAssertEqual(r.finish - now, i == 0 ? t.rcd + t.cl + burst : t.rp + t.rcd + t.cl + burst, "access \(i)")
            now = r.finish
        }
        XCTAssertEqual(t.rp + t.rcd + t.cl + burst, 96)
        XCTAssertEqual(d.statistics.total.rowConflicts, 9)
        // Back to back (all arriving at 0), the bank cycles at tRC = tRAS + tRP: tRAS > tRCD + tRTP here.
        XCTAssertGreaterThan(t.ras, t.rcd + t.rtp)
        var b2b = device(s)
        var last = 0
        for i in 0..<10 { last = b2b.service(read((i % 2) * rowStride, 32), arrival: 0).finish }
        XCTAssertEqual(last, 9 * (t.ras + t.rp) + t.rcd + t.cl + burst)
    }

    func testReadWriteTurnarounds() {
        // Read, write, read in one open row: the write waits tRTW after the read, the second read waits for the
        // write data to end plus tWTR.
        let s = lpddr4 { $0.channels = 1 }
        let t = s.timing, burst = s.burstLength / 2
        var d = device(s)
        let r1 = d.service(read(0, 32), arrival: 0)
        let w = d.service(write(32, 32), arrival: 0)
        let r2 = d.service(read(64, 32), arrival: 0)
        let read1 = t.rcd
        // tRTW dominates tCCD and the bus (the write data may not start before the read data ends).
        XCTAssertGreaterThanOrEqual(t.rtw, max(t.ccdS, t.cl + burst - t.cwl))
        let writeCommand = read1 + t.rtw
        let read2 = writeCommand + t.cwl + burst + t.wtrL
        XCTAssertEqual(r1.finish, read1 + t.cl + burst)
        XCTAssertEqual(w.finish, writeCommand + t.cwl + burst)
        XCTAssertEqual(r2.finish, read2 + t.cl + burst)
        let st = d.statistics.total
        XCTAssertEqual([st.readToWriteTurnarounds, st.writeToReadTurnarounds], [1, 1])
        XCTAssertEqual([st.readBursts, st.writeBursts, st.rowHits], [2, 1, 2])
    }

    func testRequestArrivingAtARefreshWaitsRFC() {
        let s = lpddr4 { $0.channels = 1 }
        let t = s.timing, burst = s.burstLength / 2
        var d = device(s)
        // Idle until tREFI: the refresh is due when the request arrives, every bank is closed, so it starts at once.
        let r = d.service(read(0, 32), arrival: t.refi)
        XCTAssertEqual(r.finish - t.refi, t.rfc + t.rcd + t.cl + burst)
        XCTAssertEqual(d.statistics.total.refreshes, 1)
        XCTAssertEqual(d.statistics.total.refreshStallCycles, t.rfc)
        // Refreshes that fell due while idle cost nothing but the closed rows: three tREFI later, arriving between
        // refreshes, only the activate is paid.
        let later = 4 * t.refi + t.rfc + 100
        let r2 = d.service(read(0, 32), arrival: later)
        XCTAssertEqual(r2.finish - later, t.rcd + t.cl + burst)
        XCTAssertEqual(d.statistics.total.refreshes, 4)
    }

    func testStreamCrossingARefreshPrechargesRefreshesAndReopens() {
        // One long row (1024 bursts) so that the stream meets the refresh inside the row.
        let s = lpddr4 {
            $0.channels = 1; $0.columns = 16384
        }
        let t = s.timing, burst = s.burstLength / 2, n = 1000
        var d = device(s)
        let r = d.service(read(0, n * s.bytesPerBurst), arrival: 0)
        // Column commands at tRCD + j tCCD until one would reach tREFI.
        let j = (t.refi - t.rcd + t.ccdL - 1) / t.ccdL  // the first burst at or after tREFI
        let pending = t.rcd + j * t.ccdL
        let lastBefore = pending - t.ccdL
        // Precharge when tRTP after the last read allows, tRP, refresh tRFC, activate again, tRCD.
        let refreshEnd = lastBefore + t.rtp + t.rp + t.rfc
        let resumed = refreshEnd + t.rcd
        XCTAssertEqual(r.finish, resumed + (n - 1 - j) * t.ccdL + t.cl + burst)
        XCTAssertEqual(
            r.finish - (t.rcd + (n - 1) * t.ccdL + t.cl + burst),
            lastBefore + t.rtp - pending + t.rp + t.rfc + t.rcd, "the refresh's cost to the stream")
        let st = d.statistics.total
        XCTAssertEqual([st.refreshes, st.rowMisses, st.rowHits], [1, 2, n - 2])
        XCTAssertEqual(st.refreshStallCycles, refreshEnd - pending)
    }

    func testBankGroupsSpaceColumnsByCCDLongWithinAGroup() {
        // HBM2: tCCD_L = 2 = BL/2 within a group, so a run in one bank streams at the bus rate; with tCCD_L = 4 the
        // same run halves, while bursts alternating bank groups keep tCCD_S.
        var s = DRAMPreset.hbm2_2000.spec
        s.channels = 1
        let t = s.timing, burst = s.burstLength / 2
        var d = device(s)
        XCTAssertEqual(
            d.service(read(0, s.rowBytes), arrival: 0).finish,
            t.rcd + (s.burstsPerRow - 1) * max(burst, t.ccdL) + t.cl + burst)
        s.timing.ccdL = 4
        var slow = device(s)
        XCTAssertEqual(
            slow.service(read(0, s.rowBytes), arrival: 0).finish,
            t.rcd + (s.burstsPerRow - 1) * 4 + t.cl + burst)
        // Bursts alternating two bank groups: 2 x 16 bursts; the second group activates tRRD_S after the first.
        s.bankGroups = 2
        s.mapping = DRAMAddressMapping([.row, .bank, .column, .bankGroup, .channel])
        var alternate = device(s)
        let f = alternate.service(read(0, 2 * s.rowBytes), arrival: 0).finish
        // Group 1's first read waits its tRCD (activate at tRRD_S); then both groups alternate at max(tCCD_S, BL/2)
        // per burst, each group's own bursts tCCD_L = 4 = 2 bursts apart.
        let second = t.rrdS + t.rcd
        XCTAssertEqual(f, max(t.rcd + 1 * burst, second) + (2 * s.burstsPerRow - 2) * burst + t.cl + burst)
    }
}
