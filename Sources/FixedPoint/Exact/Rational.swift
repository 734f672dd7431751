import CGMP

/// An exact rational number on GMP's mpq_t (always in canonical form: lowest terms, positive denominator).
public final class Rational: CustomStringConvertible, Comparable, Hashable, @unchecked Sendable {
    @usableFromInline let q: UnsafeMutablePointer<__mpq_struct>

    public init() {
        q = .allocate(capacity: 1)
        __gmpq_init(q)
    }

    deinit {
        __gmpq_clear(q)
        q.deallocate()
    }

    public convenience init(_ v: Int) {
        self.init()
        __gmpz_set_si(lrsim_mpq_numref(q), v)
    }

    /// n / d; throws when d is zero.
    public convenience init(_ n: BigInt, _ d: BigInt) throws {
        guard d.signum != 0 else { throw FixedPointError(.invalidValue, "rational with zero denominator") }
        self.init()
        __gmpz_set(lrsim_mpq_numref(q), n.z)
        __gmpz_set(lrsim_mpq_denref(q), d.z)
        __gmpq_canonicalize(q)
    }

    public convenience init(_ n: BigInt) {
        self.init()
        __gmpz_set(lrsim_mpq_numref(q), n.z)
    }

    /// raw * 2^-fracBits: the exact value of a fixed-point number.
    public convenience init(raw: Int128, fracBits: Int) {
        self.init(BigInt(raw))
        scale(byPowerOfTwo: -fracBits)
    }

    /// The exact binary value of a finite Double (nil for NaN and infinities).
    public convenience init?(exactly x: Double) {
        guard x.isFinite else { return nil }
        let (v, f) = FixedArithmetic.exactScaled(x)
        self.init(raw: v, fracBits: f)
    }

    /// The exact binary value of a finite Float (nil for NaN and infinities).
    public convenience init?(exactly x: Float) {
        guard x.isFinite else { return nil }
        let (v, f) = FixedArithmetic.exactScaled(x)
        self.init(raw: v, fracBits: f)
    }

    public convenience init(copying other: Rational) {
        self.init()
        __gmpq_set(q, other.q)
    }

    /// self *= 2^k (k may be negative), in place.
    public func scale(byPowerOfTwo k: Int) {
        if k >= 0 { __gmpq_mul_2exp(q, q, UInt(k)) } else { __gmpq_div_2exp(q, q, UInt(-k)) }
    }

    public var numerator: BigInt { let r = BigInt(); __gmpz_set(r.z, lrsim_mpq_numref(q)); return r }
    public var denominator: BigInt { let r = BigInt(); __gmpz_set(r.z, lrsim_mpq_denref(q)); return r }
    public var signum: Int { Int(lrsim_mpq_sgn(q)) }

    /// GMP's spelling: "n/d", or "n" for integers.
    public var description: String {
        let n = Int(__gmpz_sizeinbase(lrsim_mpq_numref(q), 10)) + Int(__gmpz_sizeinbase(lrsim_mpq_denref(q), 10)) + 3
        var buf = [CChar](repeating: 0, count: n + 1)
        __gmpq_get_str(&buf, 10, q)
        return String(cString: buf)
    }

    /// The nearest Double (GMP truncates toward zero; good enough for display and error estimates).
    public var doubleValue: Double { __gmpq_get_d(q) }

    /// The value as a decimal string when the denominator is a power of two (or 5, or 10), which is exact: such a
    /// rational has a finite decimal expansion. Other rationals give `nil`.
    public var terminatingDecimal: String? {
        let d = denominator
        // d = 2^a 5^b exactly when it divides 10^k for k = max(a, b) <= bit width.
        let k = d.bitWidth
        let tenK = BigInt(1)
        __gmpz_ui_pow_ui(tenK.z, 10, UInt(k))
        let (scaledQ, r) = BigInt.floorDivide(numerator * tenK, d)
        guard r.signum == 0 else { return nil }
        let negative = scaledQ.signum < 0
        var digits = (negative ? -scaledQ : scaledQ).description
        if k > 0 {
            if digits.count <= k { digits = String(repeating: "0", count: k - digits.count + 1) + digits }
            let point = digits.index(digits.endIndex, offsetBy: -k)
            let fracAll = digits[point...]
            // Trailing zeros dropped in one pass (dropLast in a loop is quadratic on long expansions).
            let frac =
                fracAll.lastIndex(where: { $0 != "0" }).map { fracAll[...$0] }
                ?? fracAll[fracAll.startIndex..<fracAll.startIndex]
            digits = String(digits[..<point]) + (frac.isEmpty ? "" : "." + frac)
        }
        return (negative ? "-" : "") + digits
    }

    public static func == (a: Rational, b: Rational) -> Bool { __gmpq_equal(a.q, b.q) != 0 }
    public static func < (a: Rational, b: Rational) -> Bool { __gmpq_cmp(a.q, b.q) < 0 }
    public func hash(into h: inout Hasher) { h.combine(description) }

    public static func + (a: Rational, b: Rational) -> Rational {
        let r = Rational(); __gmpq_add(r.q, a.q, b.q); return r
    }
    public static func - (a: Rational, b: Rational) -> Rational {
        let r = Rational(); __gmpq_sub(r.q, a.q, b.q); return r
    }
    public static func * (a: Rational, b: Rational) -> Rational {
        let r = Rational(); __gmpq_mul(r.q, a.q, b.q); return r
    }
    public static prefix func - (a: Rational) -> Rational { let r = Rational(); lrsim_mpq_neg(r.q, a.q); return r }

    /// a / b; throws on division by zero.
    public static func divide(_ a: Rational, _ b: Rational) throws -> Rational {
        guard b.signum != 0 else { throw FixedPointError(.invalidValue, "division by zero") }
        let r = Rational()
        __gmpq_div(r.q, a.q, b.q)
        return r
    }

    /// self += x (in place).
    public func formSum(_ x: Rational) { __gmpq_add(q, q, x.q) }

    /// |self|.
    public var magnitude: Rational { let r = Rational(); lrsim_mpq_abs(r.q, q); return r }
}

extension Rational {
    /// The nearest Double (to 40 significant decimal digits first, then Swift's correctly rounded parser): unlike
    /// `doubleValue`, 2/5 gives 0.4, not the Double below it.
    public var nearestDouble: Double {
        if signum == 0 { return 0 }
        if let d = terminatingDecimal, d.count <= 800, let v = Double(d) { return v }
        let n = numerator.magnitudeString.count, d = denominator.description.count
        let k = 40 - (n - d)
        let num = k >= 0 ? numerator * BigInt.power(10, k) : numerator
        let den = k >= 0 ? denominator : denominator * BigInt.power(10, -k)
        let q = BigInt.floorDivide(num, den).quotient
        // Truncation toward minus infinity then parsing: within 1e-39 relative of the exact value.
        return Double("\(q)e\(-k)") ?? doubleValue
    }
}

extension BigInt {
    /// Decimal digits of |self|.
    var magnitudeString: String { (signum < 0 ? -self : self).description }
}
