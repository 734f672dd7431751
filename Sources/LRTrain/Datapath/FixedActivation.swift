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
        stochastic: StochasticStream, out: UnsafeMutablePointer<Int64>, expTable: LogitExpTable? = nil
    ) {
        let random = config.rounding == .stochastic
        let fast = StochasticFloatQuantizer(config), exact = DoubleQuantizer(config)
        Parallel.forRanges(count: rows, grain: 512) { range in
            var z = [Double](repeating: 0, count: classes)
            // Row r's word, for the range at once (one Philox block per four rows).
            var words = [UInt32](repeating: 0, count: random ? range.count : 0)
            if random {
                words.withUnsafeMutableBufferPointer {
                    stochastic.words(from: range.lowerBound, count: range.count, into: $0.baseAddress!)
                }
            }
            // Row r's loss into the loss format: Double lanes when they are exact, else the general rounding.
            func round(_ loss: Double, _ r: Int) -> Int64 {
                if let exact { return exact.quantize(loss) }
                if let fast { return fast.quantize(loss, words[r &- range.lowerBound]) }
                let w: UInt32 = random ? words[r &- range.lowerBound] : 0
                return Int64(truncatingIfNeeded: FixedArithmetic.quantize(loss, into: config, random: w))
            }
            for r in range {
                if let expTable {
                    // The same Doubles: z_j - max z is exactly -(raw_max - raw_j) * 2^-F, whose exp the table holds.
                    let row = logits + r &* classes
                    var top = Int64.min
                    for j in 0..<classes {
                        top = max(top, Int64(truncatingIfNeeded: logitFormat.raw(fromBits: row[j])))
                    }
                    var s = 0.0
                    for j in 0..<classes {
                        s += expTable.values[Int(top &- Int64(truncatingIfNeeded: logitFormat.raw(fromBits: row[j])))]
                    }
                    let y = Int(labels[r / copiesPerLabel])
                    let m = Double(top) * expTable.unit
                    let zy = Double(Int64(truncatingIfNeeded: logitFormat.raw(fromBits: row[y]))) * expTable.unit
                    let loss = (Foundation.log(s) + m) - zy
                    out[r] = round(loss, r)
                    continue
                }
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
                out[r] = round(loss, r)
            }
        }
    }
}

/// exp(-d * 2^-F) for every raw difference d >= 0 of two logits in a format of at most 16 bits, so the loss unit
/// looks its exponentials up (82 k per step for the MLP's copies) instead of calling `exp`: the same Doubles, since
/// z_j - max z is exactly -(raw_max - raw_j) * 2^-F.
struct LogitExpTable: Sendable {
    let values: [Double]
    /// 2^-F.
    let unit: Double

    init?(format: FixedFormat) {
        guard format.width <= 16, abs(format.fracBits) <= 200 else { return nil }
        let unit = Double(sign: .plus, exponent: -format.fracBits, significand: 1)
        self.unit = unit
        values = (0...Int(format.rawMax - format.rawMin)).map { Foundation.exp(Double(-$0) * unit) }
    }
}
