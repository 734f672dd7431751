import Foundation
import HWModel
import LRIO

/// Kind `replay`: `lrsim replay` of a trace through the point's fixed-point datapath (gradient fidelity against the
/// trainer's float gradient, backprop's, and the exact GMP reference), on the hardware model the point hands it.
/// Writes `replay.json` in the point's folder.
public struct ReplayPointEvaluator: PointEvaluator {
    public let kind = "replay"
    public var settings: SweepSpec.ReplaySettings

    public init(settings: SweepSpec.ReplaySettings) { self.settings = settings }

    public func evaluate(_ hardware: HardwareModel, point: SweepPoint, directory: String) throws -> [String: Double] {
        let run = ReplayRun(
            hardware: hardware, overrides: point.overrides, tracePath: settings.trace,
            steps: settings.steps, exact: settings.exact, wallClock: false)
        let report = try run.run(log: { _ in })
        try JSONReport.write(report, to: (directory as NSString).appendingPathComponent("replay.json"))
        let s = report.summary
        var m: [String: Double] = ["replay.steps": Double(s.stepsReplayed)]
        m["replay.min_cosine_vs_float"] = s.minCosineVsFloat
        m["replay.mean_cosine_vs_float"] = s.meanCosineVsFloat
        m["replay.min_cosine_vs_bp"] = s.minCosineVsBp
        m["replay.max_abs_error_vs_exact"] = s.maxAbsErrorVsExact
        m["replay.bit_exact_vs_exact"] = s.allBitExactVsExact.map { $0 ? 1 : 0 }
        let losses = report.steps.compactMap(\.lossRelativeErrorVsFloat).map(abs)
        if !losses.isEmpty { m["replay.loss_relative_error_vs_float"] = losses.max() }
        return m
    }
}
