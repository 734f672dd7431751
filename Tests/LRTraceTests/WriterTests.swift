import LRTestSupport
import XCTest

@testable import LRTrace

final class WriterTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace-writer") }
    override func tearDown() { dir.cleanup() }

    func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() }

    func testNothingAppearsAtTheDestinationUntilFinish() throws {
        let path = dir.path("run.lrt")
        let w = try TraceWriter(path: path, header: Fixtures.header())
        try w.appendStep(try Fixtures.step(0))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try files().count, 1)
        XCTAssertTrue(try files()[0].hasPrefix(".run.lrt.tmp-"))
        try w.finish()
        XCTAssertEqual(try files(), ["run.lrt"])
        XCTAssertEqual(w.bytesWritten, UInt64(try Fixtures.bytes(path).count))
    }

    func testAnAbandonedWriterLeavesNoFile() throws {
        let path = dir.path("gone.lrt")
        do {
            let w = try TraceWriter(path: path, header: Fixtures.header())
            try w.appendStep(try Fixtures.step(0))
        }
        XCTAssertEqual(try files(), [])
        let w = try TraceWriter(path: path, header: Fixtures.header())
        w.cancel()
        XCTAssertEqual(try files(), [])
    }

    func testFinishReplacesAnExistingFileAtomically() throws {
        let path = try Fixtures.write(dir.path("same.lrt"), steps: [0])
        try Fixtures.write(path, steps: [0, 5, 10])
        XCTAssertEqual(try TraceReader(path: path).steps.map(\.step), [0, 5, 10])
        XCTAssertEqual(try files(), ["same.lrt"])
    }

    func testMisuseIsAUsageErrorNamingTheProblem() throws {
        let w = try TraceWriter(path: dir.path("misuse.lrt"), header: Fixtures.header())
        let t = try TraceTensor(name: "x", shape: [1], float32: [1])
        XCTAssertTrue(traceError { try w.appendTensor(t) }?.problem.contains("outside a step") ?? false)
        try w.beginStep(TraceStepInfo(step: 4, epoch: 0, noiseSeed: 0, noiseStep: 4), tensorCount: 2)
        try w.appendTensor(t)
        XCTAssertEqual(traceError { try w.appendTensor(t) }?.problem, "tensor 'x' appears twice in step 4")
        XCTAssertEqual(traceError { try w.finish() }?.problem, "cannot finish: step 4 still expects 1 more tensor(s)")
        [Float](repeating: 0, count: 3).withUnsafeBufferPointer { buf in
            XCTAssertEqual(
                traceError { try w.appendTensor(name: "y", shape: [2, 2], float32: buf) }?.problem,
                "tensor 'y': shape [2, 2] of f32 needs 16 bytes, got 12")
        }
        XCTAssertEqual(
            traceError {
                try w.appendTensor(
                    name: "z", dtype: .u8, shape: [-1], data: UnsafeRawBufferPointer(start: nil, count: 0))
            }?.category, .usage)
        try w.appendTensor(TraceTensor(name: "y", shape: [1], float32: [2]))
        XCTAssertEqual(
            traceError {
                try w.beginStep(TraceStepInfo(step: 4, epoch: 0, noiseSeed: 0, noiseStep: 4), tensorCount: 0)
            }?.problem,
            "step 4 does not come after step 4; steps must be strictly increasing")
        XCTAssertEqual(
            traceError {
                try w.beginStep(
                    TraceStepInfo(
                        step: 5, epoch: 0, noiseSeed: 0, noiseStep: 5,
                        scalars: [TraceScalar("a", 1), TraceScalar("a", 2)]), tensorCount: 0)
            }?.problem,
            "scalar 'a' appears twice in step 5")
        try w.finish()
        XCTAssertEqual(traceError { try w.finish() }?.category, .usage)
        XCTAssertEqual(try TraceReader(path: dir.path("misuse.lrt")).readStep(step: 4).tensors.map(\.name), ["x", "y"])
        // Tensor values are validated when built.
        XCTAssertEqual(
            traceError { _ = try TraceTensor(name: "b", dtype: .u1, shape: [3], bytes: [0b1000]) }?.problem,
            "tensor 'b': unused bits of the last u1 byte must be zero")
        XCTAssertEqual(
            traceError { _ = try TraceTensor(name: "b", shape: [1 << 40, 1 << 40], float32: []) }?.category, .usage)
    }

    func testHeaderThatCannotBeEncodedLeavesNoFile() throws {
        var header = Fixtures.header()
        header.estimator.sigma = [.nan, 0.1]
        let e = traceError { _ = try TraceWriter(path: dir.path("nan.lrt"), header: header) }
        XCTAssertEqual(e?.category, .usage)
        XCTAssertEqual(
            e?.problem,
            "cannot encode the trace header as JSON: field 'estimator.sigma[0]' has the value nan, which JSON cannot hold"
        )
        XCTAssertEqual(try files(), [])
    }

    func testUnwritableDestinationIsAClearError() throws {
        let path = dir.path("no/such/dir/run.lrt")
        let e = traceError { _ = try TraceWriter(path: path, header: Fixtures.header()) }
        XCTAssertEqual(e?.category, .io)
        XCTAssertTrue(
            e?.description.hasPrefix("\(path): cannot create a temporary file in \(dir.path("no/such/dir")): ")
                ?? false,
            e?.description ?? "")
    }

    /// Reliability report D2: the rename replaced a FIFO or device at the destination, and replaced a symbolic link
    /// instead of writing through it.
    func testAFIFODestinationIsRefusedUpFrontAndKept() throws {
        let path = dir.path("ff.lrt")
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        let e = traceError { _ = try Fixtures.write(path) }
        XCTAssertEqual(e?.category, .io)
        XCTAssertEqual(e?.description, "\(path): it is a FIFO, not a regular file (give a regular file or a new path)")
        var st = stat()
        XCTAssertEqual(lstat(path, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "still a FIFO")
        XCTAssertEqual(try files(), ["ff.lrt"], "no temporary left")
    }

    func testASymbolicLinkIsWrittenThroughToItsTarget() throws {
        let target = try Fixtures.write(dir.path("target.lrt"), steps: [0])
        XCTAssertEqual(symlink("target.lrt", dir.path("link.lrt")), 0)
        try Fixtures.write(dir.path("link.lrt"), steps: [0, 5, 10])
        var st = stat()
        XCTAssertEqual(lstat(dir.path("link.lrt"), &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFLNK, "the link is kept")
        XCTAssertEqual(try TraceReader(path: target).steps.map(\.step), [0, 5, 10], "the target holds the new trace")
        XCTAssertEqual(try files(), ["link.lrt", "target.lrt"])
    }

    /// Reliability report D17: a killed run's hidden temporary trace was never removed. Writing the same trace again
    /// removes temporaries of PIDs that are not alive (2e9 is above any pid_max) and keeps a live writer's (PID 1).
    func testWritingATraceAgainRemovesADeadRunsTemporary() throws {
        let stale = dir.path(".run.lrt.tmp-2000000000-0"), live = dir.path(".run.lrt.tmp-1-0")
        try Data(count: 4096).write(to: URL(fileURLWithPath: stale))
        try Data(count: 10).write(to: URL(fileURLWithPath: live))
        try Fixtures.write(dir.path("run.lrt"))
        XCTAssertEqual(try files(), [".run.lrt.tmp-1-0", "run.lrt"])
    }
}
