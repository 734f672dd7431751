/// The architecture of a network without its weights: layer kinds and shapes.
///
/// Shared by the trainer (which instantiates it), the trace (which records it) and the simulator (which schedules its
/// GEMMs). Spelled on the command line as `mlp:784-256-10` or `cnn:NAME` (see `NetworkSpec.parse`).
public struct NetworkSpec: Sendable, Hashable, Codable {
    /// Input shape of one sample: `[features]` or `[channels, height, width]`.
    public var inputShape: [Int]
    public var layers: [LayerSpec]
    /// The spelling it was parsed from (recorded in traces and reports).
    public var name: String

    public init(name: String, inputShape: [Int], layers: [LayerSpec]) {
        self.name = name; self.inputShape = inputShape; self.layers = layers
    }

    /// Output shape of every layer, in order (one sample).
    public var shapes: [[Int]] {
        var s = inputShape
        return layers.map {
            s = $0.outputShape(input: s); return s
        }
    }

    /// Indices (into `layers`) of the layers with parameters: the ones LR perturbs and updates.
    public var parametricLayers: [Int] { layers.indices.filter { layers[$0].isParametric } }

    /// Input shape of layer `i`.
    public func inputShape(of i: Int) -> [Int] { i == 0 ? inputShape : shapes[i - 1] }

    public var inputCount: Int { inputShape.reduce(1, *) }
    public var outputCount: Int { (shapes.last ?? inputShape).reduce(1, *) }
    public var parameterCount: Int { layers.indices.reduce(0) { $0 + layers[$1].parameterCount } }
}

/// Elementwise nonlinearities. `step` is the Heaviside threshold (x > 0 ? 1 : 0): backprop gets zero gradient through it.
public enum Activation: String, Sendable, Hashable, Codable, CaseIterable {
    case relu, tanh, sigmoid, step, identity
}

public enum PoolKind: String, Sendable, Hashable, Codable { case max, avg }

public struct ConvSpec: Sendable, Hashable, Codable {
    public var inChannels: Int, outChannels: Int
    public var kernel: Int, stride: Int, padding: Int
    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }
    public func outputSize(_ n: Int) -> Int { (n + 2 * padding - kernel) / stride + 1 }
}

public enum LayerSpec: Sendable, Hashable, Codable {
    case dense(inputs: Int, outputs: Int)
    case conv2d(ConvSpec)
    case pool(PoolKind, size: Int, stride: Int)
    case flatten
    case activation(Activation)
    /// Batch normalisation over each channel (per-channel statistics, then a learned scale and shift).
    case batchNorm
    /// An identity shortcut: adds the output of layer `from` (-1: the network input) to the current tensor.
    case residual(from: Int)
    /// A projection shortcut: adds `conv(output of layer from)` (a strided 1x1 convolution in ResNets).
    case projection(ConvSpec, from: Int)

    public var isParametric: Bool {
        switch self {
        case .dense, .conv2d, .projection: return true;
        default: return false
        }
    }

    /// Layers only the simulator schedules (the trainer has no kernels for them yet).
    public var isSimulatorOnly: Bool {
        switch self {
        case .batchNorm, .residual, .projection: return true;
        default: return false
        }
    }

    /// Weights plus biases.
    public var parameterCount: Int {
        switch self {
        case let .dense(i, o): return i * o + o
        case let .conv2d(c), let .projection(c, _):
            return c.outChannels * c.inChannels * c.kernel * c.kernel + c.outChannels
        default: return 0
        }
    }

    public func outputShape(input s: [Int]) -> [Int] {
        switch self {
        case let .dense(_, o): return [o]
        case let .conv2d(c): return [c.outChannels, c.outputSize(s[1]), c.outputSize(s[2])]
        case let .pool(_, size, stride): return [s[0], (s[1] - size) / stride + 1, (s[2] - size) / stride + 1]
        case .flatten: return [s.reduce(1, *)]
        case .activation, .batchNorm, .residual, .projection: return s
        }
    }

    /// A short human-readable description, e.g. `dense 784->256` or `conv 1->16 k3 s1 p1`.
    public var summary: String {
        switch self {
        case let .dense(i, o): return "dense \(i)->\(o)"
        case let .conv2d(c): return "conv \(c.inChannels)->\(c.outChannels) k\(c.kernel) s\(c.stride) p\(c.padding)"
        case let .pool(k, size, stride): return "\(k.rawValue)pool \(size) s\(stride)"
        case .flatten: return "flatten"
        case let .activation(a): return a.rawValue
        case .batchNorm: return "batchnorm"
        case let .residual(from): return "add L\(from)"
        case let .projection(c, from):
            return "add conv L\(from) \(c.inChannels)->\(c.outChannels) k\(c.kernel) s\(c.stride)"
        }
    }
}

public struct NetworkSpecError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}

extension NetworkSpec {
    /// Named CNN presets for `cnn:NAME`.
    public static let cnnPresets: [String: (inputShape: [Int], description: String)] = [
        "small": (
            [1, 28, 28], "conv 1->16 3x3 p1, pool 2, conv 16->32 3x3 p1, pool 2, dense 1568->128, dense 128->10"
        ),
        "cifar": (
            [3, 32, 32], "conv 3->32 3x3 p1, pool 2, conv 32->64 3x3 p1, pool 2, dense 4096->256, dense 256->10"
        ),
    ]

    /// Parses `mlp:784-256-10` (any depth) or `cnn:small` / `cnn:cifar`. Hidden layers get `activation`; the last
    /// layer produces logits (softmax cross-entropy is applied by the loss).
    public static func parse(_ text: String, activation: Activation = .relu) throws -> NetworkSpec {
        if let preset = try preset(text, activation: activation) { return preset }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw NetworkSpecError(
                "model '\(text)': expected 'mlp:IN-H1-...-OUT' or 'cnn:NAME' (\(cnnPresets.keys.sorted().joined(separator: ", ")))"
            )
        }
        switch parts[0] {
        case "mlp":
            let sizes = parts[1].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard sizes.count >= 2, sizes.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 1 << 20 }) else {
                throw NetworkSpecError(
                    "model '\(text)': expected at least two positive layer sizes (at most 1048576 each) separated by '-', like mlp:784-256-10"
                )
            }
            let n = sizes.map { $0! }
            var layers: [LayerSpec] = []
            for i in 0..<(n.count - 1) {
                layers.append(.dense(inputs: n[i], outputs: n[i + 1]))
                if i < n.count - 2 { layers.append(.activation(activation)) }
            }
            return NetworkSpec(name: text, inputShape: [n[0]], layers: layers)
        case "cnn":
            switch parts[1] {
            case "small":
                return NetworkSpec(
                    name: text, inputShape: [1, 28, 28],
                    layers: [
                        .conv2d(ConvSpec(inChannels: 1, outChannels: 16, kernel: 3, padding: 1)),
                        .activation(activation),
                        .pool(.max, size: 2, stride: 2),
                        .conv2d(ConvSpec(inChannels: 16, outChannels: 32, kernel: 3, padding: 1)),
                        .activation(activation),
                        .pool(.max, size: 2, stride: 2),
                        .flatten,
                        .dense(inputs: 32 * 7 * 7, outputs: 128), .activation(activation),
                        .dense(inputs: 128, outputs: 10),
                    ])
            case "cifar":
                return NetworkSpec(
                    name: text, inputShape: [3, 32, 32],
                    layers: [
                        .conv2d(ConvSpec(inChannels: 3, outChannels: 32, kernel: 3, padding: 1)),
                        .activation(activation),
                        .pool(.max, size: 2, stride: 2),
                        .conv2d(ConvSpec(inChannels: 32, outChannels: 64, kernel: 3, padding: 1)),
                        .activation(activation),
                        .pool(.max, size: 2, stride: 2),
                        .flatten,
                        .dense(inputs: 64 * 8 * 8, outputs: 256), .activation(activation),
                        .dense(inputs: 256, outputs: 10),
                    ])
            default:
                throw NetworkSpecError(
                    "model '\(text)': unknown CNN '\(parts[1])'; expected one of \(cnnPresets.keys.sorted().joined(separator: ", "))"
                )
            }
        default:
            throw NetworkSpecError("model '\(text)': unknown family '\(parts[0])'; expected 'mlp' or 'cnn'")
        }
    }
}
