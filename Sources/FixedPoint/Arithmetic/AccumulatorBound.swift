/// How wide an accumulator must be so that a sum of products can never overflow.
///
/// With exact products accumulated at F_acc = Fa + Fb, a signed accumulator of W bits holds every sum of n products of
/// signed Wa- and Wb-bit operands iff W >= Wa + Wb + floor(log2 n): the extreme product is (-2^(Wa-1)) * (-2^(Wb-1))
/// = 2^(Wa+Wb-2), and n of them must stay <= 2^(W-1) - 1. `minimumWidth` computes the bound exactly for any
/// signedness from the extreme products, so it also covers unsigned and mixed operands.
public enum AccumulatorBound {
    /// The smallest signed accumulator width (fraction bits Fa + Fb) that holds every sum of `terms` products.
    public static func minimumWidth(a: FixedFormat, b: FixedFormat, terms: Int) -> Int {
        let n = BigInt(max(0, terms))
        let extremes = [a.rawMin, a.rawMax].flatMap { x in [b.rawMin, b.rawMax].map { BigInt(x) * BigInt($0) } }
        let hi = n * (extremes.max() ?? BigInt(0))
        let lo = n * (extremes.min() ?? BigInt(0))
        var w = 1
        while w < 4096 {
            let half = BigInt.powerOfTwo(w - 1)
            if hi <= half - BigInt(1) && lo >= -half { return w }
            w += 1
        }
        return w
    }

    /// The closed form for signed operands: Wa + Wb + floor(log2 n) (n >= 1).
    public static func signedClosedForm(aWidth: Int, bWidth: Int, terms: Int) -> Int {
        aWidth + bWidth + (Int.bitWidth - 1 - max(1, terms).leadingZeroBitCount)
    }
}
