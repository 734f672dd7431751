import LRTestSupport
import XCTest

@testable import LRTrace

/// CRC-valid headers that contradict themselves or their tensors are refused by the reader (so `sim` and `replay`
/// never act on them) and reported by `verify` (reliability report D9: each of these said OK).
final class HeaderConsistencyTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace-header") }
    override func tearDown() { dir.cleanup() }

    func refusal(_ edit: (inout TraceHeader) -> Void, file: StaticString = #filePath, line: UInt = #line) throws
        -> String
    {
        var h = Fixtures.header()
        edit(&h)
        h.configHash = TraceHeader.hash(ofConfig: h.configJSON)  // a forger keeps the hash valid
        let path = try Fixtures.write(dir.path("h.lrt"), header: h)
        let verified = TraceVerification.verify(path: path)
        XCTAssertFalse(verified.ok, file: file, line: line)
        let e = traceError { _ = try TraceReader(path: path) }
        XCTAssertEqual(e?.category, .malformed, file: file, line: line)
        let text = e?.description ?? ""
        let head = "\(path): chunk 0 (kind 'HEAD') at byte offset 16: header: "
        XCTAssertTrue(text.hasPrefix(head), text, file: file, line: line)
        XCTAssertEqual(verified.problems.first.map { String($0.prefix(head.count)) }, head, file: file, line: line)
        return String(text.dropFirst(head.count))
    }

    func testEveryFieldTheFormatFixesIsChecked() throws {
        XCTAssertEqual(
            try refusal { $0.estimator.name = "xx" }, "estimator: name 'xx' is not one of bp, lr, alr, es, aes")
        XCTAssertEqual(
            try refusal { $0.estimator.noiseKeyLayout = 7 },
            "estimator: noise_key_layout 7 is not one this lrsim regenerates (1, 2, 3, 4)")
        XCTAssertEqual(
            try refusal { $0.optimizer.batchSize = 1 << 40 },
            "optimizer: batch_size 1099511627776 must be in 1...1048576")
        XCTAssertEqual(
            try refusal { $0.estimator.copies = [3, 1 << 40] }, "estimator: copies 1099511627776 must be in 1...1048576"
        )
        XCTAssertEqual(try refusal { $0.configJSON = "{{{" }, "config_json is not a JSON object")
        XCTAssertEqual(try refusal { $0.model.spec = "" }, "model: spec is empty")
        XCTAssertEqual(
            try refusal { $0.dataset.inputTransform = "u8/256" },
            "dataset: input_transform 'u8/256' is not one of identity, u8/255")
        XCTAssertEqual(
            try refusal { $0.estimator.name = "bp" }, "estimator: bp perturbs no layer, but perturbed_layers is [0, 2]")
        XCTAssertEqual(try refusal { $0.traceEvery = 0 }, "trace_every 0 must be at least 1")
    }

    func testTheLayerTableMustChainAndShapeItsParameters() throws {
        XCTAssertEqual(
            try refusal { $0.model.layers[2].inputShape = [5] },
            "model.layers[2] (dense): input_shape [5] is not the previous output [3]")
        XCTAssertEqual(
            try refusal { $0.model.inputShape = [5] },
            "model.layers[0] (dense): input_shape [4] is not the previous output [5]")
        XCTAssertEqual(
            try refusal { $0.model.layers[0].parameters[0].shape = [9, 4] },
            "model.layers[0] (dense): a dense layer 4->3 has weight [3, 4] and bias [3], the table says weight [9, 4], bias [3]"
        )
        XCTAssertEqual(
            try refusal { $0.model.layers[1].outputShape = [0] },
            "model.layers[1] (relu): shapes [3] -> [0] are not valid")
    }

    func testStepsAreCheckedAgainstBatchSizeAndCopies() throws {
        var h = Fixtures.header()
        h.optimizer.batchSize = 1
        h.estimator.copies = [9, 3]
        let path = try Fixtures.write(dir.path("s.lrt"), steps: [0], header: h)
        let problems = TraceVerification.verify(path: path).problems
        XCTAssertEqual(problems.count, 2, "\(problems)")
        XCTAssertTrue(problems[0].contains("(kind 'TENS', step 0, tensor 'input') at byte offset "), problems[0])
        XCTAssertTrue(
            problems[0].hasSuffix(
                ": input holds 2 samples, but optimizer.batch_size is 1 (a batch has 1...batch_size)"), problems[0])
        XCTAssertTrue(
            problems[1].hasSuffix("losses shape [3, 2] holds 3 copies, but estimator.copies gives layer 0 9"),
            problems[1])
    }

    /// A verifier's own header problems fail the file and stop the recomputation, whose messages would only repeat them.
    func testAVerifiersHeaderProblemsFailTheFileAndNoStepIsRecomputed() throws {
        struct Picky: TraceStepVerifier {
            var checkName: String { "picky" }
            func verify(step: TraceStep, header: TraceHeader) throws -> TraceStepCheck {
                XCTFail("no step should be recomputed")
                return TraceStepCheck(passed: true, detail: "")
            }
            func check(header: TraceHeader) -> [String] {
                ["field 'model.spec' is 'mlp:4-3-2', but config_json gives 'mlp:4-9-2'"]
            }
        }
        let path = try Fixtures.write(dir.path("p.lrt"), steps: [0, 5])
        let r = TraceVerification.verify(path: path, stepVerifier: Picky())
        XCTAssertFalse(r.ok)
        XCTAssertEqual(
            r.problems,
            [
                "\(path): chunk 0 (kind 'HEAD') at byte offset 16: header: field 'model.spec' is 'mlp:4-3-2', but config_json gives 'mlp:4-9-2'"
            ])
        XCTAssertEqual(r.recomputation.status, "not_run")
        XCTAssertEqual(r.recomputation.messages, ["\(path): no step recomputed: the header is inconsistent"])
    }

    /// A verifier message that already names the step is not prefixed twice ("step 0: step 0: ...").
    func testRecomputationMessagesNameTheFileAndTheStepOnce() throws {
        let path = try Fixtures.write(dir.path("m.lrt"), steps: [0])
        struct Thrown: Error, CustomStringConvertible { var description: String { "step 0: labels missing" } }
        let r = TraceVerification.verify(
            path: path, stepVerifier: ClosureStepVerifier(checkName: "c") { _, _ in throw Thrown() })
        XCTAssertEqual(r.recomputation.messages, ["\(path): step 0: labels missing"])
        let once = TraceVerification.verify(
            path: path,
            stepVerifier: ClosureStepVerifier(checkName: "c") { _, _ in
                TraceStepCheck(passed: false, detail: "step 0: tensor 'layer0.weight' is missing")
            })
        XCTAssertEqual(once.recomputation.messages, ["\(path): step 0: tensor 'layer0.weight' is missing"])
    }
}
