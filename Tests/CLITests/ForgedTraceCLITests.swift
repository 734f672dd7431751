import Foundation
import LRTestSupport
import LRTrace
import XCTest

/// `sim --trace` and `replay --trace` refuse a trace whose header contradicts its configuration or itself, with one
/// line naming the file and the field (reliability report D9: they simulated batch 99 and mlp:784-99-10).
final class ForgedTraceCLITests: XCTestCase {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("traces/mlp16-lr.lrt").path

    /// The shipped trace with `edit` applied to its header (steps copied as they are).
    func forged(_ dir: TemporaryDirectory, _ name: String, _ edit: (inout TraceHeader) -> Void) throws -> String {
        let reader = try TraceReader(path: Self.shipped)
        var h = reader.header
        edit(&h)
        let path = dir.path(name)
        let w = try TraceWriter(path: path, header: h)
        for i in reader.steps.indices { try w.appendStep(try reader.readStep(at: i)) }
        try w.finish()
        return path
    }

    func testSimAndReplayRefuseForgedHeaders() throws {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let cases = [
            (
                try forged(dir, "f3.lrt") { $0.optimizer.batchSize = 99 },
                "header: field 'optimizer.batch_size' is 99, but config_json gives 32"
            ),
            (
                try forged(dir, "f1.lrt") { $0.model.spec = "mlp:784-99-10" },
                "header: field 'model.spec' is 'mlp:784-99-10', but config_json gives 'mlp:784-16-10'"
            ),
            (
                try forged(dir, "f5.lrt") { $0.estimator.name = "xx" },
                "header: estimator: name 'xx' is not one of bp, lr, alr, es, aes"
            ),
        ]
        for (path, message) in cases {
            for command in [["sim", "--trace", path], ["replay", "--trace", path, "--quiet"]] {
                let r = try LRSimProcess.run(command)
                XCTAssertEqual(r.status, 1, "\(command): \(r.stdout)")
                XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
                XCTAssertTrue(r.stderr.hasPrefix("error: \(path): "), r.stderr)
                XCTAssertTrue(r.stderr.contains(message), "\(command): \(r.stderr)")
            }
        }
    }
}
