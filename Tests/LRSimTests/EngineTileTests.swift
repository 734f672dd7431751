import XCTest

@testable import LRSim

/// Tile-granular behaviour of the engine, with cycle counts worked out by hand in the comments: streaming between
/// stages, DRAM prefetch one tile ahead, SRAM port limits, FIFO port and link timing, stall reasons.
final class EngineTileTests: XCTestCase {
    func run(_ g: TaskGraph) throws -> EngineResult { try Engine(graph: g).run() }

    func testConsumerStartsOnTheProducersFirstTile() throws {
        // A: 4 tiles of 10 cycles, 2 words each into an 8-word FIFO; B: 4 tiles of 5 cycles popping 2 words each.
        // A [0,10) push@10, [10,20) push@20, [20,30) push@30, [30,40) push@40; B [10,15) [20,25) [30,35) [40,45).
        // Without tiles B would start at 40 and end at 60.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let a = g.addUnit("A", kind: .array), b = g.addUnit("B", kind: .array)
        let f = g.addFIFO("A->B", capacityWords: 8, wordBytes: 4)
        var pt = TaskDescriptor(unit: a, kind: .forward, cycles: 40); pt.tiles = 4; pt.fifoOut = f; pt.fifoOutWords = 8
        g.addTask(pt)
        var ct = TaskDescriptor(unit: b, kind: .forward, cycles: 20); ct.tiles = 4; ct.fifoIn = f; ct.fifoInWords = 8
        g.addTask(ct)
        let r = try run(g)
        XCTAssertEqual(r.cycles, 45)
        XCTAssertEqual(r.unitCycles[1].busy, 20)
        XCTAssertEqual(r.unitCycles[1].starved, 25)
        XCTAssertEqual(r.unitCycles[1].cycles(.fifoEmpty), 25)
        XCTAssertEqual(r.fifoPeakWords[0], 2)
    }

    func testBackPressurePerTile() throws {
        // A: 2 tiles of 5 cycles, 4 words each, into a 4-word FIFO; B: 2 tiles of 20 cycles. A's second tile ends at 10
        // but the FIFO is full until B pops it at 5 -> no wait; B's tile 1 needs the second 4 words: A pushes them at 10.
        // Now make the FIFO hold one tile and B slower to pop: B pops tile 0 at 5, tile 1 at 25.
        // A: t0 [0,5) push; t1 [5,10) push@10 (fits: B popped at 5). B: [5,25) [25,45). Total 45, A never blocked.
        // With 3 tiles for A (12 words, 4 per tile) and 3 for B: A t2 ends at 15, FIFO holds t1 until B pops at 25:
        // A blocked [15,25) on fifo_full.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let a = g.addUnit("A", kind: .array), b = g.addUnit("B", kind: .array)
        let f = g.addFIFO("A->B", capacityWords: 4, wordBytes: 4)
        var pt = TaskDescriptor(unit: a, kind: .forward, cycles: 15); pt.tiles = 3; pt.fifoOut = f; pt.fifoOutWords = 12
        g.addTask(pt)
        var ct = TaskDescriptor(unit: b, kind: .forward, cycles: 60); ct.tiles = 3; ct.fifoIn = f; ct.fifoInWords = 12
        g.addTask(ct)
        let r = try run(g)
        // B: [5,25) [25,45) [45,65).
        XCTAssertEqual(r.cycles, 65)
        XCTAssertEqual(r.unitCycles[0].busy, 15)
        XCTAssertEqual(r.unitCycles[0].cycles(.fifoFull), 10)
        XCTAssertEqual(r.fifoPeakWords[0], 4)
    }

    func testDRAMPrefetchOverlapsCompute() throws {
        // 400 B at 10 B/cycle (no latency) over 4 tiles: 10 cycles of transfer per tile, 10 cycles of compute per tile.
        // Tile 0's data [0,10), compute [10,20) while tile 1's data comes in; ... compute of tile 3 [40,50): 50 cycles.
        // As one tile: 40 + 40 = 80.
        func graph(tiles: Int) -> TaskGraph {
            var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 10, latencyCycles: 0))
            let u = g.addUnit("s0", kind: .array)
            var t = TaskDescriptor(unit: u, kind: .forward, cycles: 40); t.tiles = tiles; t.dramReadBytes = 400
            g.addTask(t)
            return g
        }
        let tiled = try run(graph(tiles: 4))
        XCTAssertEqual(tiled.cycles, 50)
        XCTAssertEqual(tiled.unitCycles[0].cycles(.dram), 10)
        XCTAssertEqual(tiled.dramBusyCycles[0], 40)
        XCTAssertEqual(try run(graph(tiles: 1)).cycles, 80)
    }

    func testSpilledBlockIsReadBackTileByTile() throws {
        // A 100-byte buffer; P allocates 500 B (100 on chip, 400 spilled) and computes 20 cycles in 4 tiles; each tile
        // writes 100 spilled bytes (posted) at 10 B/cycle: writes [5,15) [15,25) [25,35) [35,45) -> P done at 45.
        // C reads the block in 4 tiles: 100 spilled bytes each: [45,55) then compute 5 while the next loads [55,65)...
        // C's compute of tile 3 starts at 85 and ends at 90.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 10, latencyCycles: 0))
        let u = g.addUnit("s0", kind: .array)
        let buf = g.addBuffer("s0.inputs", stage: "s0", role: .inputs, capacityBytes: 100)
        let block = g.addAllocation(in: buf, bytes: 500)
        var pt = TaskDescriptor(unit: u, kind: .forward, cycles: 20); pt.tiles = 4
        let p = g.addTask(pt, allocates: [block])
        var ct = TaskDescriptor(unit: u, kind: .gradient, cycles: 20); ct.tiles = 4
        g.addTask(ct, after: [(p, .data)], reads: [block], frees: [block])
        let r = try run(g)
        XCTAssertEqual(r.spillWriteBytes, 400)
        XCTAssertEqual(r.spillReadBytes, 400)
        XCTAssertEqual(r.cycles, 90)
        XCTAssertEqual(r.bufferPeakBytes[0], 100)
    }

    func testSRAMPortBoundsATile() throws {
        // A 10-cycle task reads a 100-byte on-chip block through a 4-byte/cycle read port: 25 cycles. Busy 10, blocked
        // 15 on the SRAM port; a second task reading the same buffer queues behind the first on the port.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let u = g.addUnit("s0", kind: .array)
        let buf = g.addBuffer("s0.weights", stage: "s0", role: .weights, capacityBytes: 1000, readBytesPerCycle: 4)
        let w = g.addAllocation(in: buf, bytes: 100, resident: true)
        g.addTask(TaskDescriptor(unit: u, kind: .forward, cycles: 10), reads: [w])
        g.addTask(TaskDescriptor(unit: u, kind: .forward, cycles: 30), reads: [Access(w, bytes: 40)])
        let r = try run(g)
        // Second task starts at 25: its 40 bytes take 10 cycles on the port, less than its 30 cycles of compute.
        XCTAssertEqual(r.cycles, 55)
        XCTAssertEqual(r.unitCycles[0].busy, 40)
        XCTAssertEqual(r.unitCycles[0].cycles(.sram), 15)
    }

    func testFIFOPortAndLinkLatencyDelayTheConsumer() throws {
        // The producer pushes 10 words at cycle 5 through a 1-word/cycle port and a 3-cycle link: they arrive at 18.
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 8, latencyCycles: 0))
        let a = g.addUnit("A", kind: .array), b = g.addUnit("B", kind: .array)
        let f = g.addFIFO("A->B", capacityWords: 64, wordBytes: 4, wordsPerCycle: 1, latencyCycles: 3)
        var pt = TaskDescriptor(unit: a, kind: .forward, cycles: 5); pt.fifoOut = f; pt.fifoOutWords = 10
        g.addTask(pt)
        var ct = TaskDescriptor(unit: b, kind: .forward, cycles: 2); ct.fifoIn = f; ct.fifoInWords = 10
        g.addTask(ct)
        let r = try run(g)
        XCTAssertEqual(r.cycles, 20)
        XCTAssertEqual(r.unitCycles[1].starved, 18)
    }

    func testEveryUnitCycleIsAccountedWithAReason() throws {
        var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 10, latencyCycles: 7))
        let a = g.addUnit("A", kind: .array), b = g.addUnit("B", kind: .array), n = g.addUnit("N", kind: .noise)
        let f = g.addFIFO("A->B", capacityWords: 2, wordBytes: 4)
        for _ in 0..<3 {
            var pt = TaskDescriptor(unit: a, kind: .perturb, cycles: 12); pt.tiles = 3; pt.fifoOut = f;
            pt.fifoOutWords = 6
            pt.noiseUnit = n; pt.noiseCycles = 60; pt.dramReadBytes = 90
            g.addTask(pt)
            var ct = TaskDescriptor(unit: b, kind: .forward, cycles: 300); ct.tiles = 2; ct.fifoIn = f;
            ct.fifoInWords = 6
            g.addTask(ct)
        }
        let r = try run(g)
        for (i, c) in r.unitCycles.enumerated() {
            XCTAssertEqual(c.total, r.cycles, "unit \(i)")
            XCTAssertEqual(c.byReason.reduce(0, +), r.cycles, "unit \(i)")
            XCTAssertEqual(
                c.blocked,
                c.cycles(.dram) + c.cycles(.sram) + c.cycles(.fifoFull) + c.cycles(.noise)
                    + c.cycles(.interconnect), "unit \(i)")
            XCTAssertEqual(c.starved, c.cycles(.dependency) + c.cycles(.fifoEmpty), "unit \(i)")
        }
        XCTAssertGreaterThan(r.unitCycles[0].cycles(.noise), 0)
        XCTAssertGreaterThan(r.unitCycles[0].cycles(.fifoFull), 0, "\(r.unitCycles[0]) \(r.cycles)")
        XCTAssertEqual(r.unitCycles[2].busy, 180)
    }
}
