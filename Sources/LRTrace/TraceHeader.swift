/// The trace's metadata: who wrote it, what was trained, how, and on what. Stored as canonical JSON (sorted keys, no
/// whitespace) in the HEAD chunk. Readers ignore fields they do not know, so newer minor versions may add optional
/// fields.
public struct TraceHeader: Codable, Equatable, Sendable {
    /// The program that wrote the trace, e.g. `lrsim 0.1.0`. Any producer is accepted; `info` shows it.
    public var producer: String
    /// The full resolved training configuration as canonical JSON (the trainer's sorted-key, whitespace-free encoding).
    public var configJSON: String
    /// `sha256:` + the SHA-256 of the UTF-8 bytes of `configJSON`, exactly as stored. Verified by readers.
    public var configHash: String
    public var model: TraceModel
    public var estimator: TraceEstimator
    public var optimizer: TraceOptimizer
    public var dataset: TraceDataset
    /// The trainer's `--trace-every N` (steps 0, every N-th and the last are recorded).
    public var traceEvery: Int
    /// Free-form extras (host, command line, ...). Keep determinism in mind: no timestamps unless asked for.
    public var notes: [String: String]

    public init(
        producer: String, configJSON: String, model: TraceModel, estimator: TraceEstimator,
        optimizer: TraceOptimizer, dataset: TraceDataset, traceEvery: Int, notes: [String: String] = [:]
    ) {
        self.producer = producer
        self.configJSON = configJSON
        self.configHash = Self.hash(ofConfig: configJSON)
        self.model = model; self.estimator = estimator; self.optimizer = optimizer; self.dataset = dataset
        self.traceEvery = traceEvery; self.notes = notes
    }

    /// The config hash of a configuration JSON string.
    public static func hash(ofConfig json: String) -> String { "sha256:" + SHA256.hex(Array(json.utf8)) }

    enum CodingKeys: String, CodingKey {
        case producer, model, estimator, optimizer, dataset, notes
        case configJSON = "config_json", configHash = "config_hash", traceEvery = "trace_every"
    }
}

/// The network: its spelling, activation, input shape and a table of layers with their shapes.
public struct TraceModel: Codable, Equatable, Sendable {
    /// The model spec as typed, e.g. `mlp:784-256-10`.
    public var spec: String
    public var activation: String
    /// One sample's input shape: `[features]` or `[channels, height, width]`.
    public var inputShape: [Int]
    public var layers: [TraceLayer]

    public init(spec: String, activation: String, inputShape: [Int], layers: [TraceLayer]) {
        self.spec = spec; self.activation = activation; self.inputShape = inputShape; self.layers = layers
    }

    enum CodingKeys: String, CodingKey {
        case spec, activation, layers
        case inputShape = "input_shape"
    }
}

/// One layer of the model. `index` is the `l` of the tensor names `layer{l}.*`.
public struct TraceLayer: Codable, Equatable, Sendable {
    public var index: Int
    /// The layer kind, e.g. `dense`, `conv2d`, `pool`, `flatten`, `relu`.
    public var kind: String
    /// A human-readable description, e.g. `dense 784->256`.
    public var summary: String
    /// Shapes of one sample (no batch dimension).
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// Parameter tensors in the order the trainer stores them, e.g. `weight` [256, 784] and `bias` [256].
    public var parameters: [TraceParameter]

    public init(
        index: Int, kind: String, summary: String, inputShape: [Int], outputShape: [Int],
        parameters: [TraceParameter]
    ) {
        self.index = index; self.kind = kind; self.summary = summary
        self.inputShape = inputShape; self.outputShape = outputShape; self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey {
        case index, kind, summary, parameters
        case inputShape = "input_shape", outputShape = "output_shape"
    }
}

public struct TraceParameter: Codable, Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }
}

/// How gradients were estimated. `perturbedLayers`, `copies` and `sigma` are parallel arrays: entry i describes layer
/// `perturbedLayers[i]` of the layer table.
public struct TraceEstimator: Codable, Equatable, Sendable {
    /// `bp`, `lr`, `alr`, `es` or `aes`.
    public var name: String
    public var perturbedLayers: [Int]
    /// Noise copies K of each perturbed layer.
    public var copies: [Int]
    /// Noise standard deviation of each perturbed layer.
    public var sigma: [Double]
    public var antithetic: Bool
    /// `clean`, `mean` or `none`.
    public var baseline: String
    /// How per-copy noise signs are encoded for the hardware (e.g. `none`, `sign`, `sign-magnitude`).
    public var signEncoding: String
    /// `gaussian`, `laplace` or `rademacher`.
    public var noise: String
    public var qmc: Bool
    /// The RNG seed of the counter-based generator (Philox4x32-10).
    public var seed: UInt64
    /// Version of the mapping from (seed, step, layer, row, element) to Philox counters (LRCore's `NoiseKey`).
    public var noiseKeyLayout: Int

    public init(
        name: String, perturbedLayers: [Int], copies: [Int], sigma: [Double], antithetic: Bool,
        baseline: String, signEncoding: String, noise: String, qmc: Bool, seed: UInt64, noiseKeyLayout: Int
    ) {
        self.name = name; self.perturbedLayers = perturbedLayers; self.copies = copies; self.sigma = sigma
        self.antithetic = antithetic; self.baseline = baseline; self.signEncoding = signEncoding
        self.noise = noise; self.qmc = qmc; self.seed = seed; self.noiseKeyLayout = noiseKeyLayout
    }

    enum CodingKeys: String, CodingKey {
        case name, copies, sigma, antithetic, baseline, noise, qmc, seed
        case perturbedLayers = "perturbed_layers", signEncoding = "sign_encoding", noiseKeyLayout = "noise_key_layout"
    }
}

public struct TraceOptimizer: Codable, Equatable, Sendable {
    /// e.g. `sgd`, `momentum`, `adam`.
    public var name: String
    public var learningRate: Double
    public var batchSize: Int
    public var epochs: Int
    /// Other hyperparameters by name (momentum, beta1, weight_decay, ...).
    public var settings: [String: Double]

    public init(name: String, learningRate: Double, batchSize: Int, epochs: Int, settings: [String: Double] = [:]) {
        self.name = name; self.learningRate = learningRate; self.batchSize = batchSize; self.epochs = epochs
        self.settings = settings
    }

    enum CodingKeys: String, CodingKey {
        case name, epochs, settings
        case learningRate = "learning_rate", batchSize = "batch_size"
    }
}

/// Which data the steps were drawn from.
public struct TraceDataset: Codable, Equatable, Sendable {
    /// e.g. `fashion-mnist`.
    public var name: String
    /// e.g. `train`.
    public var split: String
    public var samples: Int
    /// `sha256:<hex>` of the dataset's bytes as the trainer loaded them (the trainer documents which bytes).
    public var digest: String
    /// How the stored `input` tensor maps to the network's float input: `identity` (stored as f32, used as is) or
    /// `u8/255` (stored as u8, divided by 255 in f32).
    public var inputTransform: String

    public init(name: String, split: String, samples: Int, digest: String, inputTransform: String) {
        self.name = name; self.split = split; self.samples = samples; self.digest = digest
        self.inputTransform = inputTransform
    }

    enum CodingKeys: String, CodingKey {
        case name, split, samples, digest
        case inputTransform = "input_transform"
    }
}
