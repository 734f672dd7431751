import ArgumentParser
import FixedPoint
import Foundation

/// `lrsim fx`: check fixed-point numbers by hand against the exact GMP reference.
struct FxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fx",
        abstract: "Quantize numbers and evaluate dot products in fixed point, next to the exact GMP value.",
        discussion: """
            Formats: sI.F (signed, I integer bits counting the sign bit, F fraction bits; W = I + F), uI.F (unsigned), \
            Qm.n (TI/ARM: m integer bits plus a sign bit, so Q3.12 = s4.12), ac_fixed<W,I,S>.
            Rounding: TRN TRN_ZERO RND RND_ZERO RND_INF RND_MIN_INF RND_CONV RND_CONV_ODD STOCHASTIC.
            Overflow: WRAP SAT SAT_ZERO SAT_SYM.
            Values are parsed exactly (never through a Double): decimals (0.1, -2.5e-3), hex floats (0x1.8p-3) and \
            rationals (1/3). Values that start with '-' work as plain arguments; in a list option write --a=-1,2.

            Examples:
              lrsim fx quantize --format s3.12 --mode RND_CONV --overflow SAT 0.1 -1/3 0x1p-13 5
              lrsim fx dot --a 0.5,-0.25,1/3 --b 1,2,3 --input-format s1.15 --product-format s2.30 --acc-format s8.30 \
            --json
            See docs/fixed-point.md.
            """,
        subcommands: [FxQuantize.self, FxDot.self]
    )
}

/// A user mistake in an fx option or value; printed as one `error: ...` line.
struct FxInputError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Shared parsing of the fx options: one-line errors for anything malformed.
enum FxParse {
    static func config(format: String, mode: String, overflow: String, role: String) throws -> FixedConfig {
        do {
            return try FixedConfig(format: format, rounding: mode, overflow: overflow)
        } catch let e as FixedPointError {
            throw FxInputError("\(role): \(e.description)")
        }
    }

    static func values(_ items: [String], option: String) throws -> [Rational] {
        guard !items.isEmpty else { throw FxInputError("\(option): expected at least one value") }
        return try items.enumerated().map { i, s in
            do { return try Rational(parsing: s) } catch let e as FixedPointError {
                throw FxInputError("\(option) value \(i + 1): \(e.description)")
            }
        }
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// One quantized value, as reported by `fx quantize` and for the operands of `fx dot` (JSON keys snake_case:
/// `error_ulps`, `error_ulps_exact`).
struct FxQuantized: Codable, Equatable {
    /// The text as typed.
    var input: String
    /// The stored integer.
    var raw: String
    /// The stored value as an exact decimal.
    var value: String
    /// The input's exact value (GMP rational, "n/d" or "n").
    var exact: String
    /// (value - exact) / ULP, as a double.
    var errorUlps: Double
    /// The same error as an exact rational.
    var errorUlpsExact: String
    /// Whether the input lay outside the format's range (the overflow mode decided the result).
    var overflowed: Bool

    init(input: String, exact: Rational, config: FixedConfig, random: UInt32) {
        let raw = ExactReference.round(exact, into: config, random: random)
        let value = ExactReference.value(raw: raw, format: config.format)
        let err = ExactReference.errorInULPs(raw: raw, format: config.format, exact: exact)
        self.input = input
        self.raw = String(raw)
        self.value = value.terminatingDecimal ?? value.description
        self.exact = exact.description
        self.errorUlps = err.nearestDouble
        self.errorUlpsExact = err.description
        let f = config.format
        self.overflowed =
            exact < ExactReference.value(raw: f.rawMin, format: f)
            || exact > ExactReference.value(raw: f.rawMax, format: f)
    }
}

/// A format's description with its width and ULP, for text output.
func fxDescribe(_ c: FixedConfig) -> String {
    let f = c.format
    return
        "\(f) (\(f.isSigned ? "signed" : "unsigned"), \(f.width) bits, ULP 2^\(-f.fracBits)), "
        + "\(c.rounding.rawValue), \(c.overflow.rawValue)"
}
