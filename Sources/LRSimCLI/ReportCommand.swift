import ArgumentParser
import Foundation
import LRReport
import LRSim
import LRSweep

/// `lrsim report DIR`: one self-contained HTML page of SVG charts from a sweep or demo directory.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page with SVG charts of a sweep (and of a demo's LR/ALR/BP comparison).",
        discussion: """
        DIR is a `lrsim sweep --out` directory (sweep.json) or a `lrsim demo` directory (sweep/sweep.json, \
        sim-compare.json, summary.json). Charts: accuracy vs bits of each varied signal, gradient fidelity vs bits, \
        accuracy vs throughput and vs energy with the Pareto front marked, pipeline utilisation per stage, memory of \
        LR vs ALR vs backprop. The page has no scripts and no external files.

        Example:
          lrsim report sweep-bits            # writes sweep-bits/report.html
        """)

    @Argument(help: "Sweep or demo output directory.") var directory: String
    @Option(help: "Where to write the page (default DIR/report.html).") var out: String?

    func run() throws {
        do {
            let path = out ?? (directory as NSString).appendingPathComponent("report.html")
            let builder = try ReportInputs.builder(directory: directory)
            try ReportFile.write(builder.html(), to: path)
            print("report: \(path) (\(builder.charts().count) charts)")
        } catch let e as SweepError {
            printError(e.description); throw ExitCode.failure
        } catch let e as ReportError {
            printError(e.description); throw ExitCode.failure
        }
    }
}

/// Finds what a report directory holds.
enum ReportInputs {
    static func builder(directory: String) throws -> SweepReportBuilder {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw SweepError("\(directory): no such directory (give a lrsim sweep --out or lrsim demo directory)")
        }
        func join(_ p: String) -> String { (directory as NSString).appendingPathComponent(p) }
        var table: SweepTable?
        for d in [directory, join("sweep")] where fm.fileExists(atPath: (d as NSString).appendingPathComponent("sweep.json")) {
            table = try SweepTable.read(from: d)
            break
        }
        var runs: [SimReport] = []
        if let data = fm.contents(atPath: join("sim-compare.json")) {
            do { runs = try SweepStore.decoder.decode(SimComparisonFile.self, from: data).runs } catch {
                throw SweepError("\(join("sim-compare.json")): not a `lrsim sim --compare` report (\(SweepStore.describe(error)))")
            }
        }
        guard table != nil || !runs.isEmpty else {
            throw SweepError("\(directory): holds neither sweep.json, sweep/sweep.json nor sim-compare.json")
        }
        var b = SweepReportBuilder(table: table, comparison: runs)
        b.title = "lrsim report: \((directory as NSString).lastPathComponent)"
        if let data = fm.contents(atPath: join("summary.json")),
           let s = try? SweepStore.decoder.decode(DemoSummary.self, from: data) {
            b.summary = (DemoSummary.header, s.rows.map(\.fields))
            b.command = s.command
            b.title = "lrsim demo: Fashion-MNIST MLP, ALR vs LR vs backprop on \(s.hardware)"
        }
        return b
    }

    struct SimComparisonFile: Decodable { var runs: [SimReport] }
}
