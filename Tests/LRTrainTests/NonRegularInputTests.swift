import Foundation
import LRTestSupport
import XCTest

@testable import LRTrain

/// Checkpoints and data set files that are FIFOs are refused at once, by kind (reliability report D10).
final class NonRegularInputTests: XCTestCase {
    func testAFIFOCheckpointAndDatasetFileAreRefusedByKind() throws {
        let dir = try TemporaryDirectory(prefix: "nonregular-input")
        defer { dir.cleanup() }
        let fifo = dir.path("fifo")
        try FIFOSupport.make(fifo)
        var checkpoint = "", dataset: DatasetError?
        let seconds = FIFOSupport.seconds(unblocking: fifo) {
            do { _ = try Checkpoint.read(from: fifo) } catch { checkpoint = "\(error)" }
            do { _ = try IDXLoader.readLabels(fifo, classes: 10) } catch { dataset = error as? DatasetError }
        }
        XCTAssertLessThan(seconds, 1)
        XCTAssertEqual(checkpoint, "\(fifo): it is a FIFO, not a regular file")
        XCTAssertEqual(dataset?.description, "\(fifo): it is a FIFO, not a regular file")
        XCTAssertEqual(dataset?.kind, .io)
    }
}
