import LRTestSupport
import XCTest

@testable import LRTrace

final class VersionTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace-version") }
    override func tearDown() { dir.cleanup() }

    func testNewerMajorIsRefusedWithUpgradeMessage() throws {
        let newer = TraceFormatVersion(major: TraceFormatVersion.current.major + 1, minor: 2)
        let path = try Fixtures.write(dir.path("v2.lrt"), version: newer)
        let e = traceError { _ = try TraceReader(path: path) }
        XCTAssertEqual(e?.category, .unsupportedVersion)
        XCTAssertEqual(
            e?.description,
            "\(path): trace format version \(newer) is newer than this lrsim supports (max \(TraceFormatVersion.current)); upgrade lrsim"
        )
        let report = TraceVerification.verify(path: path)
        XCTAssertFalse(report.ok)
        XCTAssertEqual(report.problems, [e?.description ?? ""])
    }

    func testNewerMinorIsReadAndNoted() throws {
        let newer = TraceFormatVersion(
            major: TraceFormatVersion.current.major, minor: TraceFormatVersion.current.minor + 7)
        // A newer minor may add optional chunks: this one carries one after the steps.
        let path = try Fixtures.write(dir.path("v1-7.lrt"), steps: [0], version: newer) { w in
            try w.appendExtensionChunk(kind: ChunkKind("NOTE")!, payload: Array("from the future".utf8), optional: true)
        }
        let r = try TraceReader(path: path)
        XCTAssertEqual(r.formatVersion, newer)
        XCTAssertEqual(try r.readStep(step: 0), try Fixtures.step(0))
        let info = try TraceInfoReport(reader: r)
        XCTAssertEqual(info.formatVersion, newer.description)
        XCTAssertNotNil(info.formatNote)
        XCTAssertTrue(info.text().contains("newer than this lrsim's"))
        XCTAssertTrue(TraceVerification.verify(path: path).problems.isEmpty)
    }

    func testReadabilityPolicy() {
        let supported = TraceFormatVersion(major: 3, minor: 4)
        func check(_ major: UInt16, _ minor: UInt16) -> TraceFormatVersion.Readability {
            TraceFormatVersion(major: major, minor: minor).readability(supported: supported, oldestMajor: 2)
        }
        XCTAssertEqual(check(3, 4), .readable)
        XCTAssertEqual(check(3, 0), .readable)  // older minor
        XCTAssertEqual(check(2, 9), .readable)  // older major still supported
        XCTAssertEqual(check(3, 5), .readableNewerMinor)  // newer minor: extras skipped
        XCTAssertEqual(
            check(4, 0), .refused("trace format version 4.0 is newer than this lrsim supports (max 3.4); upgrade lrsim")
        )
        XCTAssertEqual(
            check(1, 7),
            .refused(
                "trace format version 1.7 is older than this lrsim reads (oldest 2.0); use an older lrsim to convert it"
            ))
        // Major 0 was never written: the oldest readable major today is 1.
        XCTAssertEqual(
            TraceFormatVersion(major: 0, minor: 9).readability(),
            .refused(
                "trace format version 0.9 is older than this lrsim reads (oldest 1.0); use an older lrsim to convert it"
            ))
    }

    func testOtherProducerVersionIsAcceptedAndShown() throws {
        let path = try Fixtures.write(dir.path("p.lrt"), header: Fixtures.header(producer: "lrsim 9.9.9-dev"))
        let r = try TraceReader(path: path)
        XCTAssertEqual(r.header.producer, "lrsim 9.9.9-dev")
        let text = try TraceInfoReport(reader: r).text(currentProducer: "lrsim 0.1.0")
        XCTAssertTrue(text.contains("producer:    lrsim 9.9.9-dev (this is lrsim 0.1.0; accepted)"), text)
        let report = TraceVerification.verify(path: path)
        XCTAssertTrue(report.problems.isEmpty)
        XCTAssertEqual(report.producer, "lrsim 9.9.9-dev")
    }

    func testUnknownOptionalChunkIsSkippedAndUnknownRequiredChunkIsRejected() throws {
        let optional = try Fixtures.write(dir.path("opt.lrt"), steps: [0, 5]) { w in
            try w.appendExtensionChunk(kind: ChunkKind("XTRA")!, payload: [1, 2, 3], optional: true)
        }
        let ok = TraceVerification.verify(path: optional)
        XCTAssertTrue(ok.ok, "\(ok.problems)")
        XCTAssertEqual(ok.skippedChunks.map(\.kind), ["XTRA"])
        XCTAssertEqual(try TraceReader(path: optional).readStep(step: 5), try Fixtures.step(5))

        let required = try Fixtures.write(dir.path("req.lrt"), steps: [0, 5]) { w in
            try w.appendExtensionChunk(kind: ChunkKind("MUST")!, payload: [1, 2, 3], optional: false)
        }
        let bad = TraceVerification.verify(path: required)
        XCTAssertFalse(bad.ok)
        XCTAssertEqual(bad.problems.count, 1)
        XCTAssertTrue(bad.problems[0].contains("(kind 'MUST') at byte offset"), bad.problems[0])
        XCTAssertTrue(
            bad.problems[0].hasSuffix(
                "unknown required chunk kind 'MUST' (this lrsim understands HEAD, STEP, TENS, INDX, TEND); written by a newer lrsim?"
            ), bad.problems[0])
        // Reserved kinds cannot be forged through the extension API.
        let w = try TraceWriter(path: dir.path("r.lrt"), header: Fixtures.header())
        XCTAssertEqual(
            traceError { try w.appendExtensionChunk(kind: .step, payload: [], optional: true) }?.category, .usage)
        w.cancel()
    }

    func testUnknownRequiredChunkInsideAStepStopsTheReader() throws {
        // Forge: rewrite the kind of step 0's first tensor chunk (fixing its header CRC).
        let path = try Fixtures.write(dir.path("forged.lrt"), steps: [0])
        let r = try TraceReader(path: path)
        let step = try r.chunks.readHeader(at: r.steps[0].offset, ordinal: r.steps[0].chunkIndex)
        var t = try r.chunks.readHeader(at: step.end, ordinal: step.ordinal + 1)
        t.header.kind = ChunkKind("WHAT")!
        var bytes = try Fixtures.bytes(path)
        bytes.replaceSubrange(Int(t.offset)..<Int(t.offset) + ChunkHeader.size, with: t.header.encoded())
        try Fixtures.save(bytes, path)
        XCTAssertEqual(
            traceError { _ = try TraceReader(path: path).readStep(at: 0) }?.description,
            "\(path): chunk \(t.ordinal) (kind 'WHAT', step 0) at byte offset \(t.offset): expected tensor 1 of 13 of step 0, found a 'WHAT' chunk"
        )
    }
}
