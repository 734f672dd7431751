import Foundation
import LRTestSupport
import XCTest

@testable import HWModel

/// A hardware model or `base =` file that is a FIFO or a directory is refused by kind, at once (reliability report D10
/// and D13: a directory was "not UTF-8", a FIFO could block the read).
final class NonRegularFileTests: XCTestCase {
    func testAFIFOModelAndAFIFOBaseAreRefusedByKind() throws {
        let scratch = try Scratch()
        let fifo = scratch.dir.appendingPathComponent("fifo.toml").path
        try FIFOSupport.make(fifo)
        let top = try scratch.write("top.toml", "base = \"fifo.toml\"\n")
        var direct = "", viaBase = ""
        let seconds = FIFOSupport.seconds(unblocking: fifo) {
            do { _ = try HardwareModel.load(path: fifo) } catch { direct = "\(error)" }
            do { _ = try HardwareModel.load(path: top) } catch { viaBase = "\(error)" }
        }
        XCTAssertLessThan(seconds, 1)
        XCTAssertEqual(direct, "\(fifo): expected a readable hardware-model file (it is a FIFO, not a regular file)")
        XCTAssertEqual(
            viaBase,
            "\(top):1: field 'base': expected a readable hardware-model file, got '\(fifo)' (it is a FIFO, not a regular file)"
        )
    }

    func testADirectoryIsNamedAsOne() throws {
        let scratch = try Scratch()
        let top = try scratch.write("top.toml", "base = \".\"\n")
        XCTAssertThrowsError(try HardwareModel.load(path: scratch.dir.path)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(scratch.dir.path): expected a readable hardware-model file (it is a directory, not a regular file)")
        }
        XCTAssertThrowsError(try HardwareModel.load(path: top)) { error in
            XCTAssertTrue("\(error)".hasSuffix("(it is a directory, not a regular file)"), "\(error)")
        }
    }
}
