/// How a value between two representable neighbours is rounded (ac_fixed names as raw values).
///
/// With x the exact value in ULPs and f its fractional part: TRN gives floor(x); TRN_ZERO truncates toward zero; the RND
/// family rounds to the nearest and differs only on ties (f = 1/2); STOCHASTIC rounds up with probability
/// floor(f * 2^32) / 2^32, driven by a counter-based Philox stream (see `StochasticStream`).
public enum Quantization: String, CaseIterable, Sendable, Codable {
    /// Floor (toward minus infinity): what dropping low bits of a two's complement number does.
    case truncate = "TRN"
    /// Toward zero (sign-magnitude truncation).
    case truncateToZero = "TRN_ZERO"
    /// Nearest, ties toward plus infinity (add half an ULP, then truncate).
    case roundHalfUp = "RND"
    /// Nearest, ties toward zero.
    case roundHalfToZero = "RND_ZERO"
    /// Nearest, ties away from zero.
    case roundHalfAwayFromZero = "RND_INF"
    /// Nearest, ties toward minus infinity.
    case roundHalfDown = "RND_MIN_INF"
    /// Nearest, ties to even (convergent rounding; IEEE default).
    case roundHalfToEven = "RND_CONV"
    /// Nearest, ties to odd.
    case roundHalfToOdd = "RND_CONV_ODD"
    /// Up with probability equal to the top 32 bits of the discarded fraction.
    case stochastic = "STOCHASTIC"

    /// Case-insensitive lookup by ac_fixed name (`rnd_conv`, `RND_CONV`); also accepts `AC_` prefixes and `SR`.
    public static func parse(_ name: String) throws -> Quantization {
        var n = name.trimmingWhitespace().uppercased()
        if n.hasPrefix("AC_") { n.removeFirst(3) }
        if n == "SR" || n == "STOCH" { return .stochastic }
        guard let q = Quantization(rawValue: n) else {
            throw FixedPointError(
                .invalidMode,
                "unknown rounding mode '\(name)': expected one of \(Quantization.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return q
    }
}

/// What happens when a rounded value lies outside the format's range (ac_fixed names as raw values).
public enum Overflow: String, CaseIterable, Sendable, Codable {
    /// Keep the low W bits (two's complement wrap-around; modular arithmetic).
    case wrap = "WRAP"
    /// Clamp to the largest or smallest representable value.
    case saturate = "SAT"
    /// Any overflow gives 0.
    case saturateToZero = "SAT_ZERO"
    /// Clamp to +-max, so the most negative code (-2^(W-1)) is never produced; for unsigned formats the same as SAT.
    case saturateSymmetric = "SAT_SYM"

    /// Case-insensitive lookup (`sat`, `SAT`, `AC_SAT`).
    public static func parse(_ name: String) throws -> Overflow {
        var n = name.trimmingWhitespace().uppercased()
        if n.hasPrefix("AC_") { n.removeFirst(3) }
        guard let o = Overflow(rawValue: n) else {
            throw FixedPointError(
                .invalidMode,
                "unknown overflow mode '\(name)': expected one of \(Overflow.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return o
    }
}
