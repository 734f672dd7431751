import FixedPoint
import Foundation
import HWModel
import LRCore
import LRStudies
import LRTestSupport
import LRTrace
import XCTest

@testable import LRTrain

final class DatapathTests: XCTestCase {
    func hardware(_ name: String, _ overrides: [String] = []) throws -> HardwareModel {
        try HardwareModel.load(path: DatapathFixtures.path("hwmodels/\(name)"), overrides: overrides)
    }

    /// Must-show 1: with edge-wide's accumulators every recorded step of the shipped traces is bit-exact vs GMP.
    func testWideDatapathIsBitExactOnEveryShippedStep() throws {
        let hw = try hardware("edge-wide.toml")
        for name in DatapathFixtures.shipped {
            let reader = try TraceReader(path: DatapathFixtures.path(name))
            let config = try RecordedStep.configuration(from: reader.header)
            let (resolved, spec) = try config.resolved()
            let d = try FixedPointDatapath(config: resolved, spec: spec, hardware: hw)
            XCTAssertGreaterThanOrEqual(reader.steps.count, 2)
            for entry in reader.steps {
                let r = try RecordedStep(step: try reader.readStep(step: entry.step), header: reader.header)
                let replayed = try d.replay(r, exact: true)
                for c in replayed.checks {
                    XCTAssertTrue(
                        c.bitExact,
                        "\(name) step \(entry.step) layer \(c.layer): \(c.weight.bitExactCount)/\(c.weight.count) bit-exact, max error \(c.maxAbsError)"
                    )
                    XCTAssertEqual(
                        c.maxAbsError, 0, "edge-wide's gradient format holds the exact sums: no rounding at all")
                }
            }
        }
    }

    /// The check can fail: edge's 16-bit products round (RND_CONV) and its weighted-loss register is narrower, so the LR
    /// gradient differs from the exact one, by at most what the truncation allows.
    func testNarrowDatapathIsNotBitExact() throws {
        let hw = try hardware("edge.toml")
        let reader = try TraceReader(path: DatapathFixtures.path("traces/mlp16-lr.lrt"))
        let config = try RecordedStep.configuration(from: reader.header)
        let (resolved, spec) = try config.resolved()
        let d = try FixedPointDatapath(config: resolved, spec: spec, hardware: hw)
        let r = try RecordedStep(step: try reader.readStep(step: reader.steps[0].step), header: reader.header)
        let replayed = try d.replay(r, exact: true)
        XCTAssertFalse(replayed.checks.allSatisfy(\.bitExact))
        XCTAssertGreaterThan(replayed.checks.map(\.maxAbsError).max() ?? 0, 0)
    }

    /// Must-show 3 (and a check of noise regeneration, row numbering, antithetic pairs and baselines): a 32-bit-wide
    /// datapath gives the float trainer's gradient to cosine >= 0.999 on every layer, for lr and alr, both baselines.
    func testWide32DatapathMatchesFloatTrainer() throws {
        let wide = [
            "formats.all.overflow=SAT", "formats.weights.format=s8.24", "formats.activations.format=s8.24",
            "formats.inputs.format=s8.24", "formats.noise.format=s8.24", "formats.loss.format=s8.24",
            "formats.products.format=s16.48", "formats.accumulators.format=s40.48", "formats.gradients.format=s16.48",
        ]
        let hw = try hardware("edge-wide.toml", wide)
        for name in DatapathFixtures.shipped {
            let reader = try TraceReader(path: DatapathFixtures.path(name))
            let step = try reader.readStep(step: reader.steps.last!.step)
            for baseline in [Baseline.clean, .mean] {
                var config = try RecordedStep.configuration(from: reader.header)
                config.estimator.baseline = baseline
                let (resolved, spec) = try config.resolved()
                let r = try RecordedStep(step: step, header: reader.header)
                let d = try FixedPointDatapath(config: resolved, spec: spec, hardware: hw)
                let replayed = try d.replay(r, exact: false)
                let est = try LikelihoodRatioEstimator(spec: spec, settings: resolved.estimator, seed: resolved.seed)
                var g = [Float](repeating: 0, count: r.network.layout.count)
                _ = try r.input.withUnsafeBufferPointer { x in
                    try r.labels.withUnsafeBufferPointer { y in
                        try g.withUnsafeMutableBufferPointer {
                            try est.estimate(
                                network: r.network, input: x.baseAddress!, labels: y.baseAddress!, rows: r.batch,
                                step: r.step, into: $0.baseAddress!)
                        }
                    }
                }
                for slot in r.network.layout.slots {
                    let c = VectorMath.cosine(Array(replayed.gradient[slot.range]), Array(g[slot.range]))
                    XCTAssertGreaterThan(c, 0.999, "\(name) \(baseline) layer \(slot.layer)")
                }
            }
        }
    }

    /// Must-show 2: `train --hw` (QuantizedEstimator, fixed-point SGD) and replay of its recorded steps produce
    /// bit-identical gradients and updated weights.
    func testTrainHwAndReplayAgreeBitForBit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var c = DatapathFixtures.config(.alr, optimizer: .sgd)
        c.trainLimit = 128
        c.traceEvery = 1
        c.traceBackprop = false
        c.learningRate = 2
        let path = dir.path("hw.lrt")
        let trainer = try DatapathFixtures.record(
            c, to: path, datapath: TrainingDatapath(hardware: hardware("edge-wide.toml")))
        let reader = try TraceReader(path: path)
        XCTAssertEqual(reader.steps.count, 4)
        let hw = try hardware("edge-wide.toml")
        let (resolved, spec) = try c.resolved()
        let d = try FixedPointDatapath(config: resolved, spec: spec, hardware: hw)
        var previousUpdate: [Float]? = nil
        var changed = 0
        for entry in reader.steps {
            let s = try reader.readStep(step: entry.step)
            let r = try RecordedStep(step: s, header: reader.header)
            if let previousUpdate {
                XCTAssertEqual(
                    previousUpdate.map(\.bitPattern), r.network.parameters.map(\.bitPattern),
                    "step \(entry.step): the weights train --hw used are replay's update of the step before")
            }
            let replayed = try d.replay(r, exact: false)
            // `trace verify` recomputes a train --hw step through the datapath of the model stored in the header.
            let check = try GradientRecomputation().verify(step: s, header: reader.header)
            XCTAssertTrue(check.passed, check.detail)
            for slot in r.network.layout.slots {
                let recorded =
                    (s.tensor(TraceNames.gradient(slot.layer, "weight"))?.float32 ?? [])
                    + (s.tensor(TraceNames.gradient(slot.layer, "bias"))?.float32 ?? [])
                XCTAssertEqual(Array(replayed.gradient[slot.range]).map(\.bitPattern), recorded.map(\.bitPattern))
            }
            let next = d.dequantizeParameters(try XCTUnwrap(replayed.updatedWeights))
            changed += zip(next, r.network.parameters).filter { $0 != $1 }.count
            previousUpdate = next
        }
        XCTAssertEqual(previousUpdate, trainer.network.parameters, "the last update equals the trainer's final weights")
        XCTAssertGreaterThan(changed, 100, "the fixed-point update moves weights")
    }

    /// `train --hw` reports what the hardware computes: the test accuracy of the fixed-point forward on the weights the
    /// datapath holds after the last update (recomputed here independently), with the float forward kept beside it.
    func testTrainHwReportsTheFixedPointForwardAccuracy() throws {
        var c = DatapathFixtures.config(.alr, optimizer: .sgd)
        c.trainLimit = 128
        c.learningRate = 2
        let (train, test) = try DatapathFixtures.datasets(c)
        let trainer = try Trainer(
            config: c, train: train, test: test, datapath: TrainingDatapath(hardware: hardware("edge.toml")))
        trainer.showProgress = false
        let report = try trainer.run()
        let epoch = try XCTUnwrap(report.epochs.last)
        let floatAccuracy = try XCTUnwrap(epoch.floatForwardAccuracy)
        XCTAssertEqual(floatAccuracy, trainer.evaluate().accuracy)
        let (resolved, spec) = try c.resolved()
        let d = try FixedPointDatapath(config: resolved, spec: spec, hardware: try hardware("edge.toml"))
        let w = try d.quantizeParameters(
            trainer.network.parameters, step: trainer.completedEpochs * trainer.stepsPerEpoch)
        XCTAssertEqual(epoch.testAccuracy, try d.accuracy(weights: w, images: test.images, labels: test.labels))
        XCTAssertEqual(report.final.testAccuracy, epoch.testAccuracy)
    }

    /// Hand-computed forward: one dense layer 2 -> 2, formats s4.4 / s2.6, relu, checked value by value.
    func testDenseForwardByHand() throws {
        let spec = try NetworkSpec.parse("mlp:2-2", activation: .relu)
        let s44 = FixedConfig(try FixedFormat.parse("s4.4"), rounding: .roundHalfToEven, overflow: .saturate)
        let s26 = FixedConfig(try FixedFormat.parse("s2.6"), rounding: .roundHalfToEven, overflow: .saturate)
        let wide = FixedConfig(try FixedFormat.parse("s32.32"), rounding: .truncate, overflow: .wrap)
        let f = DatapathFormats(
            weights: s26, activations: s44, inputs: s44, noise: s44, loss: s44, products: wide,
            accumulators: wide, gradients: wide, updates: s26)
        let settings = try EstimatorSettings(kind: .lr, copies: [2], sigma: [0.5]).resolved(spec: spec)
        let d = try FixedPointDatapath(formats: f, spec: spec, settings: settings, seed: 1)
        // W = [[0.5, -0.25], [1.0, 0.75]], b = [0.125, -1]; x = [1.5, 0.3] -> x_q = [1.5, 0.3125]
        let w = try d.quantizeParameters([0.5, -0.25, 1.0, 0.75, 0.125, -1], step: 0)
        XCTAssertEqual(w, [32, -16, 64, 48, 8, -64])
        let x = try FixedKernels.quantize([1.5, 0.3], config: s44)
        XCTAssertEqual(x, [24, 5])
        let out = try d.forward(from: 0, input: x, rows: 1, weights: w, step: 0, site: 0, keep: true)
        // acc0 = 0.125 + 0.75 - 0.078125 = 0.796875 -> s4.4: 12.75 ulps -> 13; acc1 = -1 + 1.5 + 0.234375 = 0.734375 -> 11.75 -> 12
        XCTAssertEqual(out.accumulators[0]?.map { Double($0) / 4294967296 }, [0.796875, 0.734375])
        XCTAssertEqual(out.output, [13, 12])
    }

    func testUnsupportedModelsGiveOneLineErrors() throws {
        let hw = try hardware("edge.toml")
        var c = DatapathFixtures.config(.alr, optimizer: .adam)
        c.model = "cnn:small"
        let (resolved, spec) = try c.resolved()
        XCTAssertThrowsError(try FixedPointDatapath(config: resolved, spec: spec, hardware: hw)) { e in
            XCTAssertTrue("\(e)".contains("supports dense, activation and flatten layers"), "\(e)")
        }
        c = DatapathFixtures.config(.es, optimizer: .adam)
        let (r2, s2) = try c.resolved()
        XCTAssertThrowsError(try FixedPointDatapath(config: r2, spec: s2, hardware: hw)) { e in
            XCTAssertTrue("\(e)".contains("lr and alr"), "\(e)")
        }
    }
}
