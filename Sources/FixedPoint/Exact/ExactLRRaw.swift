import CGMP
import LRCore

/// The exact LR gradient of fixed-point operands at replay speed, and its comparison with a datapath result.
///
/// `lrGradient(datapath:...)` builds a `BigInt` per product; a replayed MLP step has ~25 M products, so this variant
/// runs the same sums as GMP multiply-adds on raw `mpz_t` pointers laid out with the batch contiguous (no ARC traffic in
/// the inner loop), split over output rows with `Parallel`. The result is the same exact `DyadicMatrix`.
extension ExactReference {
    /// dW[j, i] = sum_b (sum_k L[b, k] * s[b, k, j]) * x[b, i] exactly, for raw operands in the datapath's formats
    /// (losses B x K, scores B x K x J as sign bytes or raw noise, inputs B x I). No rounding anywhere.
    public static func lrGradientRaw<S: FixedWidthInteger>(
        datapath d: LRGradientDatapath, losses: [Int64], scores: [S],
        inputs: [Int64], batch: Int, copies: Int, outputs: Int,
        inputCount: Int
    ) throws -> DyadicMatrix {
        try LRGradientDatapath.requireCount(losses.count, [batch, copies], "losses (B x K)")
        try LRGradientDatapath.requireCount(scores.count, [batch, copies, outputs], "scores (B x K x J)")
        try LRGradientDatapath.requireCount(inputs.count, [batch, inputCount], "inputs (B x I)")
        let scoreFormat = d.reduction.b
        if batch == 0 || outputs == 0 || inputCount == 0 {
            return DyadicMatrix(
                rows: outputs, columns: inputCount,
                mantissas: (0..<(outputs * inputCount)).map { _ in BigInt(0) },
                fracBits: d.lossFormat.fracBits + scoreFormat.fracBits + d.inputFormat.fracBits)
        }
        let isSign: Bool
        if case .sign = d.encoding { isSign = true } else { isSign = false }
        // Step 1: w[b, j] with mpz, stored j-major (w[j * batch + b]) so step 2 walks the batch contiguously.
        let w = (0..<(outputs * batch)).map { _ in BigInt() }
        let x = (0..<(inputCount * batch)).map { _ in BigInt() }
        let wz = w.map(\.z), xz = x.map(\.z)
        let out = (0..<(outputs * inputCount)).map { _ in BigInt() }
        let oz = out.map(\.z)
        withExtendedLifetime((w, x, out)) {
            wz.withUnsafeBufferPointer { wb in
                let wp = wb.baseAddress!
                Parallel.forRanges(count: batch, grain: 1) { samples in
                    let l = BigInt(), s = BigInt()
                    for b in samples {
                        for j in 0..<outputs {
                            let acc = wp[j * batch + b]
                            for k in 0..<copies {
                                setRaw(l.z, d.lossFormat.raw(fromBits: losses[b * copies + k]))
                                let sv = scores[(b * copies + k) * outputs + j]
                                let sr: Int128 =
                                    isSign
                                    ? (sv == 0 ? 1 : -1)
                                    : scoreFormat.raw(fromBits: Int64(truncatingIfNeeded: sv))
                                setRaw(s.z, sr)
                                __gmpz_addmul(acc, l.z, s.z)
                            }
                        }
                    }
                }
            }
            for b in 0..<batch {
                for i in 0..<inputCount {
                    setRaw(xz[i * batch + b], d.inputFormat.raw(fromBits: inputs[b * inputCount + i]))
                }
            }
            wz.withUnsafeBufferPointer { wb in
                xz.withUnsafeBufferPointer { xb in
                    oz.withUnsafeBufferPointer { ob in
                        let wp = wb.baseAddress!, xp = xb.baseAddress!, op = ob.baseAddress!
                        Parallel.forRanges(count: outputs, grain: max(1, outputs / 16)) { js in
                            for j in js {
                                let wj = wp + j * batch
                                for i in 0..<inputCount {
                                    let xi = xp + i * batch
                                    let acc = op[j * inputCount + i]
                                    for b in 0..<batch where wj[b].pointee._mp_size != 0 && xi[b].pointee._mp_size != 0
                                    {
                                        __gmpz_addmul(acc, wj[b], xi[b])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return DyadicMatrix(
            rows: outputs, columns: inputCount, mantissas: out,
            fracBits: d.lossFormat.fracBits + scoreFormat.fracBits + d.inputFormat.fracBits)
    }

    @inline(__always)
    static func setRaw(_ z: UnsafeMutablePointer<__mpz_struct>, _ v: Int128) {
        if let small = Int(exactly: v) {
            __gmpz_set_si(z, small)
        } else {
            lrsim_mpz_set_i128(z, Int64(truncatingIfNeeded: v >> 64), UInt64(truncatingIfNeeded: v))
        }
    }

    /// How a datapath result (raw values in `format`) compares with an exact result.
    public struct Comparison: Sendable {
        /// The exact values rounded once into the datapath's output config (what a wide-enough datapath produces).
        public var exactRounded: [Int128]
        /// Elements whose datapath raw value equals the once-rounded exact value.
        public var bitExactCount: Int
        /// Largest and mean |datapath value - exact value| (the exact value before rounding), as Doubles.
        public var maxAbsError: Double
        public var meanAbsError: Double
        public var count: Int { exactRounded.count }
        public var bitExact: Bool { bitExactCount == count }
    }

    /// Rounds every exact element once into `config` (with `ExactReference.round`) and measures the datapath's error.
    public static func compare(datapath raw: [Int128], config: FixedConfig, exact: DyadicMatrix) throws -> Comparison {
        guard raw.count == exact.mantissas.count else {
            throw FixedPointError(
                .shapeMismatch, "compare: \(raw.count) datapath values but \(exact.mantissas.count) exact values")
        }
        let n = raw.count
        if n == 0 { return Comparison(exactRounded: [], bitExactCount: 0, maxAbsError: 0, meanAbsError: 0) }
        var rounded = [Int128](repeating: 0, count: n)
        var errors = [Double](repeating: 0, count: n)
        let fx = exact.fracBits, fg = config.format.fracBits
        rounded.withUnsafeMutableBufferPointer { rb in
            errors.withUnsafeMutableBufferPointer { eb in
                let rp = rb.baseAddress!, ep = eb.baseAddress!
                Parallel.forRanges(count: n, grain: 2048) { range in
                    let t = BigInt(), m = BigInt()
                    for e in range {
                        rp[e] = round(exact.value(e / exact.columns, e % exact.columns), into: config)
                        // error * 2^max(fx, fg) as an integer, then scaled to a Double.
                        setRaw(t.z, raw[e])
                        __gmpz_set(m.z, exact.mantissas[e].z)
                        let f = max(fx, fg)
                        if f > fg { __gmpz_mul_2exp(t.z, t.z, UInt(f - fg)) }
                        if f > fx { __gmpz_mul_2exp(m.z, m.z, UInt(f - fx)) }
                        __gmpz_sub(t.z, t.z, m.z)
                        var exp = 0
                        let mant = __gmpz_get_d_2exp(&exp, t.z)
                        ep[e] = abs(Double(sign: .plus, exponent: exp - f, significand: 1) * mant)
                    }
                }
            }
        }
        var same = 0, maxE = 0.0, sum = 0.0
        for e in 0..<n {
            if rounded[e] == raw[e] { same += 1 }
            maxE = max(maxE, errors[e])
            sum += errors[e]
        }
        return Comparison(
            exactRounded: rounded, bitExactCount: same, maxAbsError: maxE, meanAbsError: n > 0 ? sum / Double(n) : 0)
    }
}
