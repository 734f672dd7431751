import Foundation
import LRIO
import LRReport
import LRSim

/// Finds what a report directory holds.
public enum ReportInputs {
    /// `baseline`: another sweep directory to set the points against (`BaselineComparison`).
    public static func builder(directory: String, baseline: String? = nil, facet: String? = nil) throws
        -> SweepReportBuilder
    {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw SweepError("\(directory): no such directory (give a lrsim sweep --out or lrsim demo directory)")
        }
        func join(_ p: String) -> String { (directory as NSString).appendingPathComponent(p) }
        var table: SweepTable?
        for d in [directory, join("sweep")]
        where fm.fileExists(atPath: (d as NSString).appendingPathComponent("sweep.json")) {
            table = try SweepTable.read(from: d)
            break
        }
        var runs: [SimReport] = []
        if let data = fm.contents(atPath: join("sim-compare.json")) {
            do { runs = try JSONReport.decode(SimComparison.self, from: data).runs } catch {
                throw SweepError(
                    "\(join("sim-compare.json")): not a `lrsim sim --compare` report (\(SweepStore.describe(error)))")
            }
        }
        guard table != nil || !runs.isEmpty else {
            throw SweepError("\(directory): holds neither sweep.json, sweep/sweep.json nor sim-compare.json")
        }
        var b = SweepReportBuilder(table: table, comparison: runs)
        b.title = "lrsim report: \((directory as NSString).lastPathComponent)"
        if let data = fm.contents(atPath: join("summary.json")),
            let s = try? JSONReport.decode(DemoSummary.self, from: data)
        {
            b.summary = (DemoSummary.header, s.rows.map(\.fields))
            b.notes = s.findings
            b.command = s.command
            if let sweep = s.sweep {
                b.references["train.test_accuracy"] = ("float ALR, same samples", sweep.floatAccuracy)
            }
            b.title = "lrsim demo: Fashion-MNIST MLP, ALR vs LR vs backprop on \(s.hardware)"
        }
        if let baseline {
            guard let table else {
                throw SweepError("\(directory): --baseline compares sweeps; this directory holds none")
            }
            let base = try builder(directory: baseline)
            guard let other = base.table else { throw SweepError("\(baseline): holds no sweep to compare with") }
            b.baseline = try BaselineComparison(
                candidate: table, baseline: other,
                baselineName: (baseline as NSString).lastPathComponent)
            for key in facet.map({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) ?? []
            where !table.spec.axes.contains(where: { $0.key == key }) {
                throw SweepError(
                    "--facet \(key): not an axis of \(directory) (\(table.spec.axes.map(\.key).joined(separator: ", ")))"
                )
            }
            b.facet = facet
            b.title = "lrsim report: \((directory as NSString).lastPathComponent) against \(b.baseline!.baselineName)"
        }
        return b
    }

}
