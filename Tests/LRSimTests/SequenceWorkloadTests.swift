import HWModel
import LRCore
import XCTest

@testable import LRSim

/// Recurrent and spiking workloads (`rnn:` / `snn:` models): time steps as scheduled work, checked against closed
/// forms and on the shipped hardware models.
final class SequenceWorkloadTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func roomy() -> HardwareModel {
        var m = HardwareModel(name: "test")
        let big = BufferSpec(capacityBytes: 1 << 30)
        m.stageTemplate.buffers = BufferSet(
            weights: big, inputs: big, noise: big, accumulators: big,
            fifoOut: FIFOSpec(depthWords: 1 << 20))
        return m
    }

    func spec(_ model: String, _ method: EstimatorKind, copies: CopyCounts = [2], batch: Int = 2, iterations: Int = 1)
        throws -> WorkloadSpec
    {
        let s = try XCTUnwrap(try SequenceModel.parse(model))
        var w = WorkloadSpec(
            network: s.network, method: method, batch: batch, copies: method == .bp ? [] : copies,
            iterations: iterations)
        w.sequence = s
        return w
    }

    func testParse() throws {
        let r = try XCTUnwrap(try SequenceModel.parse("rnn:28x128-10"))
        XCTAssertEqual([r.inputs, r.hidden, r.classes, r.steps], [28, 128, 10, 28])
        XCTAssertEqual(r.kind, .rnn)
        let s = try XCTUnwrap(try SequenceModel.parse("snn:784-256-10xT16"))
        XCTAssertEqual([s.inputs, s.hidden, s.classes, s.steps], [784, 256, 10, 16])
        XCTAssertEqual(s.spelling, "snn:784-256-10xT16")
        XCTAssertNil(try SequenceModel.parse("mlp:784-10"))
        for bad in ["rnn:28-10", "rnn:28x0-10", "snn:784-256-10xT0", "snn:784-256", "rnn:28x128-10xT", "snn:a-b-c"] {
            XCTAssertThrowsError(try SequenceModel.parse(bad), bad)
        }
    }

    func testRNNConservationClosedForm() throws {
        // rnn:3x4-2xT5, B=2, K=2 (one antithetic pair per pass). MACs:
        //   clean forward 5*2*(3+4)*4 + 2*4*2 = 296; head copies: reduction 4*2 = 8;
        //   cell copies: recomputed cell GEMM 5 * 4*7*4 = 560, head at the last step 4*4*2 = 32, reduction 4*4*5 = 80,
        //   W_hh outer product over the trajectories 4*4*(4*5) = 320; outer products 4*2*2 = 16 (head), 3*4*(2*5) = 120.
        let lr = try Simulator.run(try spec("rnn:3x4-2xT5", .lr), on: roomy())
        XCTAssertTrue(lr.report.work.conserved)
        XCTAssertEqual(lr.engine.tasksExecuted, lr.workload.graph.taskCount)
        XCTAssertEqual(lr.engine.executed.macs, 296 + 8 + 560 + 32 + 80 + 320 + 16 + 120)
        // Noise: head 2 samples x 1 leader x 2 classes; cell 2 x 1 x 4 per step x 5 steps.
        XCTAssertEqual(lr.engine.executed.noiseNumbers, 4 + 40)
        XCTAssertEqual(lr.engine.executed.lossElements, 4 + 2 * 8)
        // BPTT: forward 296; head backward 16 + 16; cell per step 7*4*2 = 56 (x5) and dh W_hh 2*4*4 = 32 (x4).
        let bp = try Simulator.run(try spec("rnn:3x4-2xT5", .bp), on: roomy())
        XCTAssertTrue(bp.report.work.conserved)
        XCTAssertEqual(bp.engine.executed.macs, 296 + 32 + 5 * 56 + 4 * 32)
        XCTAssertEqual(bp.engine.executed.noiseNumbers + bp.engine.executed.noiseBits, 0)
    }

    func testSNNConservationClosedForm() throws {
        // snn:6-4-3xT3, B=2, K=2. Clean forward 3 * (2*6*4 + 2*4*3) = 216 MACs and 2*6*3 = 36 input-spike bits.
        // Head copies: reduction 4*3*3 = 36. Cell copies: head per step 3 * 4*4*3 = 144, reduction 4*4*3 = 48.
        // Outer products over B*T = 6 rows: 4*3*6 = 72, 6*4*6 = 144.
        let lr = try Simulator.run(try spec("snn:6-4-3xT3", .lr), on: roomy())
        XCTAssertTrue(lr.report.work.conserved)
        XCTAssertEqual(lr.engine.executed.macs, 216 + 36 + 144 + 48 + 72 + 144)
        XCTAssertEqual(lr.engine.executed.noiseNumbers, 2 * 3 * 3 + 2 * 4 * 3)
        XCTAssertEqual(lr.engine.executed.noiseBits, 36)
        // Surrogate BPTT: per step head 24 + 24, cell 48.
        let bp = try Simulator.run(try spec("snn:6-4-3xT3", .bp), on: roomy())
        XCTAssertTrue(bp.report.work.conserved)
        XCTAssertEqual(bp.engine.executed.macs, 216 + 3 * (48 + 48))
        // More time steps cost more cycles.
        let longer = try Simulator.run(try spec("snn:6-4-3xT6", .lr), on: roomy())
        XCTAssertGreaterThan(longer.report.cycles, lr.report.cycles)
    }

    func testShippedModelsRunEveryEstimatorAndMapping() throws {
        for file in ["edge.toml", "edge-temporal.toml"] {
            let hw = try HardwareModel.load(path: Self.repo.appendingPathComponent("hwmodels/\(file)").path)
            for model in ["rnn:28x32-10xT8", "snn:784-64-10xT4"] {
                for method in [EstimatorKind.lr, .alr, .bp] {
                    let r = try Simulator.run(try spec(model, method, copies: [4], batch: 4, iterations: 2), on: hw)
                    XCTAssertTrue(r.report.work.conserved, "\(file) \(model) \(method)")
                    XCTAssertEqual(r.engine.tasksExecuted, r.workload.graph.taskCount, "\(file) \(model) \(method)")
                    XCTAssertGreaterThan(r.report.cycles, 0)
                }
            }
        }
    }

    func testInvalidSequenceWorkloadsThrow() throws {
        XCTAssertThrowsError(try Simulator.run(try spec("rnn:3x4-2", .es), on: roomy()))
        XCTAssertThrowsError(try Simulator.run(try spec("rnn:3x4-2", .lr, copies: [3]), on: roomy()))
    }
}
