import LRCore

extension EstimatorKind {
    /// How an rnn, snn or gnn model's gradient is obtained: the likelihood-ratio estimator (noise on pre-activations /
    /// membrane input currents, no backward pass), or its backprop baseline (BPTT for the RNN, backprop for the GCN,
    /// surrogate-gradient BPTT for the SNN). The other estimators are refused here, before any model is built.
    public func checkArchitectureSupport(_ model: String) throws(SettingError) {
        guard self == .lr || self == .bp else {
            throw SettingError("estimator", "\(model) models train with lr or bp, got \(rawValue)")
        }
    }
}

/// LR settings of the rnn, snn and gnn models: K noisy copies per perturbed layer, Gaussian noise of scale sigma. By
/// default the copies come in antithetic pairs (eps, -eps) with the clean per-sample loss as baseline; the rnn also
/// takes independent copies, the mean or no baseline, QMC noise for its cell and per-step injection (its variance
/// study, docs/results-architectures.md).
public struct ArchitectureLRSettings: Sendable, Codable, Equatable {
    public var copies: Int
    public var sigma: Float
    public var antithetic = true
    public var baseline = Baseline.clean
    /// rnn: the cell's noise from a scrambled Sobol sequence (one point of T x H, or H per-step, dimensions per copy).
    public var qmc = false
    /// rnn: the cell's noise one time step at a time (`StepInjection.perStep`).
    public var perStep = false

    /// K by the rule of every command (`CopyCounts.validate`, antithetic pairs) and a positive finite sigma.
    public init(copies: Int, sigma: Float, antithetic: Bool = true) throws(SettingError) {
        try CopyCounts(copies).validate(layers: 1, estimator: .lr, antithetic: antithetic)
        guard sigma.isFinite, sigma > 0 else {
            throw SettingError("sigma", "expected a positive finite number, got \(sigma)")
        }
        self.copies = copies; self.sigma = sigma; self.antithetic = antithetic
    }

    /// The settings of an lr run of `model` (nil for bp). These models implement one K and one sigma for both
    /// perturbed layers and Gaussian noise; snn and gnn also only antithetic pairs with the clean baseline. Other
    /// choices are refused by name.
    public init?(_ s: EstimatorSettings, for model: String) throws(SettingError) {
        guard s.kind == .lr else { return nil }
        guard let k = s.copies.first, s.copies.allSatisfy({ $0 == k }) else {
            throw SettingError("copies", "\(model) models take one K for both perturbed layers, got \(s.copies)")
        }
        guard let sigma = s.sigma.first, s.sigma.allSatisfy({ $0 == sigma }) else {
            throw SettingError(
                "sigma",
                "\(model) models take one sigma for both perturbed layers, got \(s.sigma.map { "\($0)" }.joined(separator: ","))"
            )
        }
        let rnn = model == "rnn"
        guard s.antithetic || rnn else {
            throw SettingError("no-antithetic", "\(model) models draw their copies in antithetic pairs")
        }
        guard s.baseline == .clean || rnn else {
            throw SettingError("baseline", "\(model) models use the clean baseline, got \(s.baseline.rawValue)")
        }
        guard s.noise == .gaussian else {
            throw SettingError("noise", "\(model) models use Gaussian noise, got \(s.noise.rawValue)")
        }
        guard !s.qmc || rnn else { throw SettingError("qmc", "\(model) models draw Philox noise, not QMC points") }
        guard s.stepInjection == nil || rnn else {
            throw SettingError("step-injection", "places an rnn cell's noise in time; \(model) is not an rnn")
        }
        guard s.injection == .layerwise else {
            throw SettingError(
                "injection",
                "\(model) models inject their noise per perturbed layer (all time steps at once); all-layers is for mlp and cnn"
            )
        }
        guard (s.weightNoiseLayers ?? []).isEmpty else {
            throw SettingError("weight-noise-layers", "\(model) models perturb pre-activations, not weights")
        }
        try self.init(copies: k, sigma: sigma, antithetic: s.antithetic)
        baseline = s.baseline
        qmc = s.qmc
        perStep = s.stepInjection == .perStep
    }
}

/// A one-line error for bad architecture options or data.
public struct ArchitectureError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Noise coordinates of the architectures. The `layer` field of `NoiseKey` holds `layer << 12 | timeStep`, so the noise
/// of every (seed, step, layer, time step, row) is its own Philox counter: independent per time step and a pure
/// function of those numbers (identical on any thread count). Rows follow noise-key layout 1: sample b, copy k uses
/// row `rowBase + b*(K/2) + k/2` and odd copies negate it (antithetic pairs).
public enum ArchitectureNoise {
    public static let maximumTimeSteps = 4096

    public static func key(seed: UInt64, step: Int, layer: Int, time: Int, stream: RandomStream = .logitNoise)
        -> NoiseKey
    {
        precondition(time >= 0 && time < maximumTimeSteps && layer >= 0 && layer < 4096)
        return NoiseKey(
            seed: seed, step: UInt32(truncatingIfNeeded: step),
            layer: UInt32(layer << 12 | time), stream: stream)
    }

    /// Standard normals for `samples x copies` rows of `columns` each into `out` (row b*K+k), antithetic.
    /// `pairs` is scratch of `samples * copies / 2 * columns` Floats.
    public static func fillAntithetic(
        _ key: NoiseKey, samples: Int, copies: Int, columns: Int, rowBase: Int = 0,
        pairs: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        let half = copies / 2, p = samples * half
        let lo = UInt32(truncatingIfNeeded: rowBase)
        FastGaussian.fill(
            key, rows: lo..<(lo &+ UInt32(p)), columns: columns,
            into: UnsafeMutableBufferPointer(start: pairs, count: p * columns))
        Parallel.forRanges(count: samples * copies, grain: max(1, 4096 / max(1, columns))) { range in
            for r in range {
                let src = pairs + (r >> 1) &* columns, dst = out + r &* columns
                // Rows b*K+k with even K: pair row b*(K/2)+k/2 = r/2.
                if r & 1 == 0 {
                    dst.update(from: src, count: columns)
                } else {
                    for j in 0..<columns { dst[j] = -src[j] }
                }
            }
        }
    }
}

/// Reusable scratch buffers, grown on first use and then reused: no allocation once the first batch has run.
final class ArchitectureScratch {
    private var pointers: [UnsafeMutablePointer<Float>] = []
    private var capacities: [Int] = []

    /// Buffer number `slot` with at least `count` Floats (contents unspecified).
    func buffer(_ slot: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
        while pointers.count <= slot {
            pointers.append(UnsafeMutablePointer<Float>.allocate(capacity: 1)); capacities.append(1)
        }
        if capacities[slot] < count {
            pointers[slot].deallocate()
            pointers[slot] = UnsafeMutablePointer<Float>.allocate(capacity: count)
            capacities[slot] = count
        }
        return pointers[slot]
    }

    /// The same, zeroed.
    func zeroed(_ slot: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
        let p = buffer(slot, count)
        p.update(repeating: 0, count: count)
        return p
    }

    deinit { for p in pointers { p.deallocate() } }
}

/// A model that classifies rows of a `Dataset` (the RNN and the SNN) and computes its own gradient estimate.
public protocol BatchClassifier: AnyObject {
    var parameters: [Float] { get set }
    var classes: Int { get }
    /// Features each row of the input holds.
    var inputFeatures: Int { get }
    /// Zeroes `gradient` (one value per parameter) and writes the estimate of the gradient of the mean loss over the
    /// `rows` samples; returns that mean clean loss. `step` keys the noise.
    func gradient(
        _ estimator: EstimatorKind, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
        step: Int, into gradient: UnsafeMutablePointer<Float>
    ) -> Float
    /// Named parameter tensors (for per-tensor gradient cosines).
    var parameterGroups: [ParameterGroup] { get }
    /// Clean logits (`rows x classes`) for evaluation; `firstIndex` numbers the rows for any input encoding noise.
    func logits(x: UnsafePointer<Float>, rows: Int, firstIndex: Int, into out: UnsafeMutablePointer<Float>)
    /// When set, `gradient` keeps the losses it observed in `capturedLosses` (for traces); off by default.
    var capturesLosses: Bool { get set }
    /// The losses of the last `gradient` call while `capturesLosses` was set.
    var capturedLosses: CapturedLosses { get }
}

/// The losses one gradient estimate observed: per-sample clean losses `[B]`, and per perturbed layer (in noise-layer
/// order) the per-copy per-sample losses laid out `[K][B]` (copy-major, as the trace's `layer{l}.losses`).
public struct CapturedLosses: Sendable, Equatable {
    public var clean: [Float] = []
    public var copies: [[Float]] = []
    public init() {}

    /// Appends the losses of one perturbed layer from the estimator's row layout `b*K + k`.
    mutating func appendCopies(_ rowMajor: UnsafePointer<Float>, samples B: Int, copies K: Int) {
        var out = [Float](repeating: 0, count: B * K)
        for b in 0..<B { for k in 0..<K { out[k * B + b] = rowMajor[b * K + k] } }
        copies.append(out)
    }
}

/// Uniform(-bound, bound) initial weights from Philox (stream `.initialization`, `tensor` as the layer).
func initializeUniform(_ p: UnsafeMutablePointer<Float>, count: Int, bound: Float, seed: UInt64, tensor: Int) {
    let key = NoiseKey(seed: seed, step: 0, layer: UInt32(tensor), stream: .initialization)
    let gen = key.generator
    var e = 0
    var block: UInt32 = 0
    while e < count {
        let w = gen.block(key.counter(row: 0, block: block))
        for lane in 0..<4 where e + lane < count { p[e + lane] = (2 * Uniform.closedOpen(w[lane]) - 1) * bound }
        e += 4; block += 1
    }
}
