import HWModel
import LRCore
import XCTest

@testable import LRSim

/// Builder-level properties: conservation of work against closed forms, the sequential schedule as a sum of task
/// times, memory of LR vs ALR vs backprop, determinism.
final class WorkloadTests: XCTestCase {
    /// A model with roomy buffers (nothing spills) and the given pipeline mode.
    func model(mode: PipelineMode = .layerPipelined, staleness: Int = 0, roomy: Bool = true) -> HardwareModel {
        var m = HardwareModel(name: "test")
        m.pipeline = PipelineSpec(mode: mode, staleness: staleness)
        if roomy {
            // Roomy and wide: 64 ports of 4096-bit words, so SRAM ports never bound a task (EngineHandComputedTests
            // checks port-bound timing on its own).
            let big = BufferSpec(capacityBytes: 1 << 30, readPorts: 64, writePorts: 64, wordBits: 4096)
            m.stageTemplate.buffers = BufferSet(
                weights: big, inputs: big, noise: big, accumulators: big,
                fifoOut: FIFOSpec(depthWords: 1 << 20))
        }
        return m
    }

    func spec(
        _ method: EstimatorKind, copies: CopyCounts = [4], iterations: Int = 2, batch: Int = 3,
        net: String = "mlp:8-6-4"
    ) throws -> WorkloadSpec {
        WorkloadSpec(
            network: try NetworkSpec.parse(net), method: method, batch: batch, copies: copies,
            iterations: iterations)
    }

    func testConservationLRClosedForm() throws {
        // mlp:8-6-4, B=3, K=4 per layer, antithetic, 2 iterations. Per iteration:
        //   clean forward 3*(8*6 + 6*4) = 216 MACs; copies of layer 0 through layer 1: 4*3*24 = 288;
        //   reduction over copies (LR multiplies): 4*3*6 + 4*3*4 = 120; outer products 3*8*6 + 3*6*4 = 216.
        //   noise: half of K (antithetic) x B x neurons: 2*3*6 + 2*3*4 = 60 numbers.
        //   losses: (1 clean + 8 copies) x 3 samples x 4 classes = 108 logits; 27 broadcasts.
        let r = try Simulator.run(try spec(.lr), on: model())
        XCTAssertTrue(r.report.work.conserved)
        let e = r.engine.executed
        XCTAssertEqual(e.macs, 2 * (216 + 288 + 120 + 216))
        XCTAssertEqual(e.noiseNumbers, 2 * 60)
        XCTAssertEqual(e.noiseBits, 0)
        XCTAssertEqual(e.lossElements, 2 * 108)
        XCTAssertEqual(e.broadcasts, 2 * 27)
        XCTAssertEqual(r.engine.tasksExecuted, r.workload.graph.taskCount)
        // DRAM: only the input batches (16-bit inputs s4.12 and 16-bit labels s6.10): 2 * 3 * (8*2 + 2).
        XCTAssertEqual(r.report.dram.readBytes, 2 * 3 * (8 * 2 + 2))
        XCTAssertEqual(r.report.dram.writeBytes, 0)
    }

    func testConservationALRAndBackpropClosedForm() throws {
        let alr = try Simulator.run(try spec(.alr, iterations: 1), on: model())
        // ALR: no multiplies in the reduction; its 120 sign-controlled adds, plus (L - L0) for 4 copies x 3 samples
        // of each of the 2 perturbed layers (24), plus the bias gradients 3*6 + 3*4 = 30.
        XCTAssertEqual(alr.engine.executed.macs, 216 + 288 + 216)
        XCTAssertEqual(alr.engine.executed.adds, 120 + 24 + 30)
        XCTAssertEqual(alr.engine.executed.noiseBits, 60)
        XCTAssertTrue(alr.report.work.conserved)
        // Backprop: forward 216, weight gradients 216, input gradient of layer 1 only (3*4*6 = 72).
        let bp = try Simulator.run(try spec(.bp, copies: [], iterations: 1), on: model())
        XCTAssertEqual(bp.engine.executed.macs, 216 + 216 + 72)
        XCTAssertEqual(bp.engine.executed.noiseNumbers + bp.engine.executed.noiseBits, 0)
        XCTAssertEqual(bp.engine.executed.lossElements, 12)
        XCTAssertTrue(bp.report.work.conserved)
    }

    /// In the sequential mode every task waits for the previous one, so the run is the sum of every task's time:
    /// DRAM reads (occupancy + latency), compute (or noise time), latency. Every loss broadcast is on the critical
    /// path: one more cycle of bus latency costs exactly one cycle per broadcast.
    func testSequentialScheduleIsSumOfTaskTimesAndBroadcastLatencyCounts() throws {
        var m = model(mode: .sequential)
        m.dram = DRAMSpec(bytesPerCycle: 4, latencyCycles: 7)
        let s = try spec(.lr, iterations: 1)
        let r = try Simulator.run(s, on: m)
        var builder = try WorkloadBuilder(spec: s, hardware: m)
        let tasks = try builder.build().store.tasks
        var expected = 0
        for t in tasks {
            if t.dramReadBytes > 0 { expected += (t.dramReadBytes + 3) / 4 + 7 }
            expected += max(t.cycles, t.noiseCycles) + t.latency
        }
        XCTAssertEqual(r.report.cycles, expected)
        let broadcasts = tasks.filter { $0.kind == .broadcast }.count
        XCTAssertEqual(broadcasts, 1 + 8)
        m.bus.latencyCycles += 1
        XCTAssertEqual(try Simulator.run(s, on: m).report.cycles, expected + broadcasts)
    }

    func testPipeliningHelpsAndEveryCycleIsAccounted() throws {
        let s = try spec(.alr, copies: [16], iterations: 3, batch: 8, net: "mlp:64-32-32-10")
        let seq = try Simulator.run(s, on: model(mode: .sequential))
        let pipe = try Simulator.run(s, on: model(mode: .layerPipelined))
        let over = try Simulator.run(s, on: model(mode: .overlapped, staleness: 1))
        XCTAssertLessThan(pipe.report.cycles, seq.report.cycles)
        XCTAssertLessThanOrEqual(over.report.cycles, pipe.report.cycles)
        for r in [seq, pipe, over] {
            XCTAssertTrue(r.report.work.conserved)
            for st in r.report.stages {
                XCTAssertEqual(st.busy + st.starved + st.blocked + st.idle, r.report.cycles, st.name)
            }
        }
    }

    func testMemoryNoiseWordsVersusSignBitsVersusStash() throws {
        // mlp:8-8-8, B=1: a noise block is 8 numbers: 16 bytes of s4.12 words (LR) vs 1 byte of signs (ALR).
        let lr = try Simulator.run(try spec(.lr, copies: [8], iterations: 1, batch: 1, net: "mlp:8-8-8"), on: model())
        let alr = try Simulator.run(try spec(.alr, copies: [8], iterations: 1, batch: 1, net: "mlp:8-8-8"), on: model())
        let bp = try Simulator.run(try spec(.bp, copies: [], iterations: 1, batch: 1, net: "mlp:8-8-8"), on: model())
        let lrNoise = lr.report.memory.peakDemandByRole["noise"]!,
            alrNoise = alr.report.memory.peakDemandByRole["noise"]!
        XCTAssertGreaterThan(alrNoise, 0)
        XCTAssertEqual(lrNoise, 16 * alrNoise)
        XCTAssertEqual(bp.report.memory.peakDemandByRole["noise"], 0)
        // Backprop's stash: every layer's input and pre-activation, (8 + 8) * 2 bytes per layer, both alive at once.
        XCTAssertEqual(bp.report.memory.peakDemandByRole["activations"], 2 * (8 + 8) * 2)
    }

    func testSmallSRAMSpillsAndCostsTime() throws {
        var small = model(mode: .sequential)
        small.stageTemplate.buffers.inputs = BufferSpec(capacityBytes: 16)
        let s = try spec(.lr, iterations: 1)
        let roomy = try Simulator.run(s, on: model(mode: .sequential))
        let spill = try Simulator.run(s, on: small)
        XCTAssertGreaterThan(spill.report.memory.spilledBytes, 0)
        XCTAssertGreaterThan(spill.report.dram.spillWriteBytes, 0)
        XCTAssertGreaterThan(spill.report.dram.spillReadBytes, 0)
        XCTAssertGreaterThan(spill.report.cycles, roomy.report.cycles)
        XCTAssertLessThanOrEqual(spill.report.memory.buffers.first { $0.name == "stage0.inputs" }!.peakBytes, 16)
        XCTAssertTrue(spill.report.work.conserved)
    }

    func testTemporalMappingAndConvNetwork() throws {
        var m = model()
        m.mapping = MappingSpec(kind: .temporal)
        let r = try Simulator.run(try spec(.alr, copies: [2], iterations: 1, batch: 2, net: "cnn:small"), on: m)
        XCTAssertTrue(r.report.work.conserved)
        XCTAssertEqual(r.report.stages.filter { $0.kind == "array" }.count, 1)
        let es = try Simulator.run(try spec(.es, copies: [2], iterations: 1, batch: 2, net: "mlp:8-6-4"), on: model())
        XCTAssertTrue(es.report.work.conserved)
        // ES: weight noise per leader copy (antithetic: 1 of 2) per layer: 54 + 28 parameters.
        XCTAssertEqual(es.engine.executed.noiseNumbers, 54 + 28)
    }

    func testDeterministicReports() throws {
        let s = try spec(.alr, copies: [6], iterations: 3, batch: 4, net: "mlp:16-12-10")
        var a = try Simulator.run(s, on: model(roomy: false), record: true).report
        var b = try Simulator.run(s, on: model(roomy: false), record: true).report
        a.wallSeconds = 0; a.simulatedCyclesPerSecond = 0; b.wallSeconds = 0; b.simulatedCyclesPerSecond = 0
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]
        XCTAssertEqual(try enc.encode(a), try enc.encode(b))
    }

    func testInvalidWorkloadIsOneLineError() throws {
        XCTAssertThrowsError(try Simulator.run(try spec(.lr, copies: [1, 2, 3]), on: model())) { e in
            XCTAssertEqual(
                "\(e)", "workload: copies: expected 1 or 2 comma-separated values (one per parametric layer), got 3")
        }
    }
}
