import XCTest

@testable import LRSim

/// Small task graphs whose cycle counts are computed by hand in the comments: the engine must match to the cycle.
final class EngineHandComputedTests: XCTestCase {
    func run(_ g: TaskGraph) throws -> EngineResult { try Engine(graph: g).run() }

    func testOneStageNoStalls() throws {
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let u = g.addUnit("s0", kind: .array)
        var prev: TaskID? = nil
        for c in [5, 7, 11] {
            prev = g.addTask(
                TaskDescriptor(unit: u, kind: .forward, cycles: c), after: prev.map { [($0, .data)] } ?? [])
        }
        let r = try run(g)
        // 5 + 7 + 11 back to back.
        XCTAssertEqual(r.cycles, 23)
        XCTAssertEqual(r.unitCycles[0].busy, 23)
        XCTAssertEqual(r.unitCycles[0].starved + r.unitCycles[0].blocked + r.unitCycles[0].idle, 0)
    }

    func testTwoStagesFIFODepthOneUnequalLatencies() throws {
        // A (3 cycles/item) feeds B (5 cycles/item) through a 1-word FIFO, 4 items.
        // A: [0,3) push@3; [3,6) push@6 (B popped item0 @3); [6,9) push@9 (B popped item1 @8);
        //    [9,12) full until B pops item2 @13 -> blocked 1 cycle, then idle until 23.
        // B: starved [0,3), items at [3,8) [8,13) [13,18) [18,23): total 3 + 4*5 = 23.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let a = g.addUnit("A", kind: .array), b = g.addUnit("B", kind: .array)
        let f = g.addFIFO("A->B", capacityWords: 1, wordBytes: 4)
        for _ in 0..<4 {
            var t = TaskDescriptor(unit: a, kind: .forward, cycles: 3)
            t.fifoOut = f; t.fifoOutWords = 1
            g.addTask(t)
        }
        for _ in 0..<4 {
            var t = TaskDescriptor(unit: b, kind: .forward, cycles: 5)
            t.fifoIn = f; t.fifoInWords = 1
            g.addTask(t)
        }
        let r = try run(g)
        XCTAssertEqual(r.cycles, 23)
        XCTAssertEqual(r.unitCycles[0].busy, 12)
        XCTAssertEqual(r.unitCycles[0].blocked, 1)
        XCTAssertEqual(r.unitCycles[0].idle, 10)
        XCTAssertEqual(r.unitCycles[0].starved, 0)
        XCTAssertEqual(r.unitCycles[1].starved, 3)
        XCTAssertEqual(r.unitCycles[1].busy, 20)
        XCTAssertEqual(r.fifoPeakWords[0], 1)
    }

    func testDRAMBoundStage() throws {
        // Each task loads 256 B at 16 B/cycle (16 cycles on the channel) + 20 cycles latency, then computes 10:
        // 46 cycles per task, 3 tasks = 138; the stage is blocked 3*36 = 108, the channel busy 3*16 = 48.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 16, latencyCycles: 20))
        let u = g.addUnit("s0", kind: .array)
        for _ in 0..<3 {
            var t = TaskDescriptor(unit: u, kind: .forward, cycles: 10)
            t.dramReadBytes = 256
            g.addTask(t)
        }
        let r = try run(g)
        XCTAssertEqual(r.cycles, 138)
        XCTAssertEqual(r.unitCycles[0].blocked, 108)
        XCTAssertEqual(r.unitCycles[0].busy, 30)
        XCTAssertEqual(r.dramCycles.busy, 48)
        XCTAssertEqual(r.dramReadBytes, 768)
    }

    func testDRAMContentionIsFIFOArbitrated() throws {
        // Two stages each load 160 B (10 cycles at 16 B/cycle, latency 5) at cycle 0, then compute 4.
        // U0: transfer [0,10), data @15, compute [15,19). U1 waits for the channel: [10,20), data @25, [25,29).
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 16, latencyCycles: 5))
        let u0 = g.addUnit("u0", kind: .array), u1 = g.addUnit("u1", kind: .array)
        for u in [u0, u1] {
            var t = TaskDescriptor(unit: u, kind: .forward, cycles: 4)
            t.dramReadBytes = 160
            g.addTask(t)
        }
        let r = try run(g)
        XCTAssertEqual(r.cycles, 29)
        XCTAssertEqual(r.unitCycles[0].blocked, 15)
        XCTAssertEqual(r.unitCycles[1].blocked, 25)
        XCTAssertEqual(r.unitCycles[0].idle, 10)
        XCTAssertEqual(r.dramCycles.busy, 20)
    }

    func testSRAMOverflowSpills() throws {
        // A 100-byte buffer; P allocates 160 B: 100 on chip, 60 spill. P computes [0,5), writes 60 B (6 cycles at
        // 10 B/cycle + 4 latency) -> done @15. C reads the 60 spilled bytes back [15,25), computes [25,28).
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 10, latencyCycles: 4))
        let u = g.addUnit("s0", kind: .array)
        let buf = g.addBuffer("s0.inputs", stage: "s0", role: .inputs, capacityBytes: 100)
        let block = g.addAllocation(in: buf, bytes: 160)
        let p = g.addTask(TaskDescriptor(unit: u, kind: .forward, cycles: 5), allocates: [block])
        g.addTask(
            TaskDescriptor(unit: u, kind: .gradient, cycles: 3), after: [(p, .data)], reads: [block], frees: [block])
        let r = try run(g)
        XCTAssertEqual(r.cycles, 28)
        XCTAssertEqual(r.dramWriteBytes, 60)
        XCTAssertEqual(r.dramReadBytes, 60)
        XCTAssertEqual(r.spillWriteBytes, 60)
        XCTAssertEqual(r.bufferPeakBytes[0], 100)
        XCTAssertEqual(r.bufferPeakDemandBytes[0], 160)
        XCTAssertEqual(r.bufferSpilledBytes[0], 60)
        XCTAssertEqual(r.unitCycles[0].busy, 8)
        XCTAssertEqual(r.unitCycles[0].blocked, 20)
    }

    func testLossBroadcastOnCriticalPath() throws {
        // perturb (10) -> loss unit (4 busy + 6 latency) -> bus (2 busy + 3 latency) -> accumulate (5):
        // 10 + 10 + 5 + 5 = 30. The accumulating vector unit is starved for the first 25 cycles; every extra cycle of
        // bus latency is an extra cycle of the run.
        func graph(busLatency: Int) -> TaskGraph {
            var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
            let array = g.addUnit("s0.array", kind: .array), vector = g.addUnit("s0.vector", kind: .vector)
            let loss = g.addUnit("loss", kind: .loss), bus = g.addUnit("bus", kind: .bus, discipline: .arrivalOrder)
            let f = g.addFIFO("s0.fifo_out", capacityWords: 4, wordBytes: 4)
            var pt = TaskDescriptor(unit: array, kind: .perturb, cycles: 10); pt.fifoOut = f; pt.fifoOutWords = 2
            let perturb = g.addTask(pt)
            var lt = TaskDescriptor(unit: loss, kind: .loss, cycles: 4); lt.latency = 6; lt.fifoIn = f;
            lt.fifoInWords = 2
            let l = g.addTask(lt)
            var bt = TaskDescriptor(unit: bus, kind: .broadcast, cycles: 2); bt.latency = busLatency
            let b = g.addTask(bt, after: [(l, .data)])
            g.addTask(
                TaskDescriptor(unit: vector, kind: .accumulate, cycles: 5), after: [(b, .data), (perturb, .data)])
            return g
        }
        let r = try run(graph(busLatency: 3))
        XCTAssertEqual(r.cycles, 30)
        XCTAssertEqual(r.unitCycles[1].starved, 25)
        XCTAssertEqual(r.unitCycles[1].busy, 5)
        XCTAssertEqual(r.unitCycles[3].busy, 2)
        XCTAssertEqual(r.unitCycles[2].starved, 10)  // the loss unit waits for the logits
        XCTAssertEqual(try run(graph(busLatency: 10)).cycles, 37)
    }

    func testDeadlockIsReportedNotHung() throws {
        // B pops a FIFO nobody pushes.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let b = g.addUnit("B", kind: .array)
        let f = g.addFIFO("never", capacityWords: 1, wordBytes: 4)
        var t = TaskDescriptor(unit: b, kind: .forward, cycles: 1); t.fifoIn = f; t.fifoInWords = 1
        g.addTask(t)
        XCTAssertThrowsError(try run(g)) { e in
            XCTAssertTrue("\(e)".contains("deadlocked"), "\(e)")
        }
    }

    func testNoiseGeneratorRateLimitsTask() throws {
        // A task computing 10 cycles that needs noise for 25 cycles: busy 10, blocked 15; the generator busy 25.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let a = g.addUnit("s0.array", kind: .array), n = g.addUnit("s0.noise", kind: .noise)
        var t = TaskDescriptor(unit: a, kind: .perturb, cycles: 10); t.noiseUnit = n; t.noiseCycles = 25
        g.addTask(t)
        let r = try run(g)
        XCTAssertEqual(r.cycles, 25)
        XCTAssertEqual(r.unitCycles[0].busy, 10)
        XCTAssertEqual(r.unitCycles[0].blocked, 15)
        XCTAssertEqual(r.unitCycles[1].busy, 25)
    }
}
