import HWModel
import LRCore
import XCTest

@testable import LRSim

/// Replicas, chips, collectives and the training schedules, against closed forms.
final class ParallelScheduleTests: XCTestCase {
    /// Roomy, wide buffers (nothing spills, ports never bound) and an ideal interconnect unless one is given.
    func model(
        replicas: Int = 1, chips: Int = 1, split: WorkSplit = .data, mode: PipelineMode = .layerPipelined,
        onChip: LinkSpec = .ideal, chipToChip: LinkSpec = .ideal, collective: CollectiveAlgorithm = .ring
    ) -> HardwareModel {
        var m = HardwareModel(name: "test")
        m.pipeline = PipelineSpec(mode: mode, staleness: mode == .overlapped ? 1 : 0)
        let big = BufferSpec(capacityBytes: 1 << 30, readPorts: 64, writePorts: 64, wordBits: 4096)
        m.stageTemplate.buffers = BufferSet(
            weights: big, inputs: big, noise: big, accumulators: big,
            fifoOut: FIFOSpec(depthWords: 1 << 20))
        m.stageTemplate.replicas = replicas
        m.mapping.split = split
        m.interconnect = InterconnectSpec(chips: chips, collective: collective, onChip: onChip, chipToChip: chipToChip)
        return m
    }

    func spec(
        _ method: EstimatorKind, net: String = "mlp:16-12-8", batch: Int = 4, copies: [Int] = [4],
        iterations: Int = 1
    ) throws -> WorkloadSpec {
        WorkloadSpec(
            network: try NetworkSpec.parse(net), method: method, batch: batch, copies: CopyCounts(copies),
            iterations: iterations)
    }

    func testCopiesSplitOverReplicasTakeCeilKOverRCopiesTimePerReplica() throws {
        // Layer 0 perturbed with K = 8 copies (one per group); each copy runs layer 1 (12 -> 8, B = 4 rows) on the
        // replica of its lane: a GEMM (M=4, N=8, K=12 on 16x16 ws) plus B x 8 elementwise on 16 lanes.
        let copy =
            SystolicArray(rows: 16, cols: 16, dataflow: .ws).timing(GemmShape(m: 4, n: 8, k: 12)).cycles
            + UnitTiming.vector(elements: 4 * 8, lanes: 16, latency: 0)
        let K = 8
        for R in 1...5 {
            let r = try Simulator.run(try spec(.lr, copies: [K, 0]), on: model(replicas: R))
            XCTAssertTrue(r.report.work.conserved)
            let arrays = r.report.stages.filter { $0.stage.hasPrefix("stage1") && $0.kind == "array" }
            XCTAssertEqual(arrays.count, R)
            // Replica 0 also runs the clean forward (the same shape as a copy); group j goes to replica j mod R.
            XCTAssertEqual(arrays[0].busy, ((K + R - 1) / R + 1) * copy, "R=\(R)")
            XCTAssertEqual(arrays.map(\.busy).reduce(0, +), (K + 1) * copy, "R=\(R)")
            XCTAssertEqual(arrays.map(\.tasks), (0..<R).map { r in (K - r + R - 1) / R + (r == 0 ? 1 : 0) }, "R=\(R)")
            XCTAssertEqual(arrays.map(\.busy), (0..<R).map { r in ((K - r + R - 1) / R + (r == 0 ? 1 : 0)) * copy })
        }
    }

    /// `split = batch`: each of R lanes runs B/R samples with all K copies, then the lanes all-reduce their weight
    /// gradients (ring: 2(R-1) x the gradient bytes on the links) and each updates its own weights. The arrays of
    /// every lane do exactly the work of one lane at batch B/R, and the executed MACs are those of batch B.
    func testBatchSplitRunsTheBatchShareOnEveryLaneAndAllReducesGradients() throws {
        let gradientBytes = [204 * 4, 104 * 4]  // mlp:16-12-8 at s8.24
        for injection in Injection.allCases {
            for R in [2, 4] {
                var whole = try spec(.alr, batch: 8, copies: [4])
                whole.injection = injection
                var share = whole
                share.batch = 8 / R
                let split = try Simulator.run(whole, on: model(replicas: R, split: .batch))
                let one = try Simulator.run(share, on: model())
                XCTAssertTrue(split.report.work.conserved, "\(injection) R=\(R)")
                let single = try Simulator.run(whole, on: model())
                XCTAssertEqual(split.report.work.executed.macs, single.report.work.executed.macs, "\(injection) R=\(R)")
                // Every lane's arrays are as busy as the single lane's at batch B/R.
                let oneArrays = one.report.stages.filter { $0.kind == "array" }.map(\.busy)
                for lane in 0..<R {
                    let arrays = split.report.stages.filter { $0.kind == "array" && $0.name.contains(".r\(lane).") }
                    XCTAssertEqual(arrays.map(\.busy), oneArrays, "\(injection) R=\(R) lane \(lane)")
                }
                let link = split.workload.graph.units.firstIndex { $0.name == "link.on_chip" }!
                XCTAssertEqual(
                    split.engine.unitCounts[link].onChipLinkBytes,
                    gradientBytes.reduce(0) { $0 + 2 * (R - 1) * $1 }, "\(injection) R=\(R)")
            }
        }
    }

    func testCollectiveCostsFollowTheirFormulas() {
        let link = LinkSpec(bytesPerCycle: 10, latencyCycles: 5, energyPjPerByte: 1)
        // Ring all-reduce of 1000 B among 4: 6 steps of 250 B: 6 x (5 + 25) cycles; 2 x 3 x 1000 bytes on the wire.
        XCTAssertEqual(
            CollectiveAlgorithm.ring.cost(.allReduce, participants: 4, bytes: 1000, link: link),
            CollectiveCost(steps: 6, cycles: 180, bytes: 6000))
        // Tree all-reduce: reduce + broadcast, 2 levels each, steps of 1000 B: 4 x (5 + 100); 2 x 3 x 1000 bytes.
        XCTAssertEqual(
            CollectiveAlgorithm.tree.cost(.allReduce, participants: 4, bytes: 1000, link: link),
            CollectiveCost(steps: 4, cycles: 420, bytes: 6000))
        // Tree reduce among 5: 3 levels; 4 x 1000 bytes. Ring reduce: reduce-scatter (4 x 1000) + gather (4 x 1000 / 2).
        XCTAssertEqual(
            CollectiveAlgorithm.tree.cost(.reduce, participants: 5, bytes: 1000, link: link),
            CollectiveCost(steps: 3, cycles: 315, bytes: 4000))
        XCTAssertEqual(
            CollectiveAlgorithm.ring.cost(.reduce, participants: 5, bytes: 1000, link: link),
            CollectiveCost(steps: 8, cycles: 8 * (5 + 20), bytes: 6000))
        XCTAssertEqual(CollectiveAlgorithm.ring.cost(.broadcast, participants: 1, bytes: 1000, link: link), .none)
        // An ideal link costs nothing in time but still moves the bytes.
        XCTAssertEqual(CollectiveAlgorithm.ring.cost(.allReduce, participants: 8, bytes: 800, link: .ideal).cycles, 0)
        XCTAssertEqual(
            CollectiveAlgorithm.ring.cost(.allReduce, participants: 8, bytes: 800, link: .ideal).bytes, 2 * 7 * 800)
    }

    func testDataParallelBackpropAllReducesEveryLayersGradient() throws {
        // mlp:16-12-8: gradients of 16*12+12 = 204 and 12*8+8 = 104 values, 4 bytes each (s8.24).
        let gradientBytes = [204 * 4, 104 * 4]
        let s = try spec(.bp, batch: 8, copies: [])
        for algorithm in CollectiveAlgorithm.allCases {
            let r = try Simulator.run(s, on: model(replicas: 4, collective: algorithm))
            let link = r.workload.graph.units.firstIndex { $0.name == "link.on_chip" }!
            XCTAssertEqual(
                r.engine.unitCounts[link].onChipLinkBytes, gradientBytes.reduce(0) { $0 + 2 * 3 * $1 }, "\(algorithm)")
            XCTAssertTrue(r.report.work.conserved)
        }
        // Two chips of two replicas: reduce on each chip (ring, P = 2: 1.5 S), all-reduce between the chips (2 S),
        // broadcast on each chip (1.5 S).
        let r = try Simulator.run(s, on: model(replicas: 2, chips: 2))
        let chipLink = r.workload.graph.units.firstIndex { $0.name == "link.chip_to_chip" }!
        XCTAssertEqual(r.engine.unitCounts[chipLink].chipLinkBytes, gradientBytes.reduce(0) { $0 + 2 * $1 })
        XCTAssertEqual(
            r.engine.executed.onChipLinkBytes - fifoBytes(r), gradientBytes.reduce(0) { $0 + 2 * 2 * 3 * $1 / 2 })
    }

    /// FIFO traffic between stages, which also travels on-chip links.
    func fifoBytes(_ r: SimulationResult) -> Int { r.engine.executed.fifoBytes }

    func testPipelineScheduleBubbleIsSMinusOneOverMPlusSMinusOne() throws {
        // S equal stages, each forward f = 10 and backward b = 10 cycles per micro-batch: both GPipe and 1F1B finish
        // in (M + S - 1)(f + b) cycles, each stage idle (S - 1)/(M + S - 1) of the time.
        for schedule in [BackpropSchedule.gpipe, .oneFOneB] {
            for (S, M) in [(2, 1), (4, 4), (4, 8), (3, 5)] {
                var g = TaskGraph(dram: DRAMDescriptor(bytesPerCycle: 1, latencyCycles: 0))
                let units = (0..<S).map { g.addUnit("s\($0)", kind: .array) }
                let programs = (0..<S).map {
                    ScheduleBuilder.stageProgram(schedule, stage: $0, stages: S, microbatches: M)
                }
                var fwd = Array(repeating: [TaskID?](repeating: nil, count: M), count: S)
                var bwd = fwd
                var cursor = Array(repeating: 0, count: S)
                var left = programs.reduce(0) { $0 + $1.count }
                while left > 0 {
                    for s in 0..<S where cursor[s] < programs[s].count {
                        switch programs[s][cursor[s]] {
                        case .forward(let m):
                            guard s == 0 || fwd[s - 1][m] != nil else { continue }
                            fwd[s][m] = g.addTask(
                                TaskDescriptor(unit: units[s], kind: .forward, cycles: 10),
                                after: s > 0 ? [(fwd[s - 1][m]!, .data)] : [])
                        case .backward(let m):
                            let upstream = s == S - 1 ? fwd[s][m] : bwd[s + 1][m]
                            guard let u = upstream, fwd[s][m] != nil else { continue }
                            bwd[s][m] = g.addTask(
                                TaskDescriptor(unit: units[s], kind: .backward, cycles: 10), after: [(u, .data)])
                        }
                        cursor[s] += 1; left -= 1
                    }
                }
                let r = try Engine(graph: g).run()
                XCTAssertEqual(r.cycles, (M + S - 1) * 20, "\(schedule) S=\(S) M=\(M)")
                for c in r.unitCycles {
                    XCTAssertEqual(
                        Double(c.starved + c.idle) / Double(r.cycles), Double(S - 1) / Double(M + S - 1),
                        accuracy: 1e-12)
                }
            }
        }
    }

    func testPipelineSchedulesStashWhatTheyMust() throws {
        // 4 stages, M = 8 micro-batches of 2 rows: stage 0 stashes (input 16 + pre-activation 12) x 2 bytes per row.
        let perMicrobatch = 2 * (16 + 12) * 2
        var peak: [BackpropSchedule: Int] = [:]
        for schedule in BackpropSchedule.allCases where schedule != .serial {
            var s = try spec(.bp, net: "mlp:16-12-12-12-8", batch: 16, copies: [])
            s.schedule = schedule; s.microbatches = 8
            let r = try Simulator.run(s, on: model())
            XCTAssertTrue(r.report.work.conserved)
            peak[schedule] = r.report.memory.buffers.first { $0.name == "stage0.inputs" }!.peakDemandBytes
        }
        // GPipe: every micro-batch's forward before any backward; 1F1B: S - 0 = 4 micro-batches in flight at stage 0.
        // The same buffer also receives the deltas of the micro-batches being backpropagated (hand-offs of 2 rows x 12
        // values x 2 bytes), less than one micro-batch's stash.
        XCTAssertEqual(peak[.gpipe]! / perMicrobatch, 8)
        XCTAssertEqual(peak[.oneFOneB]! / perMicrobatch, 4)
        XCTAssertEqual(peak[.gpipe]! - peak[.oneFOneB]!, 4 * perMicrobatch)
    }

    func testAllLayerInjectionExecutesKForwardsPlusTheOuterProducts() throws {
        // mlp:16-12-8, B = 4, K = 6 (antithetic: 3 noise draws per sample per layer), one lane or three.
        let B = 4, K = 6
        let forward = B * (16 * 12 + 12 * 8)
        let outer = B * (16 * 12 + 12 * 8)  // the weight-gradient GEMMs reduce over the same rows
        let reduction = B * (12 + 8)  // (L - L0) x noise per row and neuron (LR multiplies)
        for R in [1, 3] {
            var s = try spec(.lr, batch: B, copies: [K])
            s.injection = .allLayers
            let r = try Simulator.run(s, on: model(replicas: R))
            XCTAssertTrue(r.report.work.conserved)
            XCTAssertEqual(r.engine.executed.macs, forward + K * forward + K * outer + K * reduction, "R=\(R)")
            XCTAssertEqual(r.engine.executed.noiseNumbers, K / 2 * B * (12 + 8))
            XCTAssertEqual(r.engine.executed.lossElements, (1 + K) * B * 8)
        }
        var es = try spec(.es, copies: [K]); es.injection = .allLayers
        XCTAssertThrowsError(try Simulator.run(es, on: model()))
    }

    func testWorkIsConservedAndTheSameOnEveryMachine() throws {
        for method in [EstimatorKind.lr, .alr, .es, .bp] {
            var macs: Set<Int> = []
            for (R, chips, split) in [
                (1, 1, WorkSplit.data), (2, 1, .data), (3, 1, .layer), (2, 2, .data), (1, 3, .layer),
            ] {
                var s = try spec(
                    method, net: "mlp:16-12-10-8", batch: 6, copies: method == .bp ? [] : [4], iterations: 3)
                if method == .bp { s.schedule = .oneFOneB; s.microbatches = 3 }
                let r = try Simulator.run(
                    s,
                    on: model(
                        replicas: R, chips: chips, split: split, mode: .overlapped,
                        onChip: LinkSpec(bytesPerCycle: 8, latencyCycles: 3, energyPjPerByte: 1),
                        chipToChip: LinkSpec(bytesPerCycle: 2, latencyCycles: 20, energyPjPerByte: 5)))
                XCTAssertTrue(r.report.work.conserved, "\(method) R=\(R) chips=\(chips)")
                for st in r.report.stages {
                    XCTAssertEqual(st.busy + st.starved + st.blocked + st.idle, r.report.cycles)
                }
                macs.insert(r.engine.executed.macs)
            }
            XCTAssertEqual(macs.count, 1, "\(method): \(macs)")
        }
    }

    func testStreamedEmissionMatchesEmittingEverythingFirst() throws {
        var configs: [(WorkloadSpec, HardwareModel)] = []
        for mode in PipelineMode.allCases {
            configs.append(
                (try spec(.alr, net: "mlp:16-12-10-8", batch: 6, copies: [4], iterations: 9), model(mode: mode)))
        }
        var gp = try spec(.bp, net: "mlp:16-12-10-8", batch: 6, copies: [], iterations: 7)
        gp.schedule = .gpipe; gp.microbatches = 3
        configs.append((gp, model(replicas: 2, mode: .overlapped)))
        var all = try spec(.lr, net: "mlp:16-12-10-8", batch: 6, copies: [4], iterations: 7)
        all.injection = .allLayers
        configs.append(
            (
                all,
                model(
                    replicas: 3, chips: 2, mode: .overlapped,
                    onChip: LinkSpec(bytesPerCycle: 8, latencyCycles: 3, energyPjPerByte: 1))
            ))
        for (s, hw) in configs {
            let streamed = try Simulator.run(s, on: hw)
            var builder = try WorkloadBuilder(spec: s, hardware: hw)
            let full = try Engine(graph: try builder.build()).run()
            XCTAssertEqual(streamed.engine.cycles, full.cycles, "\(s.method) \(hw.pipeline.mode)")
            XCTAssertEqual(streamed.engine.iterationEnd, full.iterationEnd)
            XCTAssertEqual(streamed.engine.unitCycles, full.unitCycles)
        }
    }

    func testMemoryOfTheSimulatorDoesNotGrowWithIterations() throws {
        // The engine forgets finished tasks once 1024 of them are done: what it holds is bounded by that plus the
        // iterations in flight, whatever the run's length.
        let hw = model(mode: .overlapped)
        let r = try Simulator.run(try spec(.alr, net: "mlp:16-12-8", batch: 4, copies: [4], iterations: 600), on: hw)
        let perIteration = r.report.work.tasks / 600
        XCTAssertLessThanOrEqual(r.report.work.peakLiveTasks, 2 * 1024 + 8 * perIteration)
        XCTAssertLessThan(r.report.work.peakLiveTasks, r.report.work.tasks / 5)
    }
}
