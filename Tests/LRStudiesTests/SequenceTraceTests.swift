import Foundation
import LRCore
import LRStudies
import LRTestSupport
import LRTrace
import XCTest

@testable import LRTrain

/// Traces of rnn and snn runs through the one trainer and recorder (`lrsim train --model rnn:... --trace`): what is
/// written is what the trainer used, and `trace verify`'s recomputation (`GradientRecomputation`) reproduces every
/// recorded gradient bit for bit and catches a changed one.
final class SequenceTraceTests: XCTestCase {
    static let data = "synthetic:features=784,classes=3,train=64,test=32"
    enum Arch: String { case rnn, snn }

    func config(_ arch: Arch, estimator: EstimatorKind = .lr) -> TrainingConfiguration {
        var c = TrainingConfiguration(
            estimator: EstimatorSettings(
                kind: estimator, copies: [4], sigma: [arch == .rnn ? 0.1 : 0.3],
                weightNoiseLayers: []))
        c.model = arch == .rnn ? "rnn:112x8-3xT7" : "snn:784-16-3xT4"
        c.data = Self.data; c.seed = 3; c.batch = 16; c.epochs = 2; c.learningRate = 1e-2; c.traceEvery = 3
        return c
    }

    /// Trains 2 epochs of 4 batches with a trace; returns the initial parameters and the training set.
    func traced(_ c: TrainingConfiguration, path: String) throws -> (initial: [Float], train: Dataset) {
        let (train, test) = try DatasetCatalog.load(name: Self.data, dataDir: nil, trainLimit: nil, testLimit: nil)
        let t = try Trainer(config: c, train: train, test: test)
        t.showProgress = false
        let initial = t.model.parameters
        try t.run(tracingTo: path)
        let model = try XCTUnwrap((t.model as? SequenceModelTrainer)?.model)
        XCTAssertFalse(model.capturesLosses, "capture is switched off after each step")
        return (initial, train)
    }

    /// A fresh model of `c` with its initial weights.
    func fresh(_ c: TrainingConfiguration) throws -> BatchClassifier {
        guard case .sequence(let s) = try c.modelSpec() else { throw XCTSkip("not a sequence model") }
        return try SequenceModelTrainer(s, settings: c.resolved().0.estimator, seed: c.seed).model
    }

    func testRoundTripRecordsWhatTheTrainerUsed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for (arch, spec) in [(Arch.rnn, "rnn:112x8-3xT7"), (.snn, "snn:784-16-3xT4")] {
            let c = config(arch)
            let path = dir.path("\(arch).lrt")
            let (initial, train) = try traced(c, path: path)
            let r = try TraceReader(path: path)
            XCTAssertEqual(r.header.model.spec, spec)
            XCTAssertEqual(r.header.estimator.name, "lr")
            XCTAssertEqual(r.header.estimator.copies, [4, 4])
            XCTAssertEqual(r.header.estimator.perturbedLayers, [0, 1])
            XCTAssertEqual(r.header.estimator.noiseKeyLayout, 2)
            XCTAssertEqual(r.header.estimator.seed, 3)
            XCTAssertEqual(r.header.optimizer.name, "adam")
            XCTAssertEqual(r.header.dataset.inputTransform, "u8/255")
            XCTAssertEqual(try RecordedStep.configuration(from: r.header).model, c.model)
            // 2 epochs x 4 batches: steps 0, every 3rd and the last.
            XCTAssertEqual(r.steps.map(\.step), [0, 3, 6, 7])

            // Step 0 holds the initial weights and the first batch of epoch 0, exactly.
            let s0 = try r.readStep(step: 0)
            guard case .sequence(let sequence) = try c.modelSpec() else { return XCTFail() }
            let layout = SequenceTensorLayout(sequence)
            var recordedParams = [Float](repeating: .nan, count: layout.parameterCount)
            var recordedGrad = recordedParams
            for e in layout.tensors {
                let p = try XCTUnwrap(s0.tensor(TraceNames.parameter(e.layer, e.name)))
                XCTAssertEqual(p.shape, e.shape)
                recordedParams.replaceSubrange(e.range, with: try XCTUnwrap(p.float32))
                recordedGrad.replaceSubrange(
                    e.range, with: try XCTUnwrap(s0.tensor(TraceNames.gradient(e.layer, e.name))?.float32))
            }
            XCTAssertEqual(recordedParams.map(\.bitPattern), initial.map(\.bitPattern), "\(arch)")
            let batcher = try Batcher(sampleCount: train.count, batchSize: c.batch, seed: c.seed)
            var order = [Int32](repeating: 0, count: train.count)
            order.withUnsafeMutableBufferPointer { batcher.order(epoch: 0, into: $0) }
            let rows = Array(order[batcher.range(ofBatch: 0)]).map(Int.init)
            let f = train.featureCount
            let x = rows.flatMap { train.images[$0 * f..<($0 + 1) * f] }
            let y = rows.map { train.labels[$0] }
            let input = try XCTUnwrap(s0.tensor(TraceNames.input))
            XCTAssertEqual(input.shape, [16] + layout.inputShape)
            XCTAssertEqual(input.bytes.map { Float($0) / 255 }, x)
            XCTAssertEqual(s0.tensor(TraceNames.labels)?.int32, y)

            // The recorded gradient is what an independent fresh model computes on that batch at step 0.
            let fresh = try self.fresh(c)
            fresh.capturesLosses = true
            var g = [Float](repeating: 0, count: fresh.parameters.count)
            let loss = x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    g.withUnsafeMutableBufferPointer { gp in
                        fresh.gradient(
                            .lr, x: xp.baseAddress!, labels: yp.baseAddress!, rows: 16, step: 0, into: gp.baseAddress!)
                    }
                }
            }
            XCTAssertEqual(recordedGrad.map(\.bitPattern), g.map(\.bitPattern), "\(arch)")
            XCTAssertTrue(g.contains { $0 != 0 })
            XCTAssertEqual(s0.info.scalar(TraceNames.loss), Double(loss))
            XCTAssertEqual(s0.tensor(TraceNames.cleanLosses)?.float32, fresh.capturedLosses.clean)
            for l in 0..<2 {
                let t = try XCTUnwrap(s0.tensor(TraceNames.losses(l)))
                XCTAssertEqual(t.shape, [4, 16])
                XCTAssertEqual(t.float32, fresh.capturedLosses.copies[l])
                // Perturbed losses differ from the clean ones (noise was applied).
                XCTAssertNotEqual(Array(t.float32![0..<16]), fresh.capturedLosses.clean)
            }
            // Later steps hold the updated weights (Adam moved them).
            let s3 = try r.readStep(step: 3)
            XCTAssertNotEqual(
                s3.tensor(TraceNames.parameter(0, "weight"))?.float32,
                s0.tensor(TraceNames.parameter(0, "weight"))?.float32)
        }
    }

    func testVerifyRecomputesBitForBitAndCatchesChanges() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        for (arch, est) in [(Arch.rnn, EstimatorKind.lr), (.snn, .lr), (.snn, .bp)] {
            let c = config(arch, estimator: est)
            let path = dir.path("\(arch)-\(est).lrt")
            _ = try traced(c, path: path)
            let ok = TraceVerification.verify(path: path, stepVerifier: GradientRecomputation())
            XCTAssertTrue(ok.ok, "\(arch) \(est): \(ok.problems) \(ok.recomputation.messages)")
            XCTAssertEqual(ok.recomputation.status, "passed")
            XCTAssertEqual(ok.recomputation.stepsChecked, 4)

            // One gradient value changed by one ulp, rewritten with valid checksums: only the recomputation catches it.
            let r = try TraceReader(path: path)
            let tampered = dir.path("\(arch)-\(est)-tampered.lrt")
            let w = try TraceWriter(path: tampered, header: r.header)
            for i in r.steps.indices {
                var s = try r.readStep(at: i)
                if s.info.step == 3 {
                    let k = try XCTUnwrap(s.tensors.firstIndex { $0.name == TraceNames.gradient(0, "bias") })
                    var v = try XCTUnwrap(s.tensors[k].float32)
                    v[1] = v[1].nextUp
                    s.tensors[k] = try TraceTensor(name: s.tensors[k].name, shape: s.tensors[k].shape, float32: v)
                }
                try w.appendStep(s)
            }
            try w.finish()
            let bad = TraceVerification.verify(path: tampered, stepVerifier: GradientRecomputation())
            XCTAssertFalse(bad.ok)
            XCTAssertTrue(bad.problems.isEmpty, "structure is intact: \(bad.problems)")
            XCTAssertEqual(bad.recomputation.stepsFailed, 1)

            // A flipped byte is caught by the checksums.
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x10
            let flipped = TraceVerification.verify(
                bytes: bytes, name: "flipped.lrt", stepVerifier: GradientRecomputation())
            XCTAssertFalse(flipped.ok)
            XCTAssertFalse(flipped.problems.isEmpty)
        }
    }

    func testRecomputationIsThreadCountIndependent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("snn.lrt")
        _ = try traced(config(.snn), path: path)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let report = TraceVerification.verify(path: path, stepVerifier: GradientRecomputation())
        XCTAssertTrue(report.ok, "\(report.recomputation.messages)")
        XCTAssertEqual(report.recomputation.stepsChecked, 4)
    }
}
