import LRCore
import RealModule

/// A network: its architecture plus one flat vector of parameters.
public struct Network: Sendable {
    public let spec: NetworkSpec
    public let layout: ParameterLayout
    public var parameters: [Float]

    /// Initialises weights uniformly in ±sqrt(6 / fan_in) (He-uniform) — or ±sqrt(3 / fan_in) for saturating
    /// activations — from the counter-based RNG (stream `.initialization`, layer index as the layer), biases zero; or as
    /// `initialization` says.
    public init(spec: NetworkSpec, seed: UInt64, initialization: Initialization = .uniform) {
        self.spec = spec
        layout = ParameterLayout(spec)
        parameters = [Float](repeating: 0, count: layout.count)
        let saturating = spec.layers.contains {
            if case let .activation(a) = $0 { return a != .relu }; return false
        }
        parameters.withUnsafeMutableBufferPointer { p in
            for slot in layout.slots {
                let key = NoiseKey(seed: seed, step: 0, layer: UInt32(slot.layer), stream: .initialization)
                switch initialization {
                case .uniform:
                    let bound = ((saturating ? 3 : 6) / Float(slot.fanIn)).squareRoot()
                    let gen = key.generator
                    var e = 0
                    var block: UInt32 = 0
                    while e < slot.weightCount {
                        let w = gen.block(key.counter(row: 0, block: block))
                        for lane in 0..<4 where e + lane < slot.weightCount {
                            p[slot.weightOffset + e + lane] = (2 * Uniform.closedOpen(w[lane]) - 1) * bound
                        }
                        e += 4; block += 1
                    }
                case .scaledNormal:
                    // Weights and biases in one draw (row 0 of the layer's key), as the bias is one more weight row.
                    let scale = 2 / Float(slot.fanIn + 1).squareRoot()
                    let n = slot.weightCount + slot.biasCount
                    let out = UnsafeMutableBufferPointer(rebasing: p[slot.weightOffset..<(slot.weightOffset + n)])
                    NoiseSampler.gaussian(key, row: 0, into: out)
                    for i in out.indices { out[i] *= scale }
                }
            }
        }
    }

    public init(spec: NetworkSpec, parameters: [Float]) {
        self.spec = spec
        layout = ParameterLayout(spec)
        precondition(parameters.count == layout.count)
        self.parameters = parameters
    }

    public var classes: Int { spec.outputCount }
}

/// How a network's parameters start.
public enum Initialization: String, Sendable, Codable, CaseIterable {
    /// He/Xavier-uniform weights (±sqrt(6 or 3 / fan_in)), zero biases: lrsim's default.
    case uniform
    /// N(0, 1) x 2 / sqrt(fan_in + 1) for weights and biases: the LR authors' scripts, whose bias is one more weight
    /// row fed by a constant-1 input (twice the standard deviation of `uniform` on saturating networks).
    case scaledNormal = "scaled-normal"
}
