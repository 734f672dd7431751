import Foundation
import LRTestSupport
import XCTest

@testable import LRStudies

/// Sweep files that are FIFOs are refused at once, by kind, instead of read as missing (reliability report D10).
final class SweepFileInputTests: XCTestCase {
    func testFIFOSweepTableAndSpecAreRefusedByKind() throws {
        let dir = try TemporaryDirectory(prefix: "sweep-fifo")
        defer { dir.cleanup() }
        try FIFOSupport.make(dir.path("sweep.json"))
        try FIFOSupport.make(dir.path("sweep-spec.json"))
        var table = "", spec = ""
        let seconds = FIFOSupport.seconds(unblocking: dir.path("sweep.json")) {
            do { _ = try SweepTable.read(from: dir.url.path) } catch { table = "\(error)" }
            do { _ = try SweepStore(directory: dir.url.path).readSpec() } catch { spec = "\(error)" }
        }
        XCTAssertLessThan(seconds, 1)
        XCTAssertEqual(table, "\(dir.path("sweep.json")): it is a FIFO, not a regular file")
        XCTAssertEqual(spec, "\(dir.path("sweep-spec.json")): it is a FIFO, not a regular file")
        XCTAssertNil(try SweepStore(directory: dir.path("none")).readSpec(), "a missing spec is still 'no sweep yet'")
    }
}
