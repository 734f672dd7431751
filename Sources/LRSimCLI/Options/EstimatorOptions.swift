import ArgumentParser
import Foundation
import LRCore
import LRTrain

/// Estimator selection shared by `train` and `sweep`.
struct EstimatorOptions: ParsableArguments {
    @Option(help: "Gradient estimator: bp, lr, alr, es or aes (default bp).")
    var estimator: EstimatorKind?
    @Option(
        parsing: .unconditional,
        help:
            ArgumentHelp(
                "Noisy copies K per perturbed layer: one value, or one per parametric layer (comma-separated); "
                    + "0...65536, 0 = the layer is not trained, even with antithetic pairs (default 32).")
    )
    var copies: CopyCounts?
    @Option(parsing: .unconditional, help: "Noise scale per parametric layer (comma-separated, or one value).")
    var sigma = "0.1"
    @Flag(name: .customLong("no-antithetic"), help: "Draw every copy independently instead of in (eps, -eps) pairs.")
    var noAntithetic = false
    @Option(help: "Loss baseline subtracted before weighting the noise: clean, mean or none.")
    var baseline: Baseline = .clean
    @Flag(help: "Quasi-Monte Carlo noise (scrambled Sobol points mapped to Gaussians).")
    var qmc = false
    @Option(help: "Noise distribution for lr/alr: gaussian or laplace.")
    var noise: NoiseKind = .gaussian
    @Option(
        help:
            ArgumentHelp(
                "Parametric layers (0-based, comma-separated) that use weight noise under lr/alr; 'auto' (default) "
                    + "picks convolutions with fewer parameters than outputs, 'none' uses logit noise everywhere.")
    )
    var weightNoiseLayers = "auto"
    @Option(
        help:
            "LR/ALR noise injection: layerwise (one layer at a time; its copies run the layers after it) or all-layers (the authors' scheme: each copy is one forward pass with noise on every layer's output, and every layer's gradient comes from the same per-copy losses; one K for all layers)."
    )
    var injection: Injection = .layerwise
    @Option(
        help:
            "rnn models: the cell's noise in time, all-steps (every step of each copy at once) or per-step (one step at a time: per step K copies from the clean state, about T/2 times the work)."
    )
    var stepInjection: StepInjection?

    /// The estimator, bp when none is given.
    var kind: EstimatorKind { estimator ?? .bp }
    /// K, 32 when none is given.
    var copyCounts: CopyCounts { copies ?? [32] }

    func settings() throws -> EstimatorSettings {
        func list<T>(_ s: String, _ name: String, _ parse: (String) -> T?) throws -> [T] {
            let parts = s.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let values = parts.compactMap(parse)
            guard !parts.isEmpty, values.count == parts.count else {
                throw SettingError(name, "expected comma-separated numbers, got '\(s)'")
            }
            return values
        }
        let sigmas = try list(sigma, "sigma") { Float($0) }
        // A noise scale is never NaN, infinite or <= 0, whatever the estimator (bp ignores it, but says so nowhere).
        if let bad = sigmas.first(where: { !($0.isFinite && $0 > 0) }) {
            throw SettingError("sigma", "expected positive finite values, got \(bad)")
        }
        let layers: [Int]? =
            weightNoiseLayers == "auto"
            ? nil
            : weightNoiseLayers == "none"
                ? []
                : try list(weightNoiseLayers, "weight-noise-layers") { Int($0) }
        var s = EstimatorSettings(
            kind: kind, copies: copyCounts, sigma: sigmas,
            antithetic: !noAntithetic, baseline: baseline, qmc: qmc, noise: noise,
            weightNoiseLayers: layers, injection: injection)
        s.stepInjection = stepInjection == .allSteps ? nil : stepInjection
        return s
    }
}
