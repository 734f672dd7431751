import HWModel
import XCTest

@testable import LRSim

/// The simulator's scratchpad streaming (`GemmTileProgram`, physical demand order) and `lrsim gemm --memory-order
/// physical`, which times one GEMM with it: fill counts from the loop nest, DRAM traffic, and the prefetch bounds.
final class PhysicalScratchpadTests: XCTestCase {
    /// Operand reads the dataflow's loop nest makes: ws re-reads A per column fold, os A per column fold and B per row
    /// fold, is B per column fold (SCALE-Sim's mapping of M, N, K onto rows, columns and time).
    func passes(_ g: GemmShape, _ a: SystolicArray) -> (Int, Int) {
        let t = a.timing(g)
        let rowFolds = (t.spatialRows + a.rows - 1) / a.rows, colFolds = (t.spatialCols + a.cols - 1) / a.cols
        switch a.dataflow {
        case .ws: return (colFolds, 1)
        case .os: return (colFolds, rowFolds)
        case .is: return (1, colFolds)
        }
    }

    /// Fills of half a buffer after the first half: ceil((passes x V - S/2) / (S/2)) when V does not fit in S/2.
    func fills(_ v: Int, _ passes: Int, _ s: Int) -> Int {
        let half = s / 2
        return v <= half ? 0 : (passes * v - half + half - 1) / half
    }

    func testFillCountsFollowTheLoopNest() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let g = GemmShape(
                m: Int.random(in: 1...400, using: &rng), n: Int.random(in: 1...300, using: &rng),
                k: Int.random(in: 1...500, using: &rng))
            let a = SystolicArray(
                rows: Int.random(in: 2...32, using: &rng), cols: Int.random(in: 2...32, using: &rng),
                dataflow: Dataflow.allCases.randomElement(using: &rng)!)
            let c = ScratchpadConfig(
                ifmapWords: Int.random(in: 2...20_000, using: &rng),
                filterWords: Int.random(in: 2...20_000, using: &rng), ofmapWords: 1024,
                ifmapBandwidth: 1, filterBandwidth: 1, ofmapBandwidth: 1)
            let spec = GemmTileSpec(
                shape: g, array: a, config: c, ifmapBuffer: nil, filterBuffer: nil,
                ifmapWordBytes: 1, filterWordBytes: 1)
            let p = try GemmTileProgram(spec, maxTiles: 64)
            let (pa, pb) = passes(g, a)
            XCTAssertEqual(p.ifmapFills.reduce(0, +), fills(g.m * g.k, pa, c.ifmapWords), "\(g) \(a) \(c)")
            XCTAssertEqual(p.filterFills.reduce(0, +), fills(g.k * g.n, pb, c.filterWords), "\(g) \(a) \(c)")
            XCTAssertLessThanOrEqual(p.tiles, 65)
            XCTAssertEqual(p.totalLines, a.timing(g, convention: .scalesimRTL).cycles)
            XCTAssertEqual(p.lineEnd, p.lineEnd.sorted())
        }
    }

    /// One GEMM through the engine with both operands in DRAM: the bytes it reads are the first halves (or whole
    /// operands) plus every fill; with little bandwidth it is bound by the traffic, with ample bandwidth it pays only
    /// the first load.
    func testPhysicalGemmIsBoundByItsTrafficOrItsFirstLoad() throws {
        let g = GemmShape(m: 32, n: 256, k: 4096), a = SystolicArray(rows: 16, cols: 16, dataflow: .ws)
        let compute = a.timing(g).cycles
        func config(_ bw: Int) -> ScratchpadConfig {
            ScratchpadConfig(
                ifmapWords: 32 << 10, filterWords: 64 << 10, ofmapWords: 64 << 10,
                ifmapBandwidth: bw, filterBandwidth: bw, ofmapBandwidth: bw)
        }
        // A: 32 x 4096 words read once per column fold (16); B: 4096 x 256 read once.
        let trafficA = 16 << 10 + fills(32 * 4096, 16, 32 << 10) * (16 << 10)
        let trafficB = 32 << 10 + fills(4096 * 256, 1, 64 << 10) * (32 << 10)
        let ample = try PhysicalGemmTimer.run(g, array: a, convention: .scalesim, config: config(1000))
        // Only the first halves wait: max(16K, 32K) words at 1000 words per cycle.
        XCTAssertEqual(ample.stallCycles, (32 << 10 + 999) / 1000)
        let starved = try PhysicalGemmTimer.run(g, array: a, convention: .scalesim, config: config(2))
        let bound = max(trafficA, trafficB) / 2
        XCTAssertGreaterThanOrEqual(starved.cycles, bound)
        XCTAssertLessThanOrEqual(starved.cycles, bound + (32 << 10) / 2 + compute / 64 + 2)
        XCTAssertEqual(starved.ifmapFills, fills(32 * 4096, 16, 32 << 10))
        XCTAssertEqual(starved.filterFills, fills(4096 * 256, 1, 64 << 10))
    }

    /// The simulator reads a spilled operand through the same program: a task whose weights live in DRAM (a buffer of
    /// capacity 0) reads exactly the first half plus the fills of the weights' scratchpad.
    func testASpilledOperandStreamsItsFills() throws {
        let g = GemmShape(m: 64, n: 64, k: 2048), a = SystolicArray(rows: 16, cols: 16, dataflow: .ws)
        var graph = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 4, latencyCycles: 10))
        let u = graph.addUnit("s0.array", kind: .array, width: 256)
        let weights = graph.addBuffer("s0.weights", stage: "s0", role: .weights, capacityBytes: 0)
        let w = graph.addAllocation(in: weights, bytes: 2048 * 64 * 2, resident: true)  // 16-bit weights
        let config = ScratchpadConfig(
            ifmapWords: 4096, filterWords: 8192, ofmapWords: 4096,
            ifmapBandwidth: 1, filterBandwidth: 1, ofmapBandwidth: 1)
        var t = TaskDescriptor(unit: u, kind: .forward, cycles: a.timing(g).cycles)
        t.gemm = graph.gemmIndex(
            GemmTileSpec(
                shape: g, array: a, config: config, ifmapBuffer: nil,
                filterBuffer: weights, ifmapWordBytes: 1, filterWordBytes: 2))
        graph.addTask(t, reads: [w])
        let r = try Engine(graph: graph).run()
        XCTAssertEqual(r.spillReadBytes, (4096 + fills(2048 * 64, 1, 8192) * 4096) * 2)
        XCTAssertGreaterThan(r.cycles, t.cycles)
    }
}
