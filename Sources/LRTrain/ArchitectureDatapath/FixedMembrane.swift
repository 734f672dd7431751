import FixedPoint
import Foundation

/// A leaky integrate-and-fire membrane in fixed point: `m = beta * v + I (+ sigma * eps)`, the exact sum rounded once
/// into the membrane register's format; a spike when `m >= 1`; reset by subtracting 1.
///
/// v and I are raw in the register's format (the accumulators'); beta is a constant register with a 16-bit significand
/// (beta_raw = round(beta 2^Fb), Fb = 15 - floor(log2 beta)), sigma x eps as `NoiseInjection` holds them. The sum is
/// formed in Int128 at the widest fraction of its terms; a sum that leaves 128 bits is rounded by the exact GMP path
/// instead, so the result is always the exact sum rounded once.
struct FixedMembrane: Sendable {
    let register: FixedConfig
    let betaRaw: Int128
    let betaFrac: Int
    let sigmaRaw: Int128
    let sigmaFrac: Int
    let noiseFrac: Int
    let sumFrac: Int
    /// The threshold (1) raw in the register.
    let threshold: Int128

    init(beta: Float, register: FixedConfig, sigma: NoiseInjection, noise: FixedFormat) throws {
        guard beta > 0, beta.isFinite else { throw DatapathError("membrane decay \(beta): expected a positive number") }
        let e = Int(Foundation.floor(Foundation.log2(Double(beta))))
        betaFrac = 15 - e
        betaRaw = Int128((Double(beta) * Double(sign: .plus, exponent: betaFrac, significand: 1)).rounded())
        self.register = register
        sigmaRaw = sigma.sigmaRaw
        sigmaFrac = sigma.sigmaFrac
        noiseFrac = noise.fracBits
        let f = register.format.fracBits
        sumFrac = max(f + betaFrac, sigmaFrac + noise.fracBits)
        guard sumFrac - f <= 120, sumFrac - sigmaFrac - noise.fracBits <= 120 else {
            throw DatapathError(
                "membrane: register \(register.format) and sigma x noise \(noise) are too far apart to align in 128 bits"
            )
        }
        let one = FixedArithmetic.quantize(1.0, into: register)
        guard FixedArithmetic.toDouble(one, format: register.format) == 1 else {
            throw DatapathError(
                "snn membrane: the threshold 1 is not a value of the accumulators format \(register.format), which holds the membrane"
            )
        }
        threshold = one
    }

    /// The membrane potential after one step from state `v` with input current `current` and optional raw noise `eps`.
    func potential(_ v: Int128, current: Int128, eps: Int128?, random: UInt32) -> Int128 {
        let f = register.format.fracBits
        let (bv, o1) = betaRaw.multipliedReportingOverflow(by: v)
        let (a, o2) = bv.multipliedReportingOverflow(by: Int128(1) << (sumFrac - f - betaFrac))
        let (c, o3) = current.multipliedReportingOverflow(by: Int128(1) << (sumFrac - f))
        var (s, o4) = a.addingReportingOverflow(c)
        var overflow = o1 || o2 || o3 || o4
        if let eps {
            let (p, o5) = sigmaRaw.multipliedReportingOverflow(by: eps)
            let (q, o6) = p.multipliedReportingOverflow(by: Int128(1) << (sumFrac - sigmaFrac - noiseFrac))
            let (t, o7) = s.addingReportingOverflow(q)
            s = t
            overflow = overflow || o5 || o6 || o7
        }
        if !overflow { return FixedArithmetic.quantize(s, fracBits: sumFrac, into: register, random: random) }
        var x =
            Rational(raw: betaRaw, fracBits: betaFrac) * ExactReference.value(raw: v, format: register.format)
            + ExactReference.value(raw: current, format: register.format)
        if let eps { x = x + Rational(raw: sigmaRaw, fracBits: sigmaFrac) * Rational(raw: eps, fracBits: noiseFrac) }
        return ExactReference.round(x, into: register, random: random)
    }

    func fires(_ m: Int128) -> Bool { m >= threshold }

    /// m - 1 (exact, then the register's overflow mode).
    func reset(_ m: Int128) -> Int128 {
        FixedArithmetic.overflow(m - threshold, format: register.format, mode: register.overflow)
    }
}
