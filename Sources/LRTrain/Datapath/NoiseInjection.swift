import FixedPoint
import Foundation
import LRCore

/// Adds sigma * eps to a dense layer's accumulator and rounds the sum once into the activations format.
///
/// sigma is a constant register with a 16-bit significand: sigma_raw = round(sigma * 2^Fs), Fs = 15 - floor(log2 sigma),
/// so sigma_raw lies in [2^15, 2^16]. eps is the unit noise in the noise format. The exact sum acc + sigma_raw * eps is
/// formed at Fsum = max(F_acc, Fs + F_noise) fraction bits (in Int128, or GMP when it does not fit)
/// and rounded once, as the clean write-back is.
struct NoiseInjection: Sendable {
    let accumulator: FixedFormat
    let noise: FixedFormat
    let activations: FixedConfig
    let sigmaRaw: Int128
    let sigmaFrac: Int
    let sumFrac: Int
    let accShift: Int
    let noiseShift: Int
    /// The same sum in Int64 lanes, rounded by a vectorised requantizer (deterministic activation rounding, every
    /// aligned sum below 2^62); nil otherwise.
    let fast: Int64Requantizer?
    /// The same for stochastic activation rounding (the words come from the caller's stream); nil otherwise.
    let stochasticFast: StochasticRequantizer?

    init(sigma: Float, accumulator: FixedFormat, noise: FixedFormat, activations: FixedConfig) throws {
        guard sigma > 0, sigma.isFinite else {
            throw DatapathError("sigma \(sigma): expected a positive finite noise scale")
        }
        let e = Int(Foundation.floor(Foundation.log2(Double(sigma))))
        sigmaFrac = 15 - e
        sigmaRaw = Int128((Double(sigma) * Double(sign: .plus, exponent: sigmaFrac, significand: 1)).rounded())
        self.accumulator = accumulator
        self.noise = noise
        self.activations = activations
        let productFrac = sigmaFrac + noise.fracBits
        sumFrac = max(accumulator.fracBits, productFrac)
        accShift = sumFrac - accumulator.fracBits
        noiseShift = sumFrac - productFrac
        guard accShift <= 120, noiseShift <= 120 else {
            throw DatapathError(
                "noise injection: accumulator \(accumulator) and sigma x noise \(noise) are \(max(accShift, noiseShift)) bits apart; the datapath aligns at most 120"
            )
        }
        let magnitude = { (f: FixedFormat) in max(f.rawMax, 0 - f.rawMin) }
        if accShift < 62, noiseShift < 62, accumulator.width <= 62, noise.width <= 40 {
            let bound = (magnitude(accumulator) << accShift) + ((sigmaRaw * magnitude(noise)) << noiseShift)
            fast = Int64Requantizer(fracBits: sumFrac, bound: bound, into: activations)
            stochasticFast = StochasticRequantizer(fracBits: sumFrac, bound: bound, into: activations)
        } else {
            fast = nil
            stochasticFast = nil
        }
    }

    /// The noisy output raw value for an accumulator `acc` and a raw noise value `eps` (already negated for an
    /// antithetic copy).
    @inline(__always)
    func noisy(_ acc: Int128, _ eps: Int128, random: UInt32 = 0) -> Int128 {
        // Overflow-checked Int128 arithmetic; a sum that leaves 128 bits (only with accumulators near 128 bits wide
        // holding huge values) is rounded by the exact GMP path instead, so the result is always the exact sum rounded.
        let (a, o1) = acc.multipliedReportingOverflow(by: Int128(1) << accShift)
        let (p, o2) = sigmaRaw.multipliedReportingOverflow(by: eps)
        let (q, o3) = p.multipliedReportingOverflow(by: Int128(1) << noiseShift)
        let (s, o4) = a.addingReportingOverflow(q)
        if !(o1 || o2 || o3 || o4) {
            return FixedArithmetic.quantize(s, fracBits: sumFrac, into: activations, random: random)
        }
        let exact = ExactReference.value(raw: acc, format: accumulator)
        let n = Rational(raw: sigmaRaw &* eps, fracBits: sigmaFrac + noise.fracBits)
        return ExactReference.round(exact + n, into: activations, random: random)
    }

    /// One row of noisy outputs rounded by `stochasticFast`: element j of `row` uses word row * count + j of `stream`,
    /// made in bulk per chunk on the stack.
    @inline(__always)
    func applyStochastic(
        _ q: StochasticRequantizer, _ acc: UnsafePointer<Int64>, _ eps: UnsafePointer<Int64>, row: Int,
        count: Int, stream: StochasticStream, into out: UnsafeMutablePointer<Int64>
    ) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: StochasticStream.chunk) { wb in
            let w = wb.baseAddress!
            var j = 0
            while j < count {
                let n = min(StochasticStream.chunk, count &- j)
                stream.words(from: row &* count &+ j, count: n, into: w)
                q.applySum(
                    acc + j, shiftA: accShift, eps + j, scale: Int64(sigmaRaw), shiftB: noiseShift, words: w,
                    count: n, into: out + j)
                j &+= n
            }
        }
    }

    /// The value sigma is held as.
    var sigmaValue: Double { Double(sigmaRaw) * Double(sign: .plus, exponent: -sigmaFrac, significand: 1) }
}
