import FixedPoint
import Foundation
import LRCore

/// Activation functions on raw values of the activations format.
///
/// relu, step and identity are exact. tanh and sigmoid model a full lookup table with one entry per input code: the
/// Double-precision function of the exact input value, rounded once into the activations format (the table a
/// hardware generator would fill). Element e of a stochastically rounded call uses word e of `stochastic`.
enum FixedActivation {
    static func apply(
        _ a: Activation, _ x: UnsafeMutablePointer<Int64>, count: Int, config: FixedConfig,
        stochastic: StochasticStream
    ) {
        let f = config.format
        switch a {
        case .identity: return
        case .relu:
            for i in 0..<count { x[i] = max(x[i], 0) }  // branch-free: vectorises
        case .step:
            let one = Int64(truncatingIfNeeded: FixedArithmetic.quantize(1.0, into: config))
            for i in 0..<count { x[i] = x[i] > 0 ? one : 0 }
        case .tanh, .sigmoid:
            let random = config.rounding == .stochastic
            let fn: (Double) -> Double = a == .tanh ? { Foundation.tanh($0) } : { 1 / (1 + Foundation.exp(-$0)) }
            let fast = StochasticFloatQuantizer(config)
            Parallel.forRanges(count: count, grain: 1 << 14) { r in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: StochasticStream.chunk) { wb in
                    let w = wb.baseAddress!
                    var i = r.lowerBound
                    while i < r.upperBound {
                        let n = min(StochasticStream.chunk, r.upperBound &- i)
                        if random { stochastic.words(from: i, count: n, into: w) }
                        for j in 0..<n {
                            let v = fn(FixedArithmetic.toDouble(f.raw(fromBits: x[i &+ j]), format: f))
                            if let fast {
                                x[i &+ j] = fast.quantize(v, w[j])
                            } else {
                                let q = FixedArithmetic.quantize(v, into: config, random: random ? w[j] : 0)
                                x[i &+ j] = Int64(truncatingIfNeeded: q)
                            }
                        }
                        i &+= n
                    }
                }
            }
        }
    }
}

/// The loss unit: softmax cross-entropy of each row of logits (raw in the activations format), rounded into the loss
/// format.
///
/// Method (stated plainly): the unit is modelled as ideal — log-sum-exp minus the label's logit evaluated in Double
/// precision on the exact fixed-point logits, then rounded once into `loss`. A real unit (exp/log tables, a
/// fixed-point adder tree) adds its own error on top; the loss format's rounding is the only loss-unit error here.
/// Row r's stochastic word is word r of `stochastic`.
enum LossUnit {
    static func losses(
        logits: UnsafePointer<Int64>, rows: Int, classes: Int, logitFormat: FixedFormat,
        labels: UnsafePointer<Int32>, copiesPerLabel: Int, config: FixedConfig,
        stochastic: StochasticStream, out: UnsafeMutablePointer<Int64>
    ) {
        let random = config.rounding == .stochastic
        let fast = StochasticFloatQuantizer(config)
        Parallel.forRanges(count: rows, grain: 512) { range in
            var z = [Double](repeating: 0, count: classes)
            // Row r's word, for the range at once (one Philox block per four rows).
            var words = [UInt32](repeating: 0, count: random ? range.count : 0)
            if random {
                words.withUnsafeMutableBufferPointer {
                    stochastic.words(from: range.lowerBound, count: range.count, into: $0.baseAddress!)
                }
            }
            for r in range {
                var m = -Double.infinity
                for j in 0..<classes {
                    z[j] = FixedArithmetic.toDouble(
                        logitFormat.raw(fromBits: logits[r &* classes &+ j]), format: logitFormat)
                    m = max(m, z[j])
                }
                var s = 0.0
                for j in 0..<classes { s += Foundation.exp(z[j] - m) }
                let y = Int(labels[r / copiesPerLabel])
                let loss = (Foundation.log(s) + m) - z[y]
                if let fast {
                    out[r] = fast.quantize(loss, words[r &- range.lowerBound])
                } else {
                    let w: UInt32 = random ? words[r &- range.lowerBound] : 0
                    out[r] = Int64(truncatingIfNeeded: FixedArithmetic.quantize(loss, into: config, random: w))
                }
            }
        }
    }
}
