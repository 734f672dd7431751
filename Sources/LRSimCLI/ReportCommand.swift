import ArgumentParser
import Foundation
import LRIO
import LRReport
import LRStudies

/// `lrsim report DIR`: one self-contained HTML page of SVG charts from a sweep or demo directory.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write one self-contained HTML page with SVG charts of a sweep (and of a demo's LR/ALR/BP comparison).",
        discussion: """
            DIR is a `lrsim sweep --out` directory (sweep.json) or a `lrsim demo` directory (sweep/sweep.json, \
            sim-compare.json, summary.json). Charts: accuracy vs bits of each varied signal, gradient fidelity vs \
            bits, \
            accuracy vs throughput and vs energy with the Pareto front marked, pipeline utilisation per stage, memory \
            of \
            LR vs ALR vs backprop. The page has no scripts and no external files.

            With --baseline BASE (another sweep, e.g. backprop over its schedules) the page opens with every point \
            set against the best BASE point that agrees on the axes both sweeps vary: iterations/s, energy per \
            iteration and peak memory as candidate / baseline ratios, charted per value of --facet (default: the \
            first shared axis), and written to comparison.csv beside the page \
            (P-comparison.csv for a page P.html named by --out).

            Examples:
              lrsim report sweep-bits            # writes sweep-bits/report.html
              lrsim report study/forward-only --baseline study/backprop --facet workload.model,interconnect.chips
            """)

    @Argument(help: "Sweep or demo output directory.") var directory: String
    @Option(help: "Where to write the page (default DIR/report.html).") var out: String?
    @Option(help: "A baseline sweep directory: report every point's ratios to its best matching point.")
    var baseline: String?
    @Option(
        help:
            "With --baseline: one chart per value of this axis, or per combination of several comma-separated axes (default: the first shared axis that varies)."
    )
    var facet: String?

    func validate() throws {
        if facet != nil && baseline == nil {
            throw ValidationError("--facet splits the --baseline charts; give --baseline")
        }
    }

    func run() throws {
        let path = out ?? (directory as NSString).appendingPathComponent("report.html")
        let builder = try ReportInputs.builder(directory: directory, baseline: baseline, facet: facet)
        // DIR/report.html -> DIR/comparison.csv; any other page P.html -> P-comparison.csv, so that several
        // comparisons written to one directory keep their tables apart.
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let csvName = stem == "report" ? "comparison.csv" : "\(stem)-comparison.csv"
        let csvPath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(csvName)
        var outputs = OutputPaths()
        outputs.file("out", path)
        if builder.baseline != nil { outputs.file("comparison.csv", csvPath) }
        try outputs.prepare()
        try AtomicFile.write(builder.html(), to: path)
        if let b = builder.baseline { try b.csv.write(to: csvPath) }
        Console.out(
            "report: \(path) (\(builder.charts().count) charts)"
                + (builder.baseline == nil ? "" : "; ratios \(csvPath)"))
    }
}
