import HWModel
import LRCore
import XCTest

@testable import LRSim

/// Graph convolutional workloads (`gnn:` models): aggregation by `A_hat` as scheduled work, checked against closed
/// forms and on the shipped hardware models.
final class GraphWorkloadTests: XCTestCase {
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

    func spec(
        _ model: String, _ method: EstimatorKind, copies: CopyCounts = [2], batch: Int? = nil, iterations: Int = 1
    ) throws -> WorkloadSpec {
        let g = try XCTUnwrap(try GraphModel.parse(model))
        var w = WorkloadSpec(
            network: g.network, method: method, batch: batch ?? g.nodes, copies: method == .bp ? [] : copies,
            iterations: iterations)
        w.graph = g
        return w
    }

    func testParse() throws {
        let g = try XCTUnwrap(try GraphModel.parse("gnn:1000-32-64-5e3540"))
        XCTAssertEqual([g.nodes, g.features, g.hidden, g.classes, g.edges], [1000, 32, 64, 5, 3540])
        XCTAssertEqual(g.nonZeros, 1000 + 7080)
        XCTAssertEqual(g.spelling, "gnn:1000-32-64-5e3540")
        // Default: 2N edges (mean degree 4).
        XCTAssertEqual(try XCTUnwrap(try GraphModel.parse("gnn:10-3-4-2")).edges, 20)
        XCTAssertEqual(try XCTUnwrap(try GraphModel.parse("gnn:4-3-2-2e0")).nonZeros, 4)
        XCTAssertNil(try GraphModel.parse("mlp:784-10"))
        // 4 nodes have at most 6 edges.
        for bad in [
            "gnn:4-3-2", "gnn:4-3-2-2e", "gnn:4-3-0-2", "gnn:4-3-2-2e7", "gnn:4-3-2-2ex", "gnn:4-3-2-2-1",
            "gnn:a-b-c-d",
            "gnn:4-3-2-2e-1",
        ] {
            XCTAssertThrowsError(try GraphModel.parse(bad), bad) { e in
                XCTAssertFalse("\(e)".contains("\n"), bad)
                XCTAssertTrue("\(e)".contains("gnn:N-F-H-C"), bad)
            }
        }
    }

    func testLRClosedForm() throws {
        // gnn:4-3-2-2e3: N = B = 4, F = 3, H = 2, C = 2, nnz(A_hat) = 4 + 2*3 = 10; K = 2 (one antithetic pair),
        // one copy per pass.
        // Clean forward: layer 0 aggregation 10*3 = 30 + GEMM 4*3*2 = 24; layer 1 aggregation 10*2 = 20 + GEMM 4*2*2 = 16.
        // Head (p = 1): reduction 4*2 = 8 MACs per copy. Cell (p = 0): per copy layer 1 again (20 + 16) and the
        // reduction 4*2 = 8. Outer products: 2*2*4 = 16 (head), 3*2*4 = 24 (layer 0).
        let lr = try Simulator.run(try spec("gnn:4-3-2-2e3", .lr), on: roomy())
        XCTAssertTrue(lr.report.work.conserved)
        XCTAssertEqual(lr.engine.tasksExecuted, lr.workload.graph.taskCount)
        XCTAssertEqual(lr.engine.executed.macs, (30 + 24 + 20 + 16) + 2 * 8 + 2 * (20 + 16 + 8) + 16 + 24)
        // Adds: baselines 4 per copy (4 copies); layer 0's credit sums loss changes over A_hat's support, 10 per copy;
        // bias gradients 4*2 per layer.
        XCTAssertEqual(lr.engine.executed.adds, 4 * 4 + 2 * 10 + 8 + 8)
        // Noise: one leader per pair: N*C = 8 at the head, N*H = 8 at layer 0.
        XCTAssertEqual(lr.engine.executed.noiseNumbers, 8 + 8)
        XCTAssertEqual(lr.engine.executed.noiseBits, 0)
        // Loss unit: N*C = 8 for the clean pass and for each of the 4 copies; broadcasts N per pass.
        XCTAssertEqual(lr.engine.executed.lossElements, 5 * 8)
        XCTAssertEqual(lr.engine.executed.broadcasts, 5 * 4)
        // Vector ops: clean 4*(2+2) + 4*2; noise add 8 per head copy, 4*(2+2) per layer-0 copy plus its head pass 8;
        // updates 3*2+2 + 2*2+2 = 14.
        XCTAssertEqual(lr.engine.executed.vectorOps, 24 + 2 * 8 + 2 * (16 + 8) + 14)

        // ALR: the 2*8 + 2*8 = 32 reduction MACs become sign-controlled adds, the noise sign bits.
        let alr = try Simulator.run(try spec("gnn:4-3-2-2e3", .alr), on: roomy())
        XCTAssertTrue(alr.report.work.conserved)
        XCTAssertEqual(alr.engine.executed.macs, lr.engine.executed.macs - 32)
        XCTAssertEqual(alr.engine.executed.adds, lr.engine.executed.adds + 32)
        XCTAssertEqual(alr.engine.executed.noiseBits, 16)
        XCTAssertEqual(alr.engine.executed.noiseNumbers, 0)
    }

    func testBackpropClosedForm() throws {
        // Forward 90 MACs; layer 1 backward: dW2 2*2*4 = 16, dQ = dZ W2 4*2*2 = 16, dH = A_hat dQ 10*2 = 20;
        // layer 0: dW1 3*2*4 = 24 (no input gradient).
        let bp = try Simulator.run(try spec("gnn:4-3-2-2e3", .bp), on: roomy())
        XCTAssertTrue(bp.report.work.conserved)
        XCTAssertEqual(bp.engine.executed.macs, 90 + 16 + 16 + 20 + 24)
        XCTAssertEqual(bp.engine.executed.noiseNumbers + bp.engine.executed.noiseBits, 0)
        XCTAssertEqual(bp.engine.executed.lossElements, 8)
        // Bias gradients 4*2 per layer; vector ops: forward 24, relu derivative 4*2, updates 14.
        XCTAssertEqual(bp.engine.executed.adds, 16)
        XCTAssertEqual(bp.engine.executed.vectorOps, 24 + 8 + 14)
    }

    func testEdgesCostAggregationAndAdjacencyTraffic() throws {
        // Without edges A_hat = I: nnz 4, so every aggregation shrinks by 6 x width.
        let with = try Simulator.run(try spec("gnn:4-3-2-2e3", .lr), on: roomy())
        let without = try Simulator.run(try spec("gnn:4-3-2-2e0", .lr), on: roomy())
        XCTAssertTrue(without.report.work.conserved)
        // Clean 6*3 + 6*2, layer-0 copies 2 * 6*2; credit adds 2 * 6.
        XCTAssertEqual(with.engine.executed.macs - without.engine.executed.macs, 18 + 12 + 24)
        XCTAssertEqual(with.engine.executed.adds - without.engine.executed.adds, 12)
        // The batch load carries A_hat in CSR: per non-zero a 4-byte column index and a weight-format value.
        let w = (roomy().formats.weights.totalBits + 7) / 8
        func load(_ r: SimulationResult) -> Int { r.engine.dramReadBytes - r.engine.spillReadBytes }  // only loads read DRAM here
        XCTAssertEqual(load(with) - load(without), 6 * (4 + w))
        XCTAssertEqual(
            load(without),
            4 * (3 * ((roomy().formats.inputs.totalBits + 7) / 8) + (roomy().formats.loss.totalBits + 7) / 8)
                + 5 * 4 + 4 * (4 + w))
        XCTAssertGreaterThan(with.report.cycles, without.report.cycles)
    }

    func testShippedModelsRunEveryEstimatorAndMapping() throws {
        for file in ["edge.toml", "edge-temporal.toml"] {
            let hw = try HardwareModel.load(path: Self.repo.appendingPathComponent("hwmodels/\(file)").path)
            for method in [EstimatorKind.lr, .alr, .bp] {
                let r = try Simulator.run(try spec("gnn:64-8-16-4e128", method, copies: [4], iterations: 2), on: hw)
                XCTAssertTrue(r.report.work.conserved, "\(file) \(method)")
                XCTAssertEqual(r.engine.tasksExecuted, r.workload.graph.taskCount, "\(file) \(method)")
                XCTAssertGreaterThan(r.report.cycles, 0)
                // Two iterations: twice one iteration's aggregation at least (clean forward: nnz 320 x (8 + 16)).
                XCTAssertGreaterThanOrEqual(r.engine.executed.macs, 2 * (320 * 24 + 64 * 8 * 16 + 64 * 16 * 4))
            }
        }
    }

    func testInvalidGraphWorkloadsThrow() throws {
        XCTAssertThrowsError(try Simulator.run(try spec("gnn:4-3-2-2e3", .es), on: roomy())) { e in
            XCTAssertTrue("\(e)".contains("lr, alr and bp"))
        }
        XCTAssertThrowsError(try Simulator.run(try spec("gnn:4-3-2-2e3", .lr, batch: 2), on: roomy())) { e in
            XCTAssertTrue("\(e)".contains("full graph"))
        }
    }
}
