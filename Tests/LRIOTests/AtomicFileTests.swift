import Foundation
import LRIO
import LRTestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    func testOverwritesExistingFileAndReportsAnUnwritablePath() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        try AtomicFile.write("one", to: dir.path("f.txt"))
        try AtomicFile.write("two", to: dir.path("f.txt"))
        XCTAssertEqual(try String(contentsOfFile: dir.path("f.txt"), encoding: .utf8), "two")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.url.path), ["f.txt"], "no temporary left")
        // Missing directories are created; a path through a regular file cannot be.
        try AtomicFile.write("x", to: dir.path("new/g.txt"))
        XCTAssertEqual(try String(contentsOfFile: dir.path("new/g.txt"), encoding: .utf8), "x")
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir.path("f.txt/sub/h.txt"))) { e in
            XCTAssertTrue(e is AtomicFile.WriteError, "\(type(of: e))")
            XCTAssertTrue("\(e)".hasPrefix(dir.path("f.txt/sub/h.txt") + ": cannot write"), "\(e)")
        }
    }

    // Reliability report D2: a FIFO, a device node or a symbolic link at the destination was replaced by the rename.
    func testFIFOIsRefusedWithAClearErrorAndKept() throws {
        let dir = try TemporaryDirectory(prefix: "atomic-file")
        defer { dir.cleanup() }
        let fifo = dir.path("ff")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try AtomicFile.write("{}\n", to: fifo)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(fifo): cannot write: it is a FIFO, not a regular file (give a regular file or a new path)")
        }
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path), ["ff"])
    }

    func testSymbolicLinkIsWrittenThrough() throws {
        let dir = try TemporaryDirectory(prefix: "atomic-file")
        defer { dir.cleanup() }
        try "{}\n".write(toFile: dir.path("t.json"), atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink("t.json", dir.path("l.json")), 0)
        try AtomicFile.write("[1]\n", to: dir.path("l.json"))
        XCTAssertEqual(try String(contentsOfFile: dir.path("t.json"), encoding: .utf8), "[1]\n")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir.path("l.json")), "t.json")
    }
}
