import LRCore
import LRTestSupport
import XCTest

@testable import LRTrain

/// CRC-valid checkpoints whose fields are out of range are refused, naming the checkpoint and the field (reliability
/// report D14: epoch -1 trained an extra epoch, epoch 99 trained nothing, NaN weights or a negative Adam step count
/// surfaced as "training diverged").
final class CheckpointValidationTests: XCTestCase {
    static let spec = SyntheticSpec(features: 8, classes: 3, trainCount: 64, testCount: 32, separation: 4, seed: 3)
    static let train = try! SyntheticDataset.make(spec, split: .train)
    static let test = try! SyntheticDataset.make(spec, split: .test)

    func config(_ optimizer: OptimizerKind = .adam) -> TrainingConfiguration {
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: .lr, copies: [4], sigma: [0.1]))
        c.data = "synthetic"; c.model = "mlp:8-6-3"; c.epochs = 2; c.batch = 16; c.seed = 1; c.optimizer = optimizer
        return c
    }

    /// The checkpoint after one of two epochs.
    func checkpoint(_ optimizer: OptimizerKind = .adam) throws -> Checkpoint {
        var c = config(optimizer)
        c.epochs = 1
        let t = try Trainer(config: c, train: Self.train, test: Self.test)
        t.showProgress = false
        try t.run()
        var k = t.checkpoint()
        k.config.epochs = 2
        return k
    }

    /// Writes `k` (CRC and all, as a forger would) and returns the error reading it gives.
    func readError(_ k: Checkpoint, _ dir: TemporaryDirectory) throws -> String? {
        let path = dir.path("forged.ckpt")
        try k.write(to: path)
        do { _ = try Checkpoint.read(from: path); return nil } catch { return "\(error)" }
    }

    func testEveryOutOfRangeFieldIsRefusedByName() throws {
        let dir = try TemporaryDirectory(prefix: "ckpt-validation")
        defer { dir.cleanup() }
        let good = try checkpoint()
        XCTAssertNil(try readError(good, dir), "the real checkpoint reads")
        XCTAssertEqual(good.epoch, 1)
        XCTAssertEqual(good.optimizerSteps, 4, "64 samples in batches of 16")
        let p = dir.path("forged.ckpt")
        var cases: [(String, (inout Checkpoint) -> Void)] = []
        cases.append(("field 'epoch': expected 0...2 (completed epochs of a 2-epoch run), got -1", { $0.epoch = -1 }))
        cases.append(("field 'epoch': expected 0...2 (completed epochs of a 2-epoch run), got 99", { $0.epoch = 99 }))
        cases.append(("field 'epochs': expected 2 records (one per completed epoch), got 1", { $0.epoch = 2 }))
        cases.append(("field 'epochs[0].epoch': expected 1, got 7", { $0.epochs[0].epoch = 7 }))
        cases.append(
            (
                "field 'optimizer_steps': expected at least 1 (one step per completed epoch or more), got -3",
                { $0.optimizerSteps = -3 }
            ))
        cases.append(
            (
                "field 'parameters': value 5 of \(good.parameters.count) is nan, expected finite numbers",
                { $0.parameters[5] = .nan }
            ))
        cases.append(
            (
                "field 'optimizer second moment': value 0 of \(good.parameters.count) is inf, expected finite numbers",
                { $0.optimizerSecond[0] = .infinity }
            ))
        cases.append(
            (
                "field 'optimizer second moment': value 2 of \(good.parameters.count) is -1.0, expected >= 0 (a mean of squares)",
                { $0.optimizerSecond[2] = -1 }
            ))
        cases.append(
            (
                "field 'optimizer': adam keeps \(good.parameters.count) + \(good.parameters.count) moment values for \(good.parameters.count) parameters, got \(good.parameters.count) + 0",
                { $0.optimizerSecond = [] }
            ))
        cases.append(
            (
                "field 'config' holds invalid settings: epochs: expected 1...100000, got 0",
                {
                    $0.config.epochs = 0; $0.epoch = 0; $0.epochs = []; $0.optimizerSteps = 0
                }
            ))
        for (message, edit) in cases {
            var k = good
            edit(&k)
            XCTAssertEqual(try readError(k, dir), "\(p): \(message)")
        }
    }

    func testOptimizerStateOfAnotherKindIsNotRestored() throws {
        var sgd = try checkpoint(.sgd)
        sgd.path = "sgd.ckpt"
        let adam = try Trainer(config: config(.adam), train: Self.train, test: Self.test)
        XCTAssertThrowsError(try adam.restore(sgd)) { error in
            // The settings check (D6) names the optimizer before the state sizes are compared.
            XCTAssertEqual(
                "\(error)",
                "sgd.ckpt: was written with other settings: optimizer sgd (now adam); resume with the settings of the run "
                    + "that wrote it")
        }
        XCTAssertEqual(adam.completedEpochs, 0)
    }
}
