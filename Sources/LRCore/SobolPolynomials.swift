import Foundation

/// Primitive polynomials over GF(2), generated here (there is no table to download): every polynomial of degree
/// `s` with constant term 1, in increasing order of its coefficient bits, kept if `x` has multiplicative order
/// `2^s - 1` modulo it (which also proves it irreducible). This is the order used by Joe and Kuo's tables.
///
/// A polynomial is stored as its coefficient bits: `x^3 + x + 1` is `0b1011`.
package enum SobolPolynomials {
    /// The first `count` primitive polynomials, by degree then value; cached for the process.
    package static func first(_ count: Int) -> [UInt32] {
        cache.lock.lock()
        defer { cache.lock.unlock() }
        while cache.list.count < count {
            cache.degree += 1
            cache.list += primitive(degree: cache.degree)
        }
        return Array(cache.list.prefix(count))
    }

    /// All primitive polynomials of `degree` (1...31), in increasing order.
    package static func primitive(degree s: Int) -> [UInt32] {
        precondition(s >= 1 && s <= 31, "degree \(s) is outside 1...31")
        let order = (UInt64(1) << s) - 1
        let cofactors = primeFactors(order).map { order / $0 }
        var out: [UInt32] = []
        var p = (UInt64(1) << s) | 1
        while p < UInt64(1) << (s + 1) {
            if powerOfX(order, modulo: p, degree: s) == 1
                && cofactors.allSatisfy({ powerOfX($0, modulo: p, degree: s) != 1 })
            {
                out.append(UInt32(p))
            }
            p += 2
        }
        return out
    }

    /// `x^e mod p` by left-to-right square-and-multiply; multiplying by `x` is a shift.
    @usableFromInline
    static func powerOfX(_ e: UInt64, modulo p: UInt64, degree s: Int) -> UInt64 {
        var r: UInt64 = 1
        var bit = 63 - e.leadingZeroBitCount
        while bit >= 0 {
            r = multiply(r, r, modulo: p, degree: s)
            if (e >> UInt64(bit)) & 1 == 1 {
                r <<= 1
                if (r >> UInt64(s)) & 1 == 1 { r ^= p }
            }
            bit -= 1
        }
        return r
    }

    /// Carry-less product reduced modulo `p` (both operands of degree < s).
    static func multiply(_ a: UInt64, _ b: UInt64, modulo p: UInt64, degree s: Int) -> UInt64 {
        var acc: UInt64 = 0
        var x = a, y = b
        while y != 0 {
            if y & 1 == 1 { acc ^= x }
            y >>= 1
            x <<= 1
            if (x >> UInt64(s)) & 1 == 1 { x ^= p }
        }
        return acc
    }

    static func primeFactors(_ n: UInt64) -> [UInt64] {
        var out: [UInt64] = []
        var m = n, d: UInt64 = 2
        while d * d <= m {
            if m % d == 0 { out.append(d); while m % d == 0 { m /= d } }
            d += 1
        }
        if m > 1 { out.append(m) }
        return out
    }

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var list: [UInt32] = []
        var degree = 0
    }
    private static let cache = Cache()
}
