import Foundation
import LRReport
import LRTestSupport
import XCTest

@testable import LRStudies

/// `lrsim report DIR --baseline BASE`: each candidate point against the best baseline point with the same shared
/// settings, as candidate / baseline ratios computed here by hand.
final class BaselineComparisonTests: XCTestCase {
    func table(_ axes: [SweepAxis], kinds: [String] = ["sim"], _ metrics: ([String: String]) -> [String: Double]) throws
        -> SweepTable
    {
        let spec = SweepSpec(hw: "x.toml", axes: axes, kinds: kinds)
        let results = try SweepGrid(axes: axes).points.map { p in
            var values: [String: String] = [:]
            for o in p.overrides {
                let eq = o.firstIndex(of: "=")!
                values[String(o[..<eq])] = String(o[o.index(after: eq)...])
            }
            return PointResult(point: p, status: .ok, metrics: metrics(values))
        }
        return SweepTable(spec: spec, results: results)
    }

    /// Candidate: model x K; baseline: model x schedule. Backprop's best schedule differs per metric and per model.
    func tables() throws -> (SweepTable, SweepTable) {
        let models = SweepAxis(key: "workload.model", values: ["a", "b"])
        let candidate = try table([models, SweepAxis(key: "workload.copies", values: ["2", "8"])]) { v in
            let k = Double(v["workload.copies"]!)!, big = v["workload.model"] == "b" ? 2.0 : 1
            return [
                "sim.iterations_per_second": 1000 / (k * big), "sim.energy_uj_per_iteration": 10 * k * big,
                "sim.memory_peak_bytes": 100 * big,
            ]
        }
        let baseline = try table([models, SweepAxis(key: "workload.schedule", values: ["serial", "gpipe"])]) { v in
            let serial = v["workload.schedule"] == "serial", big = v["workload.model"] == "b" ? 2.0 : 1
            return [
                "sim.iterations_per_second": serial ? 250 / big : 400 / big,
                "sim.energy_uj_per_iteration": serial ? 30 * big : 50 * big,
                "sim.memory_peak_bytes": serial ? 200 * big : 300 * big,
            ]
        }
        return (candidate, baseline)
    }

    func testRatiosAreTakenAgainstTheBestMatchingBaselinePoint() throws {
        let (candidate, baseline) = try tables()
        let c = try BaselineComparison(candidate: candidate, baseline: baseline, baselineName: "bp")
        XCTAssertEqual(c.shared, ["workload.model"])
        XCTAssertEqual(c.candidateOnly, ["workload.copies"])
        XCTAssertEqual(c.baselineOnly, ["workload.schedule"])
        let rows = c.rows()
        XCTAssertEqual(rows.count, 4)
        for r in rows {
            let k = Double(r.point.values["workload.copies"]!)!
            let big = r.point.values["workload.model"] == "b" ? 2.0 : 1
            // Fastest backprop: gpipe (400 / big); most frugal in energy and memory: serial (30 big, 200 big).
            XCTAssertEqual(r.ratios["iterations_per_second_ratio"]!, (1000 / (k * big)) / (400 / big), accuracy: 1e-12)
            XCTAssertEqual(r.ratios["energy_per_iteration_ratio"]!, (10 * k * big) / (30 * big), accuracy: 1e-12)
            XCTAssertEqual(r.ratios["peak_memory_ratio"]!, 0.5, accuracy: 1e-12)
            XCTAssertEqual(r.references["iterations_per_second_ratio"]?.values["workload.schedule"], "gpipe")
            XCTAssertEqual(r.references["energy_per_iteration_ratio"]?.values["workload.schedule"], "serial")
            XCTAssertEqual(
                r.references["iterations_per_second_ratio"]?.values["workload.model"], r.point.values["workload.model"])
        }
        let csv = c.csv
        XCTAssertEqual(
            csv.header,
            [
                "index", "workload.model", "workload.copies", "iterations_per_second_ratio",
                "iterations_per_second_ratio.baseline.workload.schedule", "energy_per_iteration_ratio",
                "energy_per_iteration_ratio.baseline.workload.schedule", "peak_memory_ratio",
                "peak_memory_ratio.baseline.workload.schedule",
            ])
        XCTAssertEqual(csv.rows[0], ["0", "a", "2", "1.25", "gpipe", "\(20.0 / 30)", "serial", "0.5", "serial"])
    }

    func testSummaryNamesTheBestSettingPerSharedValueAndChartsHaveParity() throws {
        let (candidate, baseline) = try tables()
        var b = SweepReportBuilder(table: candidate)
        b.baseline = try BaselineComparison(candidate: candidate, baseline: baseline, baselineName: "bp")
        let summary = b.baselineSummary(b.baseline!)
        XCTAssertEqual(
            summary.rows.map { Array($0.prefix(3)) },
            [["a", "1.25", "workload.copies=2"], ["b", "1.25", "workload.copies=2"]])
        let charts = b.charts().filter { $0.section == b.baselineSection }
        // 3 ratios x one chart per model (the facet: the shared axis).
        XCTAssertEqual(charts.count, 6)
        XCTAssertTrue(charts.allSatisfy { $0.svg.contains("parity with the baseline") })
        let html = b.html()
        XCTAssertTrue(
            html.contains("<h2>Against the baseline</h2>") && html.contains("<h2>Ratios to the baseline</h2>"))
    }

    func testABaselineWithoutTheSharedSettingIsAnError() throws {
        let (candidate, _) = try tables()
        let other = try table([SweepAxis(key: "workload.model", values: ["a"])]) { _ in ["sim.iterations_per_second": 1]
        }
        XCTAssertThrowsError(try BaselineComparison(candidate: candidate, baseline: other, baselineName: "bp")) {
            XCTAssertEqual("\($0)", "bp: no point of the baseline has workload.model=b (candidate point 2)")
        }
        let noSim = try table([SweepAxis(key: "workload.model", values: ["a"])]) { _ in ["train.test_accuracy": 1] }
        XCTAssertThrowsError(try BaselineComparison(candidate: candidate, baseline: noSim, baselineName: "bp")) {
            XCTAssertTrue("\($0)".contains("has no simulated point"), "\($0)")
        }
    }
}
