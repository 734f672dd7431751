import HWModel
import XCTest

@testable import LRSim

/// The fast scratchpad model (fold/fill/drain events, closed forms) against a literal element-by-element replay of
/// SCALE-Sim's memory simulation (`ScratchpadReplay`), plus hand-computed pieces.
final class ScratchpadModelTests: XCTestCase {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Random shapes, arrays and buffers down to 2 words (so operands span hundreds of sets, windows wrap around,
    /// rows are wider than the window and drains stall), all three dataflows: equal cycles and stalls.
    func testEqualsElementReplayOnRandomCases() throws {
        var rng = SplitMix(state: 15)
        var stalled = 0
        for i in 0..<360 {
            let df: Dataflow = [.ws, .os, .is][i % 3]
            let array = SystolicArray(
                rows: Int.random(in: 1...9, using: &rng), cols: Int.random(in: 1...9, using: &rng),
                dataflow: df)
            let dim = { (r: inout SplitMix) in
                Bool.random(using: &r) ? Int.random(in: 1...12, using: &r) : Int.random(in: 1...40, using: &r)
            }
            let g = GemmShape(m: dim(&rng), n: dim(&rng), k: dim(&rng))
            let words = { (r: inout SplitMix) in
                [
                    Int.random(in: 2...40, using: &r), Int.random(in: 2...400, using: &r),
                    Int.random(in: 100...3000, using: &r),
                ].randomElement(using: &r)!
            }
            let bw = { (r: inout SplitMix) in [1, 1, 2, 3, 5, 8, 17].randomElement(using: &r)! }
            let config = ScratchpadConfig(
                ifmapWords: words(&rng), filterWords: words(&rng), ofmapWords: words(&rng),
                ifmapBandwidth: bw(&rng), filterBandwidth: bw(&rng), ofmapBandwidth: bw(&rng))
            let fast = ScaleSimMemoryTimer.run(try GemmScratchpad(gemm: g, array: array, config: config))
            let replay = ScratchpadReplay(gemm: g, array: array).run(config)
            let what = "case \(i): \(g) on \(array.rows)x\(array.cols) \(df.rawValue), \(config)"
            XCTAssertEqual(fast.cycles, replay.cycles, what)
            XCTAssertEqual(fast.stallCycles, replay.stalls, what)
            XCTAssertEqual(fast.computeCycles, array.timing(g).cycles, what)
            if replay.stalls > 0 { stalled += 1 }
        }
        XCTAssertGreaterThan(stalled, 200, "most random cases must stall")
    }

    /// The step sequence tiles the demand lines, carries every OFMAP word once, and asks for exactly the fills the
    /// literal replay performs on each line.
    func testStepsMatchReplayFillsPerLine() throws {
        var rng = SplitMix(state: 4)
        for i in 0..<90 {
            let df: Dataflow = [.ws, .os, .is][i % 3]
            let array = SystolicArray(
                rows: Int.random(in: 1...6, using: &rng), cols: Int.random(in: 1...6, using: &rng),
                dataflow: df)
            let g = GemmShape(
                m: Int.random(in: 1...30, using: &rng), n: Int.random(in: 1...30, using: &rng),
                k: Int.random(in: 1...30, using: &rng))
            let config = ScratchpadConfig(
                ifmapWords: Int.random(in: 2...200, using: &rng),
                filterWords: Int.random(in: 2...200, using: &rng), ofmapWords: 64,
                ifmapBandwidth: 1, filterBandwidth: 1, ofmapBandwidth: 1)
            let pad = try GemmScratchpad(gemm: g, array: array, config: config)
            var ifmap = Array(repeating: 0, count: pad.lines), filter = ifmap
            var next = 0, words = 0
            for step in pad.steps() {
                switch step {
                case .compute(let lines, let w):
                    XCTAssertEqual(lines.lowerBound, next); XCTAssertFalse(lines.isEmpty); next = lines.upperBound;
                    words += w
                case .fill(let line, let fi, let ff, let w):
                    XCTAssertEqual(line, next); XCTAssertGreaterThan(fi + ff, 0); next = line + 1; words += w
                    ifmap[line] = fi; filter[line] = ff
                }
            }
            XCTAssertEqual(next, pad.lines)
            XCTAssertEqual(words, g.m * g.n * (df == .os ? 1 : ceilDiv(g.k, array.rows)))  // ws, is rewrite per row fold
            let replay = ScratchpadReplay(gemm: g, array: array).fillsPerLine(config)
            XCTAssertEqual(ifmap, replay.ifmap, "case \(i) ifmap: \(g) \(df)")
            XCTAssertEqual(filter, replay.filter, "case \(i) filter: \(g) \(df)")
        }
    }

    /// The demand line layout of the OFMAP and the rank order of the prefetch matrices against the replay's matrices.
    func testClosedFormLayoutsMatchSCALESimMatrices() throws {
        for df in [Dataflow.ws, .os, .is] {
            for (r, c, g) in [
                (4, 3, GemmShape(m: 7, n: 5, k: 10)), (3, 5, GemmShape(m: 11, n: 13, k: 2)),
                (2, 2, GemmShape(m: 1, n: 3, k: 5)),
            ] {
                let array = SystolicArray(rows: r, cols: c, dataflow: df)
                let pad = try GemmScratchpad(
                    gemm: g, array: array,
                    config: ScratchpadConfig(ifmapKiB: 1, filterKiB: 1, ofmapKiB: 1, bandwidth: 1))
                let replay = ScratchpadReplay(gemm: g, array: array)
                XCTAssertEqual(pad.lines, replay.ofmapDemand.count)
                for line in 0..<pad.lines {
                    XCTAssertEqual(
                        pad.output.words(onLine: line), replay.ofmapDemand[line].filter { $0 != -1 }.count,
                        "\(df) \(g) line \(line)")
                }
                XCTAssertEqual(pad.output.totalWords, replay.ofmapDemand.joined().filter { $0 != -1 }.count)
                // Ranks: every valid element of the stacked prefetch matrix has, as its rank, its position among the
                // valid elements of SCALE-Sim's prefetch order.
                for (demand, prefetch, stack) in [
                    (pad.ifmapDemand, replay.ifmapPrefetch, replay.ifmapStack),
                    (pad.filterDemand, replay.filterPrefetch, replay.filterStack),
                ] {
                    let l = demand.layout
                    let valid = prefetch.filter { $0 != -1 }
                    XCTAssertEqual(valid.count, l.validElements)
                    var position: [Int: Int] = [:]
                    for (i, a) in valid.enumerated() { position[a] = i }
                    XCTAssertEqual(stack.count, l.blocks * l.blockRows)
                    for (row, line) in stack.enumerated() {
                        for (col, a) in line.enumerated() where a != -1 {
                            XCTAssertEqual(l.rank(row: row, col: col), position[a]!, "\(df) \(g) (\(row), \(col))")
                        }
                    }
                }
            }
        }
    }

    func testCellsBeforeDiagonalByHand() {
        // 3 x 4 rectangle: diagonal sizes 1, 2, 3, 3, 2, 1.
        XCTAssertEqual((0...7).map { cellsBeforeDiagonal(3, 4, $0) }, [0, 1, 3, 6, 9, 11, 12, 12])
        XCTAssertEqual((0...5).map { cellsBeforeDiagonal(4, 1, $0) }, [0, 1, 2, 3, 4, 4])
        XCTAssertEqual(cellsBeforeDiagonal(0, 5, 3), 0)
    }

    /// SCALE-Sim's stall rule by hand: fills complete at L_k = -1 + k*(ceil(P/B)+1); a line at cycle c starts at
    /// x = c + 1 and each fill maps x -> L + max(0, L - x).
    func testFillClockByHand() {
        var clock = FillClock(fillCycles: 10)  // L_1 = 9, L_2 = 19, L_3 = 29
        // Line at cycle 3 needs one fill: x = 4 -> 9 + 5 = 14: stall 14 - 3 - 1 = 10 (twice the 5-cycle wait).
        XCTAssertEqual(clock.stall(fills: 1, atCycle: 3), 10)
        // Line at cycle 40 needs two fills (L = 19, 29, both done): x = 41 -> 19 -> 29 + 10 = 39: stall -2.
        XCTAssertEqual(clock.stall(fills: 2, atCycle: 40), -2)
        XCTAssertEqual(clock.fills, 3)
        var c2 = FillClock(fillCycles: 4)  // L = 3, 7, 11, 15
        // c = 0: x = 1 -> 3 + 2 = 5 -> 7 + 2 = 9 -> 11 + 2 = 13 -> 15 + 2 = 17: stall 16.
        XCTAssertEqual(c2.stall(fills: 4, atCycle: 0), 16)
    }

    func testGeometryFollowsSCALESimsRounding() {
        // 1 KiB IFMAP, operand 37 x 29 = 1073 words: sets of ceil(1024/100) = 11, 1073/11 + 1 = 98 sets,
        // active 512 words = 47 sets, fill 512 words = 47 sets, fill time ceil(512/3) + 1 = 172.
        let g = ReadBufferGeometry(words: 1024, bandwidth: 3, operandWords: 37 * 29)
        XCTAssertEqual([g.setWords, g.sets, g.activeSets, g.fillSets, g.fillCycles], [11, 98, 47, 47, 172])
        // Exact division leaves an empty last set: 1100 / 11 + 1 = 101.
        XCTAssertEqual(ReadBufferGeometry(words: 1024, bandwidth: 1, operandWords: 1100).sets, 101)
        let w = WriteBufferGeometry(words: 1025, bandwidth: 10)
        XCTAssertEqual([w.activeWords, w.drainWords, w.rowsPerDrain], [513, 512, 52])
    }

    /// Everything fits: no fill, no drain event before the end, zero stalls (the committed stall-free cases).
    func testNoStallsWhenOperandsFit() throws {
        let array = SystolicArray(rows: 32, cols: 32, dataflow: .ws)
        let pad = try GemmScratchpad(
            gemm: GemmShape(m: 3025, n: 96, k: 363), array: array,
            config: ScratchpadConfig(ifmapKiB: 65536, filterKiB: 65536, ofmapKiB: 65536, bandwidth: 1000))
        let t = ScaleSimMemoryTimer.run(pad)
        XCTAssertEqual([t.cycles, t.stallCycles, t.ifmapFills, t.filterFills], [112283, 0, 0, 0])
    }

    func testBadConfigurationsAreOneLineErrors() {
        let array = SystolicArray(rows: 4, cols: 4, dataflow: .ws)
        XCTAssertThrowsError(
            try GemmScratchpad(
                gemm: GemmShape(m: 4, n: 4, k: 4), array: array,
                config: ScratchpadConfig(ifmapKiB: 1, filterKiB: 1, ofmapKiB: 1, bandwidth: 0))
        ) {
            XCTAssertEqual("\($0)", "ifmap bandwidth: expected 1 ... 2^30 words per cycle, got 0")
        }
        XCTAssertThrowsError(
            try GemmScratchpad(
                gemm: GemmShape(m: 1 << 30, n: 1 << 30, k: 4), array: array,
                config: ScratchpadConfig(ifmapKiB: 1, filterKiB: 1, ofmapKiB: 1, bandwidth: 1))
        ) {
            XCTAssertEqual("\($0)", "GEMM 1073741824x1073741824x4: M*N exceeds 2^50 words")
        }
        XCTAssertThrowsError(
            try ScratchpadConfig.resolve(hardware: nil, ifmapKiB: 1, filterKiB: nil, ofmapKiB: 1, bandwidth: 2)
        ) {
            XCTAssertEqual(
                "\($0)", "the memory model needs --filter-sram-kb (or --hw FILE to take them from a hardware model)")
        }
    }
}
