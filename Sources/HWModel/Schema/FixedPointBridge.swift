import FixedPoint

extension RoundingMode {
    /// The FixedPoint quantization mode of the same name.
    public var quantization: Quantization {
        switch self {
        case .TRN: return .truncate
        case .TRN_ZERO: return .truncateToZero
        case .RND: return .roundHalfUp
        case .RND_ZERO: return .roundHalfToZero
        case .RND_INF: return .roundHalfAwayFromZero
        case .RND_MIN_INF: return .roundHalfDown
        case .RND_CONV: return .roundHalfToEven
        case .RND_CONV_ODD: return .roundHalfToOdd
        case .STOCHASTIC: return .stochastic
        }
    }
}

extension OverflowMode {
    /// The FixedPoint overflow mode of the same name.
    public var fixedPointOverflow: Overflow {
        switch self {
        case .WRAP: return .wrap
        case .SAT: return .saturate
        case .SAT_ZERO: return .saturateToZero
        case .SAT_SYM: return .saturateSymmetric
        }
    }
}

extension NumberFormatSpec {
    /// The FixedPoint format. Every spec of a loaded model converts; a spec edited in code to an impossible width
    /// throws the loader's kind of error.
    public func fixedFormat() throws(HWModelError) -> FixedFormat {
        do {
            return try FixedFormat(signed: signed, intBits: intBits, fracBits: fracBits)
        } catch {
            throw HWModelError(origin: .builtin, field: "format", message: "expected a valid fixed-point format, got \(format) (\(error))")
        }
    }

    /// Format, rounding and overflow as FixedPoint's `FixedConfig` (what its quantizers and MAC units take).
    public func fixedConfig() throws(HWModelError) -> FixedConfig {
        FixedConfig(try fixedFormat(), rounding: rounding.quantization, overflow: overflow.fixedPointOverflow)
    }
}
