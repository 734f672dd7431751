import Foundation
import LRStudies
import LRTrace
import XCTest

@testable import LRTrain

/// Every trace under traces/ verifies: checksums, lengths, cross-references, and the float gradient recomputed from
/// the regenerated noise.
final class ShippedTracesTests: XCTestCase {
    static let tracesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("traces")

    func testEveryShippedTraceVerifiesIncludingGradientRecomputation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.tracesDirectory.path)
            .filter { $0.hasSuffix(".lrt") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 2, "traces/ should ship sample traces")
        for f in files {
            let path = Self.tracesDirectory.appendingPathComponent(f).path
            let report = TraceVerification.verify(path: path, stepVerifier: GradientRecomputation())
            XCTAssertTrue(report.ok, "\(f): \(report)")
            XCTAssertEqual(report.recomputation.status, "passed", "\(f)")
            XCTAssertGreaterThan(report.recomputation.stepsChecked, 0, "\(f)")
        }
        let total = try files.reduce(0) {
            $0
                + (try FileManager.default.attributesOfItem(
                    atPath: Self.tracesDirectory.appendingPathComponent($1).path)[.size] as! Int)
        }
        XCTAssertLessThan(total, 2 << 20, "shipped traces must stay under 2 MB in total")
    }
}
