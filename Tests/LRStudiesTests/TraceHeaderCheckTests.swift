import Foundation
import LRCore
import LRStudies
import LRTestSupport
import LRTrace
import XCTest

@testable import LRTrain

/// A trainer trace's header must say what its config_json says (reliability report D9: `spec` mlp:784-99-10 over a
/// 784-32-10 run, `batch_size` 99 over batches of 32, `copies` 9 over 4 were simulated and verified as if true).
final class TraceHeaderCheckTests: XCTestCase {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("traces/mlp16-lr.lrt").path

    func header() throws -> TraceHeader { try TraceReader(path: Self.shipped).header }

    func testARealTraceAgreesWithItsConfiguration() throws {
        XCTAssertEqual(TraceHeaderCheck.problems(try header()), [])
        XCTAssertNoThrow(try TraceHeaderCheck.validate(try header(), file: "t.lrt"))
    }

    func testEachEditedFieldIsNamedWithBothValues() throws {
        let h = try header()
        func problems(_ edit: (inout TraceHeader) -> Void) -> [String] {
            var e = h
            edit(&e)
            return TraceHeaderCheck.problems(e)
        }
        XCTAssertEqual(
            problems { $0.model.spec = "mlp:784-99-10" },
            ["field 'model.spec' is 'mlp:784-99-10', but config_json gives 'mlp:784-16-10'"])
        XCTAssertEqual(
            problems { $0.optimizer.batchSize = 99 }, ["field 'optimizer.batch_size' is 99, but config_json gives 32"])
        XCTAssertEqual(
            problems { $0.estimator.copies = [9, 9] },
            ["field 'estimator.copies' is [9, 9], but config_json gives [8, 8]"])
        XCTAssertEqual(
            problems { $0.estimator.name = "alr" }, ["field 'estimator.name' is 'alr', but config_json gives 'lr'"])
        XCTAssertEqual(problems { $0.estimator.seed = 2 }, ["field 'estimator.seed' is 2, but config_json gives 1"])
        XCTAssertEqual(problems { $0.traceEvery = 5 }, ["field 'trace_every' is 5, but config_json gives 32"])
        // config_json's model edited (its hash kept valid): the spec and the layer table both contradict it.
        XCTAssertEqual(
            problems { $0.configJSON = $0.configJSON.replacingOccurrences(of: "mlp:784-16-10", with: "mlp:784-64-10") },
            [
                "field 'model.spec' is 'mlp:784-16-10', but config_json gives 'mlp:784-64-10'",
                "field 'model.layers[0]' is dense [784] -> [16] (weight [16, 784], bias [16]), but config_json's model mlp:784-64-10 has dense [784] -> [64] (weight [64, 784], bias [64])",
            ])
        XCTAssertEqual(
            problems { $0.configJSON = "{}" },
            ["config_json is not an lrsim training configuration, though lrsim 0.1.0 wrote the trace"])
        var other = h
        other.producer = "another tool"
        other.configJSON = "{}"
        XCTAssertEqual(TraceHeaderCheck.problems(other), [], "nothing to compare in another producer's trace")
        var bad = h
        bad.optimizer.batchSize = 99
        XCTAssertThrowsError(try TraceHeaderCheck.validate(bad, file: "f3.lrt")) {
            XCTAssertEqual("\($0)", "f3.lrt: header: field 'optimizer.batch_size' is 99, but config_json gives 32")
        }
    }

    func testSequenceHeadersAreCheckedAgainstTheirConfiguration() throws {
        var c = TrainingConfiguration(
            estimator: EstimatorSettings(kind: .lr, copies: [4], sigma: [0.1], weightNoiseLayers: []))
        c.model = "rnn:112x8-3xT7"
        c.data = "synthetic:features=784,classes=3,train=64,test=32"
        c.seed = 3; c.batch = 16; c.epochs = 2; c.learningRate = 1e-2; c.traceEvery = 3
        let (resolved, _) = try c.resolved()
        let dataset = TraceDataset(
            name: "synthetic", split: "train", samples: 64, digest: "fnv1a64:0", inputTransform: "identity")
        let layout = try TrainableModels.build(resolved, datapath: nil).traceLayout
        var h = TraceRecorder.header(config: resolved, layout: layout, dataset: dataset, notes: [:])
        XCTAssertEqual(TraceHeaderCheck.problems(h), [])
        h.model.spec = "rnn:112x9-3xT7"
        h.estimator.copies = [4, 6]
        XCTAssertEqual(
            TraceHeaderCheck.problems(h),
            [
                "field 'model.spec' is 'rnn:112x9-3xT7', but config_json gives 'rnn:112x8-3xT7'",
                "field 'estimator.copies' is [4, 6], but config_json gives [4, 4]",
            ])
    }

    /// The shipped trace rewritten with one header field changed: `trace verify`'s recomputation check fails the file on
    /// the header and recomputes no step.
    func testVerifyFailsAForgedTraceOnItsHeader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let reader = try TraceReader(path: Self.shipped)
        var h = reader.header
        h.model.spec = "mlp:784-99-10"
        let path = dir.path("forged.lrt")
        let w = try TraceWriter(path: path, header: h)
        for i in reader.steps.indices { try w.appendStep(try reader.readStep(at: i)) }
        try w.finish()
        let r = TraceVerification.verify(path: path, stepVerifier: GradientRecomputation())
        XCTAssertFalse(r.ok)
        XCTAssertEqual(
            r.problems,
            [
                "\(path): chunk 0 (kind 'HEAD') at byte offset 16: header: field 'model.spec' is 'mlp:784-99-10', but config_json gives 'mlp:784-16-10'"
            ])
        XCTAssertEqual(r.recomputation.stepsChecked, 0)
    }

    /// NaN in a recorded gradient is reported as such, not with statistics that read as agreement
    /// ("max relative 0.00e+00, min layer cosine 1.0000000").
    func testNonFiniteGradientValuesAreReportedAsSuch() throws {
        let reader = try TraceReader(path: Self.shipped)
        let step = try reader.readStep(at: 0)
        let tensors = try step.tensors.map { t -> TraceTensor in
            guard t.name == TraceNames.gradient(0, "weight"), var v = t.float32 else { return t }
            for i in 0..<100 { v[i] = .nan }
            return try TraceTensor(name: t.name, shape: t.shape, float32: v)
        }
        let check = try GradientRecomputation().verify(
            step: TraceStep(info: step.info, tensors: tensors), header: reader.header)
        XCTAssertFalse(check.passed)
        // (The other differences, if any, come from this machine's BLAS kernels; the shipped trace notes its own.)
        XCTAssertTrue(
            check.detail.contains(" of 12730 gradient values differ, 100 of them not finite (NaN or infinite)"),
            check.detail)
    }
}
