import FixedPoint
import Foundation
import LRTrain

extension ReplayRun {
    /// The summary of replayed steps: bit-exactness, the cosines vs float (mean, worst and where) and vs backprop, and a
    /// verdict in words.
    static func summary(_ steps: [ReplayReport.Step], exact: Bool, formats: DatapathFormats, sigma: Double) -> ReplayReport.Summary {
        let all = steps.flatMap(\.layers)
        let cosF = all.compactMap(\.cosineVsFloat), cosB = all.compactMap(\.cosineVsBp)
        var worst: (step: Int, layer: Int, cosine: Double)?
        for s in steps {
            for l in s.layers {
                if let c = l.cosineVsFloat, worst == nil || c < worst!.cosine { worst = (s.step, l.layer, c) }
            }
        }
        let mean = cosF.isEmpty ? nil : cosF.reduce(0, +) / Double(cosF.count)
        return ReplayReport.Summary(
            stepsReplayed: steps.count,
            allBitExactVsExact: exact ? all.allSatisfy { $0.bitExactVsExact == true } : nil,
            minCosineVsFloat: cosF.min(), meanCosineVsFloat: mean,
            minCosineVsBp: cosB.min(), maxAbsErrorVsExact: exact ? all.compactMap(\.maxAbsErrorVsExact).max() : nil,
            worstCosineVsFloatStep: worst?.step, worstCosineVsFloatLayer: worst?.layer,
            verdict: mean.flatMap { m in worst.map { verdict(mean: m, worst: $0, formats: formats, sigma: sigma) } })
    }

    /// One sentence a reader can act on. The thresholds are on the mean cosine over steps and layers: >= 0.99 the
    /// datapath tracks the float gradient; >= 0.9 close; >= 0.5 partly aligned; below, it diverges (the direction it
    /// descends is not the float trainer's). The context is the noise against the resolution it meets: sigma in units
    /// of the activations' last bit (the copies' perturbation is added before the write-back into that format).
    static func verdict(mean: Double, worst: (step: Int, layer: Int, cosine: Double), formats: DatapathFormats,
                        sigma: Double) -> String {
        let act = formats.activations.format, loss = formats.loss.format
        let lsb = Foundation.pow(2.0, Double(-act.fracBits))
        let where_ = String(format: "mean cosine vs float %.4f, worst %.4f at step %d (layer %d)", mean, worst.cosine, worst.step, worst.layer)
        let context = String(format: "sigma %.3g is %.3g LSB of the %@ activations; loss LSB %.3g (%@)", sigma, sigma / lsb,
                             act.description, Foundation.pow(2.0, Double(-loss.fracBits)), loss.description)
        switch mean {
        case 0.99...:
            return "the datapath's gradient follows the float trainer's: \(where_)"
        case 0.9..<0.99:
            return "the datapath's gradient is close to the float trainer's but measurably off: \(where_); \(context)"
        case 0.5..<0.9:
            return "the datapath's gradient is only partly aligned with the float trainer's: \(where_); \(context)"
        default:
            return "the datapath DIVERGES from the float trajectory: its gradient is nearly unrelated to the float trainer's (\(where_)); \(context)"
        }
    }
}
