/// A binary fixed-point format: `width` bits holding an integer `raw`, read as `raw * 2^-fracBits`.
///
/// `intBits` counts the sign bit for signed formats (the ac_fixed<W, I, S> and APyFixed(int_bits, frac_bits)
/// convention), so `s3.12` is 15 bits wide and holds [-4, 4 - 2^-12]. `intBits` may be negative (all bits are below the
/// binary point: `s-2.10` holds multiples of 2^-10 in [-1/8, 1/8)) or exceed the width (`fracBits` negative: `u12.-4`
/// holds multiples of 16).
///
/// Value formats are at most 64 bits wide (a raw value then fits an `Int64` bit pattern); accumulator formats may be up
/// to 128 bits (signed) or 127 bits (unsigned), the range the fast path carries in `Int128`.
public struct FixedFormat: Hashable, Sendable, CustomStringConvertible {
    public let isSigned: Bool
    /// Integer bits, including the sign bit for signed formats.
    public let intBits: Int
    /// Fraction bits: the value of one raw step (one ULP) is 2^-fracBits.
    public let fracBits: Int

    /// Largest width of a value (operand) format.
    public static let maxValueWidth = 64
    /// Largest width of an accumulator format (signed; unsigned accumulators stop at 127 bits).
    public static let maxAccumulatorWidth = 128
    /// Bound on |intBits| and |fracBits|: keeps every scale a sane shift.
    public static let maxBinaryPointOffset = 4096

    /// Total width in bits.
    @inlinable public var width: Int { intBits &+ fracBits }

    /// Creates a format, rejecting widths outside 1...128 (1...127 unsigned) and absurd binary-point positions.
    public init(signed: Bool, intBits: Int, fracBits: Int) throws {
        let limit = FixedFormat.maxBinaryPointOffset
        guard (-limit...limit).contains(intBits), (-limit...limit).contains(fracBits) else {
            throw FixedPointError(
                .invalidFormat,
                "fixed-point format \(FixedFormat.spell(signed, intBits, fracBits)): integer and fraction bits must lie in -\(limit)...\(limit)"
            )
        }
        let w = intBits + fracBits
        let maxW = signed ? FixedFormat.maxAccumulatorWidth : FixedFormat.maxAccumulatorWidth - 1
        guard w >= 1 && w <= maxW else {
            throw FixedPointError(
                .invalidFormat,
                "fixed-point format \(FixedFormat.spell(signed, intBits, fracBits)) is \(w) bits wide: expected a width (integer + fraction bits) in 1...\(maxW)"
            )
        }
        self.isSigned = signed
        self.intBits = intBits
        self.fracBits = fracBits
    }

    /// The ac_fixed<W, I, S> spelling: total width and integer bits.
    public init(width: Int, intBits: Int, signed: Bool) throws {
        guard (-FixedFormat.maxBinaryPointOffset...FixedFormat.maxBinaryPointOffset).contains(width) else {
            throw FixedPointError(
                .invalidFormat, "fixed-point width \(width): expected 1...\(FixedFormat.maxAccumulatorWidth)")
        }
        try self.init(signed: signed, intBits: intBits, fracBits: width - intBits)
    }

    /// Used only where the bit counts are already known valid (derived formats).
    @usableFromInline init(uncheckedSigned signed: Bool, intBits: Int, fracBits: Int) {
        self.isSigned = signed
        self.intBits = intBits
        self.fracBits = fracBits
    }

    /// Throws unless the format can hold operand values (width <= 64), naming `role` in the message.
    public func requireValueFormat(_ role: String = "value") throws {
        guard width <= FixedFormat.maxValueWidth else {
            throw FixedPointError(
                .invalidFormat,
                "\(role) format \(self) is \(width) bits wide: value formats hold at most \(FixedFormat.maxValueWidth) bits (only accumulators may be wider)"
            )
        }
    }

    /// The canonical spelling, `s3.12` or `u0.8`.
    public var description: String { FixedFormat.spell(isSigned, intBits, fracBits) }

    static func spell(_ signed: Bool, _ i: Int, _ f: Int) -> String { "\(signed ? "s" : "u")\(i).\(f)" }

    /// Smallest raw value.
    /// The lowest raw value saturation keeps under `mode`: -rawMax for SAT_SYM of a signed format, else rawMin.
    @inlinable public func lowestKept(under mode: Overflow) -> Int128 {
        mode == .saturateSymmetric && isSigned ? 0 &- rawMax : rawMin
    }

    @inlinable public var rawMin: Int128 { isSigned ? Int128.min >> (128 &- width) : 0 }
    /// Largest raw value.
    @inlinable public var rawMax: Int128 {
        isSigned ? Int128.max >> (128 &- width) : (Int128(1) << width) &- 1
    }

    /// The raw value stored in the low `width` bits of `bits` (sign-extended when signed). Buffers of a value format
    /// hold raw values this way, so every bit pattern reads as an in-range value.
    @inlinable public func raw(fromBits bits: Int64) -> Int128 {
        let up = 64 &- width
        if up <= 0 { return isSigned ? Int128(bits) : Int128(UInt64(bitPattern: bits)) }
        return isSigned ? Int128((bits << up) >> up) : Int128((UInt64(bitPattern: bits) << up) >> up)
    }

    /// Whether `raw` lies in the format's range.
    @inlinable public func contains(raw: Int128) -> Bool { raw >= rawMin && raw <= rawMax }
}

extension FixedFormat {
    /// The format that holds every exact product of a value in `a` and a value in `b` (no rounding, no overflow).
    ///
    /// Width Wa + Wb (Wa + Wb - 1 would miss only (-2^(Wa-1)) * (-2^(Wb-1)) for signed operands, which real
    /// multipliers must still represent).
    public static func exactProduct(_ a: FixedFormat, _ b: FixedFormat) throws -> FixedFormat {
        let signed = a.isSigned || b.isSigned
        let w = a.width + b.width
        guard w <= (signed ? 128 : 127) else {
            throw FixedPointError(
                .unsupported,
                "exact product of \(a) and \(b) needs \(w) bits: the datapath carries at most \(signed ? 128 : 127)")
        }
        return try FixedFormat(signed: signed, intBits: a.intBits + b.intBits, fracBits: a.fracBits + b.fracBits)
    }

    /// The format that holds every exact sum or difference of a value in `a` and a value in `b`.
    public static func exactSum(_ a: FixedFormat, _ b: FixedFormat) throws -> FixedFormat {
        let f = max(a.fracBits, b.fracBits)
        // Unsigned minus unsigned can go negative, so sums are signed whenever a subtraction may happen.
        let i = max(a.intBits + (a.isSigned ? 0 : 1), b.intBits + (b.isSigned ? 0 : 1)) + 1
        guard i + f <= 128 else {
            throw FixedPointError(
                .unsupported,
                "exact sum of \(a) and \(b) needs \(i + f) bits after aligning binary points: the datapath carries at most 128"
            )
        }
        return try FixedFormat(signed: true, intBits: i, fracBits: f)
    }
}
