import ArgumentParser
import FixedPoint
import Foundation
import LRIO

/// `lrsim fx dot`: one dot product through a fixed-point MAC datapath, next to the exact value.
struct FxDot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dot",
        abstract: "Evaluate a dot product in given input, product and accumulator formats, next to the exact value.",
        discussion: """
            The operands are quantized into --input-format (--b-format for b if given). Each product is rounded into \
            --product-format, each running sum into --acc-format, and the sum is written back into --output-format \
            (default: the accumulator format). --mode and --overflow apply at every point unless a point has its own \
            (--product-mode, --acc-overflow, ...). The report gives the datapath result, the exact dot product of the \
            quantized operands and of the values as typed (GMP), the errors in output ULPs, and the accumulator width \
            that \
            makes the datapath exact for these formats and this length (docs/fixed-point.md).

            Example:
              lrsim fx dot --a 0.5,-0.25,1/3 --b 1,2,3 --input-format s2.14 --product-format s4.28 --acc-format s6.28
            """
    )

    @Option(help: "Comma-separated values of a (write --a=-1,2 when the first is negative).") var a: String
    @Option(help: "Comma-separated values of b.") var b: String
    @Option(name: .customLong("input-format"), help: "Format of the operands.") var inputFormat: String
    @Option(name: .customLong("b-format"), help: "Format of b (default: --input-format).") var bFormat: String?
    @Option(name: .customLong("product-format"), help: "Format each product is rounded into.") var productFormat: String
    @Option(name: .customLong("acc-format"), help: "Accumulator format (up to 128 bits).") var accFormat: String
    @Option(name: .customLong("output-format"), help: "Write-back format (default: the accumulator format).")
    var outputFormat: String?
    @Option(help: "Rounding mode at every point.") var mode: String = "RND_CONV"
    @Option(help: "Overflow mode at every point.") var overflow: String = "SAT"
    @Option(name: .customLong("input-mode")) var inputMode: String?
    @Option(name: .customLong("product-mode")) var productMode: String?
    @Option(name: .customLong("acc-mode")) var accMode: String?
    @Option(name: .customLong("output-mode")) var outputMode: String?
    @Option(name: .customLong("input-overflow")) var inputOverflow: String?
    @Option(name: .customLong("product-overflow")) var productOverflow: String?
    @Option(name: .customLong("acc-overflow")) var accOverflow: String?
    @Option(name: .customLong("output-overflow")) var outputOverflow: String?
    @Option(help: "Seed of the stochastic-rounding stream.") var seed: UInt64 = 0
    @Flag(help: "Print JSON instead of text.") var json = false

    struct Result: Codable {
        var format: String
        var raw: String
        var value: String
        var errorUlps: Double
        var errorUlpsExact: String
    }

    struct Exact: Codable {
        /// Exact dot product of the quantized operands (GMP rational).
        var value: String
        var decimal: String?
        /// Exact dot product of the values as typed.
        var typed: String
        /// The exact value rounded into the output config (what a wide-enough datapath returns).
        var roundedRaw: String
    }

    struct Report: Codable {
        var length: Int
        var a: [FxQuantized]
        var b: [FxQuantized]
        var inputFormat: String
        var bFormat: String
        var product: String
        var accumulator: String
        var output: String
        var datapath: Result
        var exact: Exact
        var errorUlpsVsTyped: Double
        var accumulatorBoundBits: Int
        var accumulatorIsExact: Bool
    }

    func run() throws {
        do {
            func cfg(_ f: String, _ m: String?, _ o: String?, _ role: String) throws -> FixedConfig {
                try FxParse.config(format: f, mode: m ?? mode, overflow: o ?? overflow, role: role)
            }
            let ca = try cfg(inputFormat, inputMode, inputOverflow, "--input-format")
            let cb = try cfg(bFormat ?? inputFormat, inputMode, inputOverflow, "--b-format")
            let cp = try cfg(productFormat, productMode, productOverflow, "--product-format")
            let cacc = try cfg(accFormat, accMode, accOverflow, "--acc-format")
            let cout = try cfg(outputFormat ?? accFormat, outputMode, outputOverflow, "--output-format")
            let aText = FxParse.list(a), bText = FxParse.list(b)
            let av = try FxParse.values(aText, option: "--a"), bv = try FxParse.values(bText, option: "--b")
            guard av.count == bv.count else {
                throw FxInputError(
                    "--a has \(av.count) values but --b has \(bv.count); a dot product needs equal lengths")
            }
            guard av.count <= 1_000_000 else { throw FxInputError("--a: at most 1000000 values") }
            let mac: FixedMAC
            do {
                try ca.format.requireValueFormat("--input-format")
                try cb.format.requireValueFormat("--b-format")
                mac = try FixedMAC(
                    a: ca.format, b: cb.format, config: MACConfig(product: cp, accumulator: cacc, output: cout))
            } catch let e as FixedPointError {
                throw FxInputError(e.description)
            }
            let stream = StochasticStream(seed: seed)
            let n = av.count
            // Inputs use words 0..<2n (a then b); the MAC uses the stream's next row.
            let qa = zip(aText, av).enumerated().map { i, p in
                FxQuantized(input: p.0, exact: p.1, config: ca, random: stream.word(i))
            }
            let qb = zip(bText, bv).enumerated().map { i, p in
                FxQuantized(input: p.0, exact: p.1, config: cb, random: stream.word(n + i))
            }
            let rawA: [Int64] = qa.map { Int64(truncatingIfNeeded: Int128($0.raw) ?? 0) }
            let rawB: [Int64] = qb.map { Int64(truncatingIfNeeded: Int128($0.raw) ?? 0) }
            var macStream = stream
            macStream.row = 1
            let out = try rawA.withUnsafeBufferPointer { pa in
                try rawB.withUnsafeBufferPointer { pb in try mac.dot(pa, pb, stochastic: macStream) }
            }
            let exactQ = ExactReference.exactDot(
                a: rawA.map { ca.format.raw(fromBits: $0) }, aFormat: ca.format,
                b: rawB.map { cb.format.raw(fromBits: $0) }, bFormat: cb.format)
            let typed = try ExactReference.dot(av, bv)
            let outValue = ExactReference.value(raw: out, format: cout.format)
            let err = ExactReference.errorInULPs(raw: out, format: cout.format, exact: exactQ)
            let errTyped = ExactReference.errorInULPs(raw: out, format: cout.format, exact: typed)
            let bound = AccumulatorBound.minimumWidth(a: ca.format, b: cb.format, terms: n)
            let exactAcc: Bool = mac.sumIsExact(terms: n)
            let datapath = Result(
                format: cout.format.description, raw: String(out),
                value: outValue.terminatingDecimal ?? outValue.description,
                errorUlps: err.nearestDouble, errorUlpsExact: err.description)
            let roundedRaw = String(ExactReference.round(exactQ, into: cout))
            let exact = Exact(
                value: exactQ.description, decimal: exactQ.terminatingDecimal, typed: typed.description,
                roundedRaw: roundedRaw)
            let report = Report(
                length: n, a: qa, b: qb, inputFormat: ca.description, bFormat: cb.description,
                product: cp.description, accumulator: cacc.description, output: cout.description,
                datapath: datapath, exact: exact, errorUlpsVsTyped: errTyped.nearestDouble,
                accumulatorBoundBits: bound, accumulatorIsExact: exactAcc)
            if json {
                Console.out(try JSONReport.text(report))
                return
            }
            Console.out("a: \(ca)   b: \(cb)")
            Console.out(
                fxTable(
                    ["a", "raw", "value", "b", "raw", "value"],
                    zip(qa, qb).map { [$0.input, $0.raw, $0.value, $1.input, $1.raw, $1.value] }))
            Console.out("product \(cp)   accumulator \(cacc)   output \(cout)")
            Console.out("datapath   raw \(out)  value \(report.datapath.value)")
            Console.out(
                "exact      \(exactQ)\(exactQ.terminatingDecimal.map { " = \($0)" } ?? "")  (quantized operands; "
                    + "rounded into the output: raw \(report.exact.roundedRaw))"
            )
            Console.out("typed      \(typed)  (the values as typed)")
            Console.out(
                String(
                    format: "error      %+.6g ULP vs exact, %+.6g ULP vs typed", err.nearestDouble,
                    errTyped.nearestDouble))
            Console.out(
                "bound      exact accumulation of \(n) products needs \(bound) accumulator bits at "
                    + "\(ca.format.fracBits + cb.format.fracBits) fraction bits: "
                    + (exactAcc ? "this accumulator is exact" : "this datapath may round or overflow"))
        }
    }
}
