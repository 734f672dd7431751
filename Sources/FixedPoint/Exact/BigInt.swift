import CGMP

/// An arbitrary-precision integer on GMP's mpz_t: the exact integer arithmetic behind `ExactReference`.
///
/// The mpz value lives behind a pointer owned by this class (Swift may move a `var` struct, GMP must not be moved), and
/// is cleared in `deinit`. Operators allocate a new value; the `formX` methods update in place for hot loops.
public final class BigInt: CustomStringConvertible, Comparable, Hashable, @unchecked Sendable {
    @usableFromInline let z: UnsafeMutablePointer<__mpz_struct>

    public init() {
        z = .allocate(capacity: 1)
        __gmpz_init(z)
    }

    deinit {
        __gmpz_clear(z)
        z.deallocate()
    }

    public convenience init(_ v: Int) {
        self.init()
        __gmpz_set_si(z, v)
    }

    public convenience init(_ v: Int128) {
        self.init()
        lrsim_mpz_set_i128(z, Int64(truncatingIfNeeded: v >> 64), UInt64(truncatingIfNeeded: v))
    }

    public convenience init(copying other: BigInt) {
        self.init()
        __gmpz_set(z, other.z)
    }

    /// Parses digits in `radix` (2...36), with an optional leading '-'; nil if anything else is present.
    public convenience init?(_ text: String, radix: Int = 10) {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true; digits = digits.dropFirst()
        } else if digits.first == "+" {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, (2...36).contains(radix),
            digits.allSatisfy({ $0.isASCII && $0.isHexDigit || ($0.isASCII && $0.isLetter && radix > 16) })
        else { return nil }
        self.init()
        let ok = String(digits).withCString { __gmpz_set_str(z, $0, Int32(radix)) }
        guard ok == 0 else { return nil }
        if negative { lrsim_mpz_neg(z, z) }
    }

    /// 2^k (k >= 0).
    public static func powerOfTwo(_ k: Int) -> BigInt {
        let r = BigInt(1)
        __gmpz_mul_2exp(r.z, r.z, UInt(max(0, k)))
        return r
    }

    /// -1, 0 or +1.
    public var signum: Int { Int(lrsim_mpz_sgn(z)) }

    /// The value as Int128 when it fits.
    public var int128: Int128? {
        guard self >= BigInt(Int128.min) && self <= BigInt(Int128.max) else { return nil }
        return lowBits128
    }

    /// The low 128 bits in two's complement (the value modulo 2^128).
    public var lowBits128: Int128 {
        var hi: Int64 = 0
        var lo: UInt64 = 0
        lrsim_mpz_get_i128(z, &hi, &lo)
        return (Int128(hi) << 64) | Int128(lo)
    }

    /// Number of bits of |self| (0 for zero).
    public var bitWidth: Int { signum == 0 ? 0 : Int(__gmpz_sizeinbase(z, 2)) }

    public var description: String { toString(radix: 10) }

    public func toString(radix: Int = 10) -> String {
        let n = Int(__gmpz_sizeinbase(z, Int32(radix))) + 2
        var buf = [CChar](repeating: 0, count: n + 1)
        __gmpz_get_str(&buf, Int32(radix), z)
        return String(cString: buf)
    }

    public static func == (a: BigInt, b: BigInt) -> Bool { __gmpz_cmp(a.z, b.z) == 0 }
    public static func < (a: BigInt, b: BigInt) -> Bool { __gmpz_cmp(a.z, b.z) < 0 }
    public func hash(into h: inout Hasher) { h.combine(description) }

    public static func + (a: BigInt, b: BigInt) -> BigInt { let r = BigInt(); __gmpz_add(r.z, a.z, b.z); return r }
    public static func - (a: BigInt, b: BigInt) -> BigInt { let r = BigInt(); __gmpz_sub(r.z, a.z, b.z); return r }
    public static func * (a: BigInt, b: BigInt) -> BigInt { let r = BigInt(); __gmpz_mul(r.z, a.z, b.z); return r }
    public static prefix func - (a: BigInt) -> BigInt { let r = BigInt(); lrsim_mpz_neg(r.z, a.z); return r }

    /// self * 2^k (k may be negative: floor division by 2^-k).
    public func shifted(by k: Int) -> BigInt {
        let r = BigInt()
        if k >= 0 { __gmpz_mul_2exp(r.z, z, UInt(k)) } else { __gmpz_fdiv_q_2exp(r.z, z, UInt(-k)) }
        return r
    }

    /// self += x (in place).
    @inlinable public func formSum(_ x: BigInt) { __gmpz_add(z, z, x.z) }
    /// self -= x (in place).
    @inlinable public func formDifference(_ x: BigInt) { __gmpz_sub(z, z, x.z) }
    /// self += a * b (in place; GMP's addmul).
    @inlinable public func formSumOfProduct(_ a: BigInt, _ b: BigInt) { __gmpz_addmul(z, a.z, b.z) }
    /// self *= 2^k for k >= 0 (in place).
    @inlinable public func formShiftLeft(_ k: Int) { __gmpz_mul_2exp(z, z, UInt(max(0, k))) }
    /// self = v.
    @inlinable public func set(_ v: Int) { __gmpz_set_si(z, v) }
    /// self = v.
    @inlinable public func set(_ v: BigInt) { __gmpz_set(z, v.z) }
    /// self = -self.
    @inlinable public func negate() { lrsim_mpz_neg(z, z) }

    /// (floor(a / b), a - b * floor(a / b)) for b > 0; the remainder lies in [0, b).
    public static func floorDivide(_ a: BigInt, _ b: BigInt) -> (quotient: BigInt, remainder: BigInt) {
        let q = BigInt(), r = BigInt()
        __gmpz_fdiv_qr(q.z, r.z, a.z, b.z)
        return (q, r)
    }

    /// self modulo 2^k, in [0, 2^k).
    public func modPowerOfTwo(_ k: Int) -> BigInt {
        let r = BigInt()
        __gmpz_fdiv_r_2exp(r.z, z, UInt(k))
        return r
    }

    public var isOdd: Bool { lrsim_mpz_odd_p(z) != 0 }
}
