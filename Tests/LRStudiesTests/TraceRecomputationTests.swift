import LRCore
import LRStudies
import LRTestSupport
import LRTrace
import LRTrain
import XCTest

/// A trace the trainer records verifies, including the float gradient recomputed from the regenerated noise
/// (`GradientRecomputation`, which lives with the other trace -> trainer translations in LRStudies).
final class TraceRecomputationTests: XCTestCase {
    static let spec = SyntheticSpec(features: 32, classes: 4, trainCount: 1024, testCount: 512, separation: 4, seed: 7)
    static let train = try! SyntheticDataset.make(spec, split: .train)
    static let test = try! SyntheticDataset.make(spec, split: .test)

    func config(_ kind: EstimatorKind, epochs: Int) -> TrainingConfiguration {
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: kind, copies: [16], sigma: [0.1]))
        c.data = "synthetic"
        c.model = "mlp:32-24-4"
        c.epochs = epochs
        c.batch = 32
        c.learningRate = 1e-2
        c.seed = 5
        return c
    }

    func testTraceRecordsFirstEveryNthAndLastStepAndVerifies() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var c = config(.alr, epochs: 1)
        c.traceEvery = 6
        let t = try Trainer(config: c, train: Self.train, test: Self.test)
        t.showProgress = false
        let recorder = try TraceRecorder(path: dir.path("t.lrt"), config: t.config, model: t.model, dataset: Self.train)
        var steps: [Int] = []
        t.sampledStepObserver = {
            steps.append($0.step); try recorder.record($0)
        }
        try t.run()
        try recorder.finish()
        XCTAssertEqual(steps, [0, 6, 12, 18, 24, 30, 31])  // 32 steps: 0, every 6th, and the last (31)
        let report = TraceVerification.verify(path: dir.path("t.lrt"), stepVerifier: GradientRecomputation())
        XCTAssertTrue(report.ok, "\(report)")
    }
}
