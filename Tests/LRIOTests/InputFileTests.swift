import Foundation
import LRTestSupport
import XCTest

@testable import LRIO

/// Inputs are regular files only (reliability report D10: `trace verify FIFO` blocked in open(2) for ever).
final class InputFileTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrfiles-input") }
    override func tearDown() { dir.cleanup() }

    func refusal(_ path: String, limit: UInt64 = .max) -> FileError? {
        do {
            _ = try InputFile.read(path, limit: limit)
            return nil
        } catch { return error }
    }

    func testARegularFileIsReadWhole() throws {
        let bytes = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try bytes.write(to: URL(fileURLWithPath: dir.path("f.bin")))
        XCTAssertEqual(try InputFile.read(dir.path("f.bin")), bytes)
        XCTAssertEqual(symlink("f.bin", dir.path("l.bin")), 0)
        XCTAssertEqual(try InputFile.read(dir.path("l.bin")), bytes, "a link to a regular file is read")
        try Data().write(to: URL(fileURLWithPath: dir.path("empty")))
        XCTAssertEqual(try InputFile.read(dir.path("empty")), Data())
    }

    func testAFIFOIsRefusedAtOnceWithoutBlocking() throws {
        let fifo = dir.path("fifo")
        try FIFOSupport.make(fifo)
        var e: FileError?
        let seconds = FIFOSupport.seconds(unblocking: fifo) { e = refusal(fifo) }
        XCTAssertLessThan(seconds, 1, "refused without waiting for a writer")
        XCTAssertEqual(e?.description, "\(fifo): it is a FIFO, not a regular file")
        XCTAssertEqual(e?.kind, .fifo)
        XCTAssertThrowsError(try InputFile.open(fifo))
        XCTAssertThrowsError(try InputFile.check(fifo))
    }

    func testDevicesDirectoriesAndMissingFilesAreRefusedByName() {
        XCTAssertEqual(
            refusal("/dev/zero")?.description, "/dev/zero: it is a character device, not a regular file",
            "a device that never ends is not read")
        XCTAssertEqual(refusal(dir.url.path)?.kind, .directory)
        let missing = refusal(dir.path("nope"))
        XCTAssertEqual(missing?.description, "\(dir.path("nope")): cannot open: No such file or directory")
        XCTAssertTrue(missing?.isMissing ?? false)
        XCTAssertFalse(refusal(dir.url.path)?.isMissing ?? true)
    }

    func testAFileLargerThanTheLimitIsRefusedBeforeReading() throws {
        try Data(count: 100).write(to: URL(fileURLWithPath: dir.path("big")))
        XCTAssertEqual(
            refusal(dir.path("big"), limit: 99)?.problem, "it is 100 bytes, more than the 99 bytes such a file can hold"
        )
        XCTAssertNil(refusal(dir.path("big"), limit: 100))
    }
}
