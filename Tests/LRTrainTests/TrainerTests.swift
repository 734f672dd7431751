import LRCore
import LRTestSupport
import LRTrace
import XCTest

@testable import LRTrain

/// The training loop end to end on a small synthetic task: learning, determinism, resume, checkpoints.
final class TrainerTests: XCTestCase {
    static let spec = SyntheticSpec(features: 32, classes: 4, trainCount: 1024, testCount: 512, separation: 4, seed: 7)
    static let train = try! SyntheticDataset.make(spec, split: .train)
    static let test = try! SyntheticDataset.make(spec, split: .test)

    func config(_ kind: EstimatorKind, epochs: Int = 2, activation: Activation = .relu) -> TrainingConfiguration {
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: kind, copies: [16], sigma: [0.1]))
        c.data = "synthetic"
        c.model = "mlp:32-24-4"
        c.activation = activation
        c.epochs = epochs
        c.batch = 32
        c.learningRate = 1e-2
        c.seed = 5
        return c
    }

    func trained(_ c: TrainingConfiguration) throws -> Trainer {
        let t = try Trainer(config: c, train: Self.train, test: Self.test)
        t.showProgress = false
        try t.run()
        return t
    }

    func testEveryEstimatorLearnsTheSyntheticTask() throws {
        let chance = 0.25
        for kind in EstimatorKind.allCases {
            let t = try trained(config(kind, epochs: 3))
            let acc = t.report.final.testAccuracy
            // Weight noise searches the 900-dimensional weight space with 16 copies: slower, but far above chance.
            let margin = kind.usesWeightNoise ? 0.2 : 0.35
            XCTAssertGreaterThan(acc, chance + margin, "\(kind): accuracy \(acc)")
            XCTAssertEqual(t.report.epochs.count, 3)
            XCTAssertLessThan(t.report.epochs[2].trainLoss, t.report.epochs[0].trainLoss, "\(kind) loss must fall")
        }
    }

    func testSameSeedGivesBitIdenticalWeightsWhateverTheThreadCount() throws {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = try trained(config(.alr)).network.parameters
        Parallel.threads = 2
        let two = try trained(config(.alr)).network.parameters
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
        var other = config(.alr); other.seed = 6
        XCTAssertNotEqual(try trained(other).network.parameters, two)
    }

    func testResumeAfterEpochOneMatchesUninterruptedRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for kind in [EstimatorKind.lr, .bp] {
            let full = try trained(config(kind, epochs: 2)).network.parameters

            var first = config(kind, epochs: 1)
            first.checkpoint = dir.path("\(kind).ckpt")
            _ = try trained(first)

            let resumed = try Trainer(config: config(kind, epochs: 2), train: Self.train, test: Self.test)
            resumed.showProgress = false
            try resumed.restore(Checkpoint.read(from: dir.path("\(kind).ckpt")))
            XCTAssertEqual(resumed.completedEpochs, 1)
            try resumed.run()
            XCTAssertEqual(resumed.network.parameters.map(\.bitPattern), full.map(\.bitPattern), "\(kind)")
            XCTAssertEqual(resumed.report.epochs.count, 2)
        }
    }

    /// Identical runs write identical checkpoints (wall-clock epoch times used to be inside), and the epoch results in
    /// them survive a round trip with their timings zeroed.
    func testIdenticalRunsWriteByteIdenticalCheckpoints() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var c = config(.alr, epochs: 2)
        c.checkpoint = dir.path("same.ckpt")
        let first = try trained(c)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path("same.ckpt")))
        _ = try trained(c)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.path("same.ckpt"))), bytes)
        let restored = try Checkpoint.read(from: dir.path("same.ckpt")).epochs
        XCTAssertEqual(restored.map(\.epoch), [1, 2])
        XCTAssertEqual(restored.map(\.testAccuracy), first.report.epochs.map(\.testAccuracy))
        XCTAssertEqual(restored.map(\.trainLoss), first.report.epochs.map(\.trainLoss))
        XCTAssertEqual(restored.map(\.seconds), [0, 0])
        XCTAssertGreaterThan(first.report.epochs[0].seconds, 0, "the report itself keeps its timings")
    }

    func testDamagedCheckpointIsRejectedWithItsPath() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var c = config(.bp, epochs: 1)
        c.checkpoint = dir.path("a.ckpt")
        _ = try trained(c)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: c.checkpoint!))
        bytes[bytes.count / 2] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: dir.path("bad.ckpt")))
        XCTAssertThrowsError(try Checkpoint.read(from: dir.path("bad.ckpt"))) { e in
            XCTAssertEqual("\(e)", "\(dir.path("bad.ckpt")): checksum mismatch (file damaged or truncated)")
        }
        try Data(bytes.prefix(10)).write(to: URL(fileURLWithPath: dir.path("short.ckpt")))
        XCTAssertThrowsError(try Checkpoint.read(from: dir.path("short.ckpt"))) { e in
            XCTAssertTrue("\(e)".hasPrefix(dir.path("short.ckpt") + ": "), "\(e)")
        }
    }

    /// Through a step activation backprop's gradient reaches only the last layer; LR's reaches every layer.
    /// K = 0 for a layer means "not trained", for the trainer as for the simulator (`CopyCounts`): its weights stay
    /// as initialised, bit for bit, the other layers learn, and the trace lists only the perturbed layers.
    func testZeroCopiesLeaveALayerUntrained() throws {
        var c = config(.lr, epochs: 1)
        c.estimator.copies = [0, 16]
        c.optimizer = .sgd
        c.momentum = 0
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let t = try Trainer(config: c, train: Self.train, test: Self.test)
        t.showProgress = false
        let initial = t.network.parameters
        try t.run(tracingTo: dir.path("k0.lrt"))
        let slots = t.network.layout.slots
        XCTAssertEqual(Array(t.network.parameters[slots[0].range]), Array(initial[slots[0].range]))
        XCTAssertNotEqual(Array(t.network.parameters[slots[1].range]), Array(initial[slots[1].range]))
        let header = try TraceReader(path: dir.path("k0.lrt")).header
        XCTAssertEqual(header.estimator.perturbedLayers, [2])
        XCTAssertEqual(header.estimator.copies, [16])
        // Every layer at 0 is refused, as are odd K with antithetic pairs.
        c.estimator.copies = [0, 0]
        XCTAssertThrowsError(try Trainer(config: c, train: Self.train, test: Self.test))
        c.estimator.copies = [3, 4]
        XCTAssertThrowsError(try Trainer(config: c, train: Self.train, test: Self.test)) { e in
            XCTAssertEqual((e as? SettingError)?.setting, "copies")
        }
    }

    func testStepActivationTrainsOnlyTheLastLayerWithBackprop() throws {
        let bed = EstimatorTestbed(model: "mlp:20-32-32-5", activation: .step)
        let bp = bed.backprop()
        let slots = bed.network.layout.slots
        XCTAssertTrue(bp[slots[0].range].allSatisfy { $0 == 0 })
        XCTAssertTrue(bp[slots[1].range].allSatisfy { $0 == 0 })
        XCTAssertGreaterThan(VectorMath.norm(Array(bp[slots[2].range])), 0)
        let lr = bed.estimate(EstimatorSettings(kind: .lr, copies: [64], sigma: [0.3]))
        for s in slots { XCTAssertGreaterThan(VectorMath.norm(Array(lr[s.range])), 0) }
    }
}
