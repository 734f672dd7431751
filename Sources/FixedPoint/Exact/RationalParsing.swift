import CGMP

extension Rational {
    /// Largest decimal or binary exponent accepted in a literal (keeps parsing from allocating gigabytes).
    public static let maxLiteralExponent = 100_000

    /// Parses a number exactly, never through Double:
    /// - decimals with optional exponent: `0.1`, `-1.5e-3`, `12`, `.5`
    /// - C99 hex floats: `0x1.8p-3`, `-0xA`, `0x.1p4`
    /// - rationals: `1/3`, `-2/7`, `0.5/3` (each side any of the above)
    public convenience init(parsing text: String) throws {
        let t = text.trimmingWhitespace()
        if let slash = t.firstIndex(of: "/") {
            let n = try Rational.parseLiteral(String(t[..<slash]), whole: text)
            let d = try Rational.parseLiteral(String(t[t.index(after: slash)...]), whole: text)
            guard d.signum != 0 else {
                throw FixedPointError(.invalidValue, "invalid number '\(text)': zero denominator")
            }
            self.init(copying: try Rational.divide(n, d))
        } else {
            self.init(copying: try Rational.parseLiteral(t, whole: text))
        }
    }

    static func parseLiteral(_ s: String, whole: String) throws -> Rational {
        func fail(_ why: String = "expected a decimal (0.1, 1e-3), a hex float (0x1.8p-3) or a rational (1/3)")
            -> FixedPointError
        {
            FixedPointError(.invalidValue, "invalid number '\(whole)': \(why)")
        }
        var body = Substring(s.trimmingWhitespace())
        var negative = false
        if body.first == "-" {
            negative = true; body = body.dropFirst()
        } else if body.first == "+" {
            body = body.dropFirst()
        }
        let hex = body.lowercased().hasPrefix("0x")
        if hex { body = body.dropFirst(2) }
        let expMarker: Set<Character> = hex ? ["p", "P"] : ["e", "E"]
        var mantissa = body
        var exponent = 0
        if let e = body.firstIndex(where: { expMarker.contains($0) }) {
            mantissa = body[..<e]
            let expText = body[body.index(after: e)...]
            guard let x = Int(expText), abs(x) <= maxLiteralExponent else {
                throw fail("exponent '\(expText)' must be an integer in -\(maxLiteralExponent)...\(maxLiteralExponent)")
            }
            exponent = x
        }
        var intDigits = mantissa
        var fracDigits = Substring("")
        if let dot = mantissa.firstIndex(of: ".") {
            intDigits = mantissa[..<dot]
            fracDigits = mantissa[mantissa.index(after: dot)...]
        }
        let isDigit: (Character) -> Bool = hex ? { $0.isASCII && $0.isHexDigit } : { $0.isASCII && $0.isNumber }
        guard !(intDigits.isEmpty && fracDigits.isEmpty), intDigits.allSatisfy(isDigit), fracDigits.allSatisfy(isDigit)
        else {
            throw fail()
        }
        let digits = String(intDigits) + String(fracDigits)
        guard let m = BigInt(digits, radix: hex ? 16 : 10) else { throw fail() }
        let r = Rational(m)
        if hex {
            // Each hex fraction digit is 4 bits; the p exponent is binary.
            r.scale(byPowerOfTwo: exponent - 4 * fracDigits.count)
        } else {
            let e = exponent - fracDigits.count
            let p = Rational(BigInt.power(10, abs(e)))
            let scaled = e >= 0 ? r * p : try Rational.divide(r, p)
            return negative ? -scaled : scaled
        }
        return negative ? -r : r
    }
}

extension BigInt {
    /// base^exponent for exponent >= 0.
    public static func power(_ base: UInt, _ exponent: Int) -> BigInt {
        let r = BigInt()
        __gmpz_ui_pow_ui(r.z, base, UInt(max(0, exponent)))
        return r
    }
}
