import ArgumentParser
import Foundation
import LRIO
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

            Example:
              lrsim report sweep-bits            # writes sweep-bits/report.html
            """)

    @Argument(help: "Sweep or demo output directory.") var directory: String
    @Option(help: "Where to write the page (default DIR/report.html).") var out: String?

    func run() throws {
        let path = out ?? (directory as NSString).appendingPathComponent("report.html")
        let builder = try ReportInputs.builder(directory: directory)
        var outputs = OutputPaths()
        outputs.file("out", path)
        try outputs.prepare()
        try AtomicFile.write(builder.html(), to: path)
        Console.out("report: \(path) (\(builder.charts().count) charts)")
    }
}
