import FixedPoint
import Foundation
import HWModel
import LRTrain

extension ReplayRun {
    /// The summary of replayed steps: bit-exactness, the cosines vs float (mean, worst and where) and vs backprop, and a
    /// verdict in words.
    static func summary(_ steps: [ReplayReport.Step], exact: Bool, formats: DatapathFormats, sigma: Double)
        -> ReplayReport.Summary
    {
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
            verdict: mean.flatMap { m in
                worst.map { verdict(steps, mean: m, worst: $0, formats: formats, sigma: sigma) }
            })
    }

    /// One sentence a reader can act on, from the measurements alone. Thresholds on the mean cosine over steps and
    /// layers: >= 0.99 the datapath follows the float gradient; >= 0.9 close; >= 0.5 partly aligned; below, unrelated.
    /// When the first replayed step still agrees (>= 0.9) and a later one does not (< 0.5), the datapath diverges from
    /// the float trajectory as training proceeds. The evidence at the worst step: the clean loss the datapath computes
    /// against the float run's, and the share of recorded weights the weights format cannot hold; and always the
    /// noise against the resolution it meets (sigma in units of the activations' last bit).
    static func verdict(
        _ steps: [ReplayReport.Step], mean: Double, worst: (step: Int, layer: Int, cosine: Double),
        formats: DatapathFormats, sigma: Double
    ) -> String {
        let act = formats.activations.format, loss = formats.loss.format
        let lsb = Foundation.pow(2.0, Double(-act.fracBits))
        let summary = String(
            format: "mean cosine vs float %.4f, worst %.4f at step %d (layer %d)", mean, worst.cosine, worst.step,
            worst.layer)
        var evidence: [String] = []
        if let at = steps.first(where: { $0.step == worst.step }) {
            if let lf = at.lossFloat {
                evidence.append(
                    String(
                        format: "at step %d the datapath's clean loss is %.4g against the float run's %.4g", worst.step,
                        at.lossDatapath, lf))
            }
            if let out = at.weightsOutsideFormat, out > 0 {
                evidence.append(
                    String(
                        format: "%.2g%% of the recorded weights lie outside %@", out * 100,
                        formats.weights.format.description))
            }
        }
        evidence.append(
            String(
                format: "for scale: sigma %.3g = %.3g LSB of the %@ activations, loss LSB %.3g (%@)", sigma,
                sigma / lsb,
                act.description, Foundation.pow(2.0, Double(-loss.fracBits)), loss.description))
        let context = evidence.joined(separator: "; ")
        let perStep = steps.map { s -> Double? in
            let c = s.layers.compactMap(\.cosineVsFloat)
            return c.isEmpty ? nil : c.reduce(0, +) / Double(c.count)
        }
        if mean < 0.99, let first = perStep.first ?? nil, first >= 0.9, worst.cosine < 0.5,
            worst.step != steps.first?.step
        {
            return String(
                format:
                    "the datapath DIVERGES from the float trajectory as training proceeds: its gradient agrees at step %d (cosine %.4f) but not later (worst %.4f at step %d (layer %d), mean %.4f); %@",
                steps[0].step, first, worst.cosine, worst.step, worst.layer, mean, context)
        }
        switch mean {
        case 0.99...:
            return "the datapath's gradient follows the float trainer's: \(summary)"
        case 0.9..<0.99:
            return "the datapath's gradient is close to the float trainer's but measurably off: \(summary); \(context)"
        case 0.5..<0.9:
            return "the datapath's gradient is only partly aligned with the float trainer's: \(summary); \(context)"
        default:
            return
                "the datapath DIVERGES from the float trainer: its gradient is nearly unrelated to the float one (\(summary)); \(context)"
        }
    }

    /// The share of `parameters` outside the weights format's range.
    static func outsideFraction(_ parameters: [Float], _ hardware: HardwareModel) -> Double? {
        guard !parameters.isEmpty, let f = try? DatapathFormats(hardware).weights.format else { return nil }
        let lo = FixedArithmetic.toDouble(f.rawMin, format: f), hi = FixedArithmetic.toDouble(f.rawMax, format: f)
        return Double(parameters.filter { Double($0) < lo || Double($0) > hi }.count) / Double(parameters.count)
    }
}
