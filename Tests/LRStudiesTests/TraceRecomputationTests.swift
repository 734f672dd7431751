import LRCore
import LRSim
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

    /// All-layer runs and BP+ runs are traced too: the header says noise-key layout 4 (all-layers), `trace verify`
    /// recomputes their gradients from the regenerated noise, and `sim --trace` simulates the all-layer schedule.
    func testAllLayerAndNoisyBackpropTracesVerify() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var all = config(.lr, epochs: 1)
        all.estimator.injection = .allLayers
        all.estimator.noise = .laplace
        all.weightDecay = 1e-4
        var bpPlus = config(.bp, epochs: 1)
        bpPlus.trainNoise = 0.5
        for (name, c, layout) in [("all.lrt", all, 4), ("bpplus.lrt", bpPlus, 1)] {
            var c = c
            c.traceEvery = 10
            let t = try Trainer(config: c, train: Self.train, test: Self.test)
            t.showProgress = false
            try t.run(tracingTo: dir.path(name))
            let reader = try TraceReader(path: dir.path(name))
            XCTAssertEqual(reader.header.estimator.noiseKeyLayout, layout, name)
            let report = TraceVerification.verify(path: dir.path(name), stepVerifier: GradientRecomputation())
            XCTAssertTrue(report.ok, "\(name): \(report)")
        }
        XCTAssertEqual(try WorkloadSpec(trace: TraceReader(path: dir.path("all.lrt"))).injection, .allLayers)
        XCTAssertEqual(try WorkloadSpec(trace: TraceReader(path: dir.path("bpplus.lrt"))).injection, .layerwise)

        // The check has teeth: the same step recomputed with layer-wise injection differs from what was recorded.
        let reader = try TraceReader(path: dir.path("all.lrt"))
        let step = try reader.readStep(at: 0)
        let r = try RecordedStep(step: step, header: reader.header)
        var layerwise = r.config.estimator
        layerwise.injection = .layerwise
        let est = try LikelihoodRatioEstimator(
            spec: r.spec, settings: layerwise, seed: r.config.seed, maxBatch: r.batch)
        var g = [Float](repeating: 0, count: r.network.layout.count)
        try r.input.withUnsafeBufferPointer { x in
            try r.labels.withUnsafeBufferPointer { y in
                try g.withUnsafeMutableBufferPointer {
                    _ = try est.estimate(
                        network: r.network, input: x.baseAddress!, labels: y.baseAddress!, rows: r.batch, step: r.step,
                        into: $0.baseAddress!)
                }
            }
        }
        let slot = r.network.layout.slots[0]
        let recorded = try XCTUnwrap(step.tensor(TraceNames.gradient(slot.layer, "weight"))?.float32)
        XCTAssertNotEqual(Array(g[slot.weightOffset..<(slot.weightOffset + slot.weightCount)]), recorded)
    }
}
