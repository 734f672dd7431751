import Foundation
import HWModel
import LRTestSupport
import XCTest

@testable import LRStudies

/// A point.json that contradicts the grid is evaluated again by resume and refused by merge, with the file and field
/// named (reliability report D15: an edited index 99 / `pe.rows=999` went into sweep.csv as a row).
final class PointFileValidationTests: XCTestCase {
    static var edge: String { SweepRunnerTests.edge }

    func spec() throws -> SweepSpec {
        SweepSpec(hw: Self.edge, axes: [try SweepAxis.parse("pe.rows=8,16")], kinds: ["fake"])
    }

    func run(_ dir: String, _ fake: FakeEvaluator, log: @escaping (String) -> Void = { _ in }) throws
        -> SweepRunner.Summary
    {
        let s = try spec()
        return try SweepRunner(
            spec: s, grid: try SweepGrid(axes: s.axes), hardware: try HardwareModel.load(path: Self.edge),
            evaluators: [fake], store: SweepStore(directory: dir), log: log
        ).run()
    }

    /// Edits point 1's point.json as a JSON object.
    func edit(_ dir: String, _ change: (inout [String: Any]) -> Void) throws -> String {
        let path = SweepStore(directory: dir).pointPath(SweepPoint(index: 1, overrides: ["pe.rows=16"]).id)
        var object = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testEditedPointFilesAreEvaluatedAgainByResumeAndRefusedByMerge() throws {
        let edits: [(String, (inout [String: Any]) -> Void)] = [
            ("field 'index' is 99, but point pe-rows-16-", { $0["index"] = 99 }),
            ("field 'overrides' is [\"pe.rows=999\"], but point pe-rows-16-", { $0["overrides"] = ["pe.rows=999"] }),
            (
                "field 'id' is 'elsewhere', but the file is in the directory of point pe-rows-16-",
                { $0["id"] = "elsewhere" }
            ),
            ("metric 'other.x' is not one of the sweep's evaluators (fake)", { $0["metrics"] = ["other.x": 1.0] }),
            ("status 'ok' with an error", { $0["error"] = "boom" }),
            ("not a point result (", { $0["metrics"] = ["fake.rows": "1"] }),
        ]
        for (message, change) in edits {
            let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
            let out = tmp.path("out")
            _ = try run(out, FakeEvaluator(failing: "none"))
            let clean = try Data(contentsOf: URL(fileURLWithPath: out + "/sweep.csv"))
            let path = try edit(out, change)

            XCTAssertThrowsError(try SweepMerge.merge([out], into: tmp.path("merged"))) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path): \(message)"), "\(error)")
            }
            var lines: [String] = []
            let again = FakeEvaluator(failing: "none")
            let summary = try run(out, again, log: { lines.append($0) })
            XCTAssertEqual(again.calls, 1, message)
            XCTAssertEqual(summary.skipped, 1)
            XCTAssertTrue(
                lines.contains { $0.contains("\(path): \(message)") && $0.hasSuffix("evaluating it again") }, "\(lines)"
            )
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: out + "/sweep.csv")), clean, "the table is the clean run's")
            try SweepMerge.merge([out], into: tmp.path("merged"))
        }
    }
}
