import LRCore

/// The architectures of `lrsim train-arch` (issue 8): recurrent, graph-convolutional and spiking networks.
public enum ArchitectureKind: String, Sendable, Codable, CaseIterable { case rnn, gnn, snn }

extension EstimatorKind {
    /// How an architecture's gradient is obtained: the likelihood-ratio estimator (noise on pre-activations / membrane
    /// input currents, no backward pass), or its backprop baseline (BPTT for the RNN, backprop for the GCN, surrogate-
    /// gradient BPTT for the SNN). The other estimators are refused here, before any model is built.
    public func checkArchitectureSupport(_ arch: ArchitectureKind) throws(SettingError) {
        guard self == .lr || self == .bp else {
            throw SettingError("estimator", "\(arch.rawValue) models train with lr or bp, got \(rawValue)")
        }
    }
}

/// LR settings shared by the three architectures: K noisy copies per perturbed layer in antithetic pairs (eps, -eps),
/// Gaussian noise of scale sigma, the clean per-sample loss as baseline.
public struct ArchitectureLRSettings: Sendable, Codable, Equatable {
    public var copies: Int
    public var sigma: Float

    public init(copies: Int, sigma: Float) throws {
        guard copies >= 2, copies <= 1 << 14, copies % 2 == 0 else {
            throw ArchitectureError("--copies: expected an even count in 2...16384 (antithetic pairs), got \(copies)")
        }
        guard sigma.isFinite, sigma > 0, sigma <= 100 else {
            throw ArchitectureError("--sigma: expected a positive number up to 100, got \(sigma)")
        }
        self.copies = copies; self.sigma = sigma
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

    public static func key(seed: UInt64, step: Int, layer: Int, time: Int, stream: RandomStream = .logitNoise) -> NoiseKey {
        precondition(time >= 0 && time < maximumTimeSteps && layer >= 0 && layer < 4096)
        return NoiseKey(seed: seed, step: UInt32(truncatingIfNeeded: step),
                        layer: UInt32(layer << 12 | time), stream: stream)
    }

    /// Standard normals for `samples x copies` rows of `columns` each into `out` (row b*K+k), antithetic.
    /// `pairs` is scratch of `samples * copies / 2 * columns` Floats.
    public static func fillAntithetic(_ key: NoiseKey, samples: Int, copies: Int, columns: Int, rowBase: Int = 0,
                                      pairs: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let half = copies / 2, p = samples * half
        let lo = UInt32(truncatingIfNeeded: rowBase)
        FastGaussian.fill(key, rows: lo..<(lo &+ UInt32(p)), columns: columns,
                          into: UnsafeMutableBufferPointer(start: pairs, count: p * columns))
        Parallel.forRanges(count: samples * copies, grain: max(1, 4096 / max(1, columns))) { range in
            for r in range {
                let src = pairs + (r >> 1) &* columns, dst = out + r &* columns
                // Rows b*K+k with even K: pair row b*(K/2)+k/2 = r/2.
                if r & 1 == 0 { dst.update(from: src, count: columns) } else {
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
    func gradient(_ estimator: EstimatorKind, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
                  step: Int, into gradient: UnsafeMutablePointer<Float>) -> Float
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

/// A named range of the flat parameter vector.
public struct ParameterGroup: Sendable, Codable, Equatable {
    public var name: String
    public var range: Range<Int>
    public init(_ name: String, _ range: Range<Int>) { self.name = name; self.range = range }
}

/// Cosine of `estimate` against `exact` per parameter group.
public func groupCosines(_ estimate: [Float], _ exact: [Float], groups: [ParameterGroup]) -> [String: Double] {
    var out: [String: Double] = [:]
    estimate.withUnsafeBufferPointer { a in exact.withUnsafeBufferPointer { b in
        for g in groups {
            out[g.name] = VectorMath.cosine(UnsafeBufferPointer(rebasing: a[g.range]), UnsafeBufferPointer(rebasing: b[g.range]))
        }
    } }
    return out
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
