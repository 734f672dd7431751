import Foundation
import LRTestSupport
import XCTest

@testable import LRIO

/// Output destinations (reliability report D2): a symbolic link is written through to its target, anything at the
/// destination that is not a regular file is refused and left as it was.
final class OutputFileTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrfiles-output") }
    override func tearDown() { dir.cleanup() }

    func kind(_ path: String) -> FileKind? {
        var st = stat()
        return lstat(path, &st) == 0 ? FileKind(mode: st.st_mode) : nil
    }

    func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func refusal(_ path: String, line: UInt = #line) -> FileError? {
        do {
            try OutputFile.write(Data("new\n".utf8), to: path)
            XCTFail("wrote over \(path)", line: line)
            return nil
        } catch { return error }
    }

    func testANewPathAndAnExistingRegularFileAreWritten() throws {
        try OutputFile.write(Data("one\n".utf8), to: dir.path("sub/new.json"))
        XCTAssertEqual(text(dir.path("sub/new.json")), "one\n", "missing directories are created")
        try OutputFile.write(Data("two\n".utf8), to: dir.path("sub/new.json"))
        XCTAssertEqual(text(dir.path("sub/new.json")), "two\n")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.path("sub")), ["new.json"],
            "no temporary left behind")
    }

    func testAFIFOIsRefusedAndKept() throws {
        let fifo = dir.path("ff")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let e = refusal(fifo)
        XCTAssertEqual(e?.description, "\(fifo): it is a FIFO, not a regular file (give a regular file or a new path)")
        XCTAssertEqual(e?.kind, .fifo)
        XCTAssertEqual(kind(fifo), .fifo, "the FIFO is still there")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path), ["ff"], "no temporary left")
    }

    func testADeviceNodeIsRefusedAndKept() throws {
        let node = dir.path("fake")
        guard mknod(node, S_IFCHR | 0o600, dev_t(1 << 8 | 7)) == 0 else {  // the /dev/full device, made here
            throw XCTSkip("mknod needs root")
        }
        XCTAssertEqual(
            refusal(node)?.description,
            "\(node): it is a character device, not a regular file (give a regular file or a new path)")
        XCTAssertEqual(kind(node), .characterDevice)
    }

    func testADirectoryIsRefused() throws {
        try FileManager.default.createDirectory(atPath: dir.path("adir"), withIntermediateDirectories: false)
        XCTAssertEqual(refusal(dir.path("adir"))?.kind, .directory)
        XCTAssertEqual(kind(dir.path("adir")), .directory)
    }

    func testASymbolicLinkIsWrittenThroughAndKept() throws {
        try FileManager.default.createDirectory(atPath: dir.path("targets"), withIntermediateDirectories: false)
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: dir.path("targets/t.json")))
        XCTAssertEqual(symlink("targets/t.json", dir.path("l.json")), 0)  // relative to the link's directory
        XCTAssertEqual(symlink("l.json", dir.path("ll.json")), 0)  // a chain of two
        try OutputFile.write(Data("new\n".utf8), to: dir.path("ll.json"))
        XCTAssertEqual(kind(dir.path("ll.json")), .symbolicLink)
        XCTAssertEqual(kind(dir.path("l.json")), .symbolicLink)
        XCTAssertEqual(text(dir.path("targets/t.json")), "new\n")
        XCTAssertEqual(try OutputFile.destination(for: dir.path("ll.json")), dir.path("targets/t.json"))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.path("targets")), ["t.json"],
            "the temporary was made next to the target and renamed onto it")
    }

    func testADanglingLinkCreatesItsTarget() throws {
        XCTAssertEqual(symlink(dir.path("made.json"), dir.path("d.json")), 0)
        try OutputFile.write(Data("x\n".utf8), to: dir.path("d.json"))
        XCTAssertEqual(kind(dir.path("d.json")), .symbolicLink)
        XCTAssertEqual(text(dir.path("made.json")), "x\n")
    }

    func testALinkToAFIFOAndALinkLoopAreRefused() throws {
        XCTAssertEqual(mkfifo(dir.path("ff"), 0o644), 0)
        XCTAssertEqual(symlink("ff", dir.path("l")), 0)
        XCTAssertEqual(
            refusal(dir.path("l"))?.description,
            "\(dir.path("l")) -> \(dir.path("ff")): it is a FIFO, not a regular file (give a regular file or a new path)"
        )
        XCTAssertEqual(kind(dir.path("l")), .symbolicLink)
        XCTAssertEqual(symlink("b", dir.path("a")), 0)
        XCTAssertEqual(symlink("a", dir.path("b")), 0)
        XCTAssertEqual(refusal(dir.path("a"))?.problem, "too many levels of symbolic links")
    }
}
