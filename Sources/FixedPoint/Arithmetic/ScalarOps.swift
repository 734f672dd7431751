extension FixedArithmetic {
    /// a + b rounded into `result` (operands are raw values in their formats).
    public static func add(
        _ a: Int128, _ fa: FixedFormat, _ b: Int128, _ fb: FixedFormat,
        into result: FixedConfig, random: UInt32 = 0
    ) throws -> Int128 {
        try addOrSubtract(a, fa, b, fb, subtract: false, into: result, random: random)
    }

    /// a - b rounded into `result`.
    public static func subtract(
        _ a: Int128, _ fa: FixedFormat, _ b: Int128, _ fb: FixedFormat,
        into result: FixedConfig, random: UInt32 = 0
    ) throws -> Int128 {
        try addOrSubtract(a, fa, b, fb, subtract: true, into: result, random: random)
    }

    /// a * b rounded into `result`.
    public static func multiply(
        _ a: Int128, _ fa: FixedFormat, _ b: Int128, _ fb: FixedFormat,
        into result: FixedConfig, random: UInt32 = 0
    ) throws -> Int128 {
        let pf = try FixedFormat.exactProduct(fa, fb)
        try requireInRange(a, fa, "left operand")
        try requireInRange(b, fb, "right operand")
        return quantize(a &* b, fracBits: pf.fracBits, into: result, random: random)
    }

    static func addOrSubtract(
        _ a: Int128, _ fa: FixedFormat, _ b: Int128, _ fb: FixedFormat, subtract: Bool,
        into result: FixedConfig, random: UInt32
    ) throws -> Int128 {
        let sf = try FixedFormat.exactSum(fa, fb)
        try requireInRange(a, fa, "left operand")
        try requireInRange(b, fb, "right operand")
        let x = a << (sf.fracBits &- fa.fracBits)
        let y = b << (sf.fracBits &- fb.fracBits)
        return quantize(subtract ? x &- y : x &+ y, fracBits: sf.fracBits, into: result, random: random)
    }

    static func requireInRange(_ raw: Int128, _ f: FixedFormat, _ role: String) throws {
        guard f.contains(raw: raw) else {
            throw FixedPointError(
                .invalidValue, "\(role): raw value \(raw) is outside the range of \(f) (\(f.rawMin)...\(f.rawMax))")
        }
    }
}
