import LRTestSupport
import XCTest

@testable import LRTrace

final class VerifyTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace-verify") }
    override func tearDown() { dir.cleanup() }

    func testCleanTraceWithoutVerifierSaysRecomputationWasNotRun() throws {
        let path = try Fixtures.write(dir.path("ok.lrt"), steps: [0, 5, 10])
        let report = TraceVerification.verify(path: path)
        XCTAssertTrue(report.ok)
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.steps, 3)
        XCTAssertEqual(report.tensors, 39)
        XCTAssertEqual(report.chunks, 1 + 3 * 14 + 2)
        XCTAssertEqual(report.fileBytes, UInt64(try Fixtures.bytes(path).count))
        XCTAssertEqual(report.recomputation.status, "not_run")
        XCTAssertTrue(report.summary.contains("gradient recomputation NOT RUN"), report.summary)
        XCTAssertFalse(report.summary.contains("passed"))
    }

    func testStepVerifierSeesEveryStepAndItsOutcomeCounts() throws {
        let path = try Fixtures.write(dir.path("v.lrt"), steps: [0, 5, 10])
        var seen: [UInt64] = []
        // A real recomputation: the recorded gradient must equal a function of the recorded weights.
        let verifier = ClosureStepVerifier(checkName: "gradient = f(weights)") { step, header in
            seen.append(step.info.step)
            XCTAssertEqual(header, Fixtures.header())
            XCTAssertEqual(step, try Fixtures.step(step.info.step))
            let ok = step.info.step != 5
            return TraceStepCheck(passed: ok, detail: ok ? "identical" : "layer0.grad.weight differs in 3 of 12 values")
        }
        let report = TraceVerification.verify(path: path, stepVerifier: verifier)
        XCTAssertEqual(seen, [0, 5, 10])
        XCTAssertFalse(report.ok)
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.recomputation.status, "failed")
        XCTAssertEqual(report.recomputation.stepsChecked, 3)
        XCTAssertEqual(report.recomputation.stepsFailed, 1)
        XCTAssertEqual(report.recomputation.messages, ["\(path): step 5: layer0.grad.weight differs in 3 of 12 values"])
        XCTAssertTrue(
            report.summary.hasPrefix("\(path): FAILED: "), "a failed recomputation fails the file: \(report.summary)")
        XCTAssertTrue(report.summary.hasSuffix("gradient = f(weights) FAILED on 1 of 3 step(s)"), report.summary)

        let passing = TraceVerification.verify(
            path: path,
            stepVerifier: ClosureStepVerifier(checkName: "noop") { _, _ in
                TraceStepCheck(passed: true, detail: "")
            })
        XCTAssertTrue(passing.ok)
        XCTAssertEqual(passing.recomputation.status, "passed")
        XCTAssertTrue(passing.summary.hasSuffix("noop passed on 3 step(s)"))
    }

    func testDamagedStepsAreNotHandedToTheVerifier() throws {
        let path = try Fixtures.write(dir.path("d.lrt"), steps: [0, 5])
        let r = try TraceReader(path: path)
        var bytes = try Fixtures.bytes(path)
        bytes[Int(r.steps[1].offset) + ChunkHeader.size + 5] ^= 1  // STEP payload of step 5
        try Fixtures.save(bytes, path)
        var seen: [UInt64] = []
        let report = TraceVerification.verify(
            path: path,
            stepVerifier: ClosureStepVerifier(checkName: "c") { s, _ in
                seen.append(s.info.step)
                return TraceStepCheck(passed: true, detail: "")
            })
        XCTAssertEqual(seen, [0])
        XCTAssertFalse(report.ok)
        XCTAssertEqual(report.recomputation.messages, ["\(path): step 5: skipped, the step is damaged"])
    }

    func testCrossReferencesAgainstTheHeaderAreChecked() throws {
        var header = Fixtures.header()
        header.configHash = "sha256:" + String(repeating: "0", count: 64)
        header.estimator.perturbedLayers = [0, 1]
        let path = dir.path("x.lrt")
        let w = try TraceWriter(path: path, header: header)
        try w.appendStep(
            TraceStep(
                info: TraceStepInfo(step: 0, epoch: 0, noiseSeed: 1, noiseStep: 0),
                tensors: [
                    try TraceTensor(name: "input", shape: [2, 4], float32: [Float](repeating: 0, count: 8)),
                    try TraceTensor(name: "labels", shape: [3], int32: [0, 1, 2]),
                    try TraceTensor(name: "layer0.weight", shape: [4, 3], float32: [Float](repeating: 0, count: 12)),
                    try TraceTensor(name: "layer2.grad.gamma", shape: [1], float32: [0]),
                    try TraceTensor(name: "layer7.bp.bias", shape: [1], float32: [0]),
                    try TraceTensor(name: "layer0.losses", shape: [3, 5], float32: [Float](repeating: 0, count: 15)),
                    try TraceTensor(name: "notes.anything", shape: [1], uint8: [1]),
                ]))
        try w.finish()
        let problems = TraceVerification.verify(path: path).problems
        let head = "\(path): chunk 0 (kind 'HEAD') at byte offset 16: "
        XCTAssertEqual(
            Array(problems.prefix(2)),
            [
                head
                    + "header: config_hash sha256:\(String(repeating: "0", count: 64)) does not match config_json (computed \(Fixtures.header().configHash))",
                head + "header: estimator: perturbed layer 1 is not a layer with parameters in model.layers",
            ])
        let expected: [(String, String)] = [
            ("labels", "labels shape [3] does not match the batch size 2 of input"),
            ("layer0.weight", "shape [4, 3] does not match layer 0's parameter 'weight' shape [3, 4] in the header"),
            ("layer2.grad.gamma", "layer 2 has no parameter 'gamma' in the header (it has [\"weight\", \"bias\"])"),
            ("layer7.bp.bias", "layer 7 is not in the header's layer table (3 layers)"),
            ("layer0.losses", "losses shape [3, 5] does not match the batch size 2 of input"),
        ]
        XCTAssertEqual(problems.count, 2 + expected.count, "\(problems)")
        for (problem, (tensor, message)) in zip(problems.dropFirst(2), expected) {
            XCTAssertTrue(problem.hasPrefix("\(path): chunk "), problem)
            XCTAssertTrue(problem.contains("(kind 'TENS', step 0, tensor '\(tensor)') at byte offset "), problem)
            XCTAssertTrue(problem.hasSuffix(": " + message), problem)
        }
    }

    func testIndexThatDisagreesWithTheStepsIsReported() throws {
        let path = try Fixtures.write(dir.path("i.lrt"), steps: [0, 5])
        let r = try TraceReader(path: path)
        let tail = UInt64(try Fixtures.bytes(path).count - Payloads.trailerChunkSize)
        let trailer = try r.chunks.readHeader(at: tail, ordinal: nil)
        let idx = try r.chunks.readHeader(
            at: try Payloads.decodeTrailer(try r.chunks.readPayload(trailer)).indexOffset, ordinal: nil)
        var entries = r.steps
        entries[1].epoch = 99
        let payload = Payloads.encodeIndex(entries)
        let h = ChunkHeader(
            kind: .index, flags: [], index: idx.header.index, step: nil, storedLength: UInt64(payload.count),
            rawLength: UInt64(payload.count), payloadCRC: Zlib.crc32(payload))
        var bytes = try Fixtures.bytes(path)
        bytes.replaceSubrange(Int(idx.offset)..<Int(idx.end), with: h.encoded() + payload)
        try Fixtures.save(bytes, path)
        XCTAssertEqual(try TraceReader(path: path).steps[1].epoch, 99)  // the reader trusts a well-formed index
        XCTAssertEqual(
            TraceVerification.verify(path: path).problems,
            [
                "\(path): chunk \(idx.ordinal) (kind 'INDX') at byte offset \(idx.offset): index (2 steps) disagrees with the steps in the file (2) from entry 1 on"
            ])
    }
}
