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
}
