import ArgumentParser
import FixedPoint
import Foundation
import LRIO
import LRReport

/// `lrsim fx quantize`: round values into a format and show the error against the exact value.
struct FxQuantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize values into a fixed-point format and compare with their exact values.",
        discussion: """
            Each VALUE is parsed exactly with GMP, rounded by the exact reference into the format, and reported with \
            its \
            stored integer (raw), the stored value as an exact decimal, the exact input as a rational and the error \
            in ULPs.

            Example:
              lrsim fx quantize --format s3.12 --mode RND_CONV --overflow SAT 0.1 -2.5/4096 7
            prints raw 410 for 0.1 (409.6 ULPs rounds to 410, error +0.4 ULP), -2 for the tie -2.5 ULPs (to even) and \
            16383 for 7 (saturated). STOCHASTIC rounding draws value i's word from Philox stream --seed at index i.
            """
    )

    @Option(help: "The format: sI.F, uI.F, Qm.n or ac_fixed<W,I,S>.") var format: String
    @Option(help: "Rounding mode (ac_fixed name).") var mode: String = "RND_CONV"
    @Option(help: "Overflow mode (ac_fixed name).") var overflow: String = "SAT"
    @Option(help: "Seed of the stochastic-rounding stream.") var seed: UInt64 = 0
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Argument(parsing: .allUnrecognized, help: "Values: decimals, hex floats, rationals.") var values: [String] = []
    /// Long value lists arrive here instead (`FxValueList`).
    @Option(name: .customLong("value-list"), help: .hidden) var valueList: String?

    struct Report: Codable {
        var format: String
        var width: Int
        var mode: String
        var overflow: String
        var results: [FxQuantized]
    }

    func run() throws {
        do {
            let cfg = try FxParse.config(
                format: format, mode: mode, overflow: overflow, role: "--format/--mode/--overflow")
            // `--` (end of options) may reach the list; it is not a value.
            let values = (valueList.map(FxValueList.split) ?? []) + self.values.filter { $0 != "--" }
            let exact = try FxParse.values(values, option: "VALUE")
            let stream = StochasticStream(seed: seed)
            let results = zip(values, exact).enumerated().map { i, p in
                FxQuantized(input: p.0, exact: p.1, config: cfg, random: stream.word(i))
            }
            if json {
                Console.out(
                    try JSONReport.text(
                        Report(
                            format: cfg.format.description, width: cfg.format.width, mode: cfg.rounding.rawValue,
                            overflow: cfg.overflow.rawValue, results: results)))
                return
            }
            Console.out("format \(fxDescribe(cfg))")
            let header = ["input", "raw", "value", "exact", "error (ULP)"]
            let rows = results.map { r in
                [
                    r.input, r.raw, r.value, r.exact,
                    String(format: "%+.6g", r.errorUlps) + (r.overflowed ? "  overflow" : ""),
                ]
            }
            Console.out(fxTable(header, rows))
        }
    }
}

/// A left-aligned text table.
func fxTable(_ header: [String], _ rows: [[String]]) -> String {
    var t = TextTable(header: header, alignment: Array(repeating: .left, count: header.count))
    for r in rows { t.append(r) }
    return t.text
}
