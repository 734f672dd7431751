import LRCore
import XCTest

@testable import LRTrain

/// A network whose layers are each valid but whose total cannot fit is refused before allocation, naming the size
/// and the limit (reliability report D4: `mlp:784-1048576-1048576-10` trapped asking for 4.4 TB).
final class TrainingMemoryTests: XCTestCase {
    func config(
        _ kind: EstimatorKind, model: String, batch: Int = 2, copies: Int = 4,
        optimizer: OptimizerKind = .adam
    ) -> TrainingConfiguration {
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: kind, copies: [copies], sigma: [0.1]))
        c.model = model; c.batch = batch; c.optimizer = optimizer
        return c
    }

    func memory(_ c: TrainingConfiguration) throws -> TrainingMemory {
        let (resolved, spec) = try c.resolved()
        return TrainingMemory(spec: spec, config: resolved)
    }

    /// mlp:4-3-2: 4*3+3 + 3*2+2 = 23 parameters; per sample 3 + 3 (relu) + 2 = 8 activation floats.
    func testTheEstimateCountsArraysAndActivationsByHand() throws {
        let bp = try memory(config(.bp, model: "mlp:4-3-2"))
        XCTAssertEqual(bp.parameters, 23)
        XCTAssertEqual(bp.parameterArrays, 5, "weights, gradient, check gradient, two Adam moments")
        XCTAssertEqual(bp.activationFloats, 3 * 2 * 8)
        XCTAssertEqual(bp.bytes, 4 * (23 * 5 + 48))
        XCTAssertEqual(try memory(config(.bp, model: "mlp:4-3-2", optimizer: .sgd)).parameterArrays, 4)
        XCTAssertEqual(
            try memory(config(.es, model: "mlp:4-3-2")).parameterArrays, 7, "plus a perturbed copy and draws")
        // LR: both samples' 4 copies fit the 2^23-float chunk: 2 buffers x 2 rows x 4 copies x 8 floats more.
        XCTAssertEqual(try memory(config(.lr, model: "mlp:4-3-2")).activationFloats, 48 + 2 * 2 * 4 * 8)
        // Wider than the chunk budget: one sample's copies at a time (784-1048576-10, K 32: 2^23 / (32 * 2^20) < 1).
        let wide = try memory(config(.lr, model: "mlp:784-1048576-10", batch: 128, copies: 32))
        let perSample = 2.0 * 1_048_576 + 10
        XCTAssertEqual(wide.activationFloats, 3 * 128 * perSample + 2 * 1 * 32 * perSample)
        // cnn:small's first conv (1->16, 3x3, pad 1, 28x28): output 16*784, im2col 784*9, pre-pool buffer 784*16.
        let cnn = try memory(config(.bp, model: "cnn:small", batch: 1))
        XCTAssertGreaterThan(cnn.activationFloats, 3 * Double(16 * 784 + 784 * 9 + 784 * 16))
    }

    func testTooLargeIsOneLineNamingSizeAndLimit() throws {
        let m = try memory(config(.lr, model: "mlp:4-3-2"))
        XCTAssertEqual(m.bytes, 4 * (23 * 5 + 48 + 128))
        XCTAssertNoThrow(try m.check(model: "mlp:4-3-2", batch: 2, limit: .init(bytes: 1164, source: "test memory")))
        XCTAssertThrowsError(
            try m.check(model: "mlp:4-3-2", batch: 2, limit: .init(bytes: 1163, source: "test memory"))
        ) {
            XCTAssertEqual(
                "\($0)",
                "--model mlp:4-3-2 with --batch 2: training needs at least 1.2 KB (23 parameters x 5 arrays for weights, gradients and optimizer state, plus activations), more than the 1.2 KB of test memory"
            )
        }
    }

    /// 1.1e12 parameters (22 TB with gradients and moments) are refused by `Trainer.init`, before any allocation.
    func testTheTrainerRefusesAHugeNetworkInsteadOfTrapping() throws {
        let spec = SyntheticSpec(features: 784, classes: 10, trainCount: 8, testCount: 4)
        let train = try SyntheticDataset.make(spec, split: .train), test = try SyntheticDataset.make(spec, split: .test)
        var c = config(.lr, model: "mlp:784-1048576-1048576-10", batch: 8)
        c.data = "synthetic"
        XCTAssertThrowsError(try Trainer(config: c, train: train, test: test)) { error in
            let text = "\(error)"
            XCTAssertTrue(
                text.hasPrefix(
                    "--model mlp:784-1048576-1048576-10 with --batch 8: training needs at least 22.0 TB (1.1e+12 parameters"
                ), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }
}
