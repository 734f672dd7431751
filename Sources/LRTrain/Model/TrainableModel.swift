import LRCore
import LRTrace

/// What `Trainer` trains: a flat parameter vector, the configured gradient estimator on a batch, the backprop (or
/// baseline) gradient for checks, evaluation, and how its tensors and noise appear in a trace. The feed-forward
/// networks (`FeedForwardModel`: mlp, cnn) and the recurrent, spiking and graph models (`SequenceModelTrainer`,
/// `GraphModelTrainer`) conform, so one loop, report, checkpoint and trace recorder serve them all.
public protocol TrainableModel: AnyObject {
    /// The parameters the optimizer updates, in the order of `tensors`.
    var parameters: [Float] { get set }
    /// The named tensors of `parameters`, in vector order (trace tensors `layer{l}.NAME`).
    var tensors: [ModelTensor] { get }
    /// The slices whose gradient cosines the checks report (a feed-forward network: each parametric layer).
    var checkGroups: [ParameterGroup] { get }
    /// The layers of one step (or node) as a network: shapes for the report, per-layer settings counted against it.
    var spec: NetworkSpec { get }
    /// Whether `estimate` stores every gradient element (the caller then skips zeroing it).
    var writesEveryParameter: Bool { get }
    /// Useful floating-point operations per training sample (0 when not counted).
    var flopsPerSample: Double { get }

    /// Writes the configured estimator's estimate of d(mean batch loss)/d(parameters) into `gradient` (zeroed by the
    /// caller unless `writesEveryParameter`). `step` keys the noise.
    func estimate(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord
    /// The exact (backprop) gradient of the same batch, or the model's baseline (BPTT, surrogate BPTT), into a zeroed
    /// `gradient`: what gradient checks compare with.
    func referenceGradient(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>)
    /// Called after the optimizer updated `parameters`.
    func afterUpdate()
    /// Accuracy and mean loss of the clean model on `data`.
    func evaluate(_ data: Dataset) -> (accuracy: Double, loss: Double)
    /// On a hardware datapath: the accuracy of its forward on the weights it holds after `step` steps (else nil).
    func datapathAccuracy(_ data: Dataset, step: Int) throws -> Double?
    /// How the model appears in a trace header.
    var traceLayout: TraceModelLayout { get }
    /// The tensors that stand for a step's data in a trace when the batch is not the model's input (a gnn: the whole
    /// graph, which every step reads); nil: the batch (`input`, `labels`).
    var traceData: [TraceTensor]? { get }
}

extension TrainableModel {
    public func afterUpdate() {}
    public func datapathAccuracy(_ data: Dataset, step: Int) throws -> Double? { nil }
    public var flopsPerSample: Double { 0 }
    public var traceData: [TraceTensor]? { nil }
}

/// A named slice of the parameter vector, as a trace stores it: `layer{layer}.{name}` with `shape`.
public struct ModelTensor: Sendable, Equatable {
    public var layer: Int
    public var name: String
    public var shape: [Int]
    public var range: Range<Int>
    public init(layer: Int, name: String, shape: [Int], range: Range<Int>) {
        self.layer = layer; self.name = name; self.shape = shape; self.range = range
    }
}

/// A named range of the flat parameter vector.
public struct ParameterGroup: Sendable, Codable, Equatable {
    public var name: String
    public var range: Range<Int>
    public init(_ name: String, _ range: Range<Int>) { self.name = name; self.range = range }
}

/// What a trace header says about a model besides the configuration: its layer table, one sample's input shape, the
/// hidden activation, the layers perturbed and how noise rows are keyed (docs/trace-format.md), and notes.
public struct TraceModelLayout: Sendable {
    public var layers: [TraceLayer]
    public var inputShape: [Int]
    /// nil: the configuration's hidden activation (mlp, cnn).
    public var activation: String?
    /// Trace layer indices the estimator perturbs, and the parametric positions (the order of the settings' copies
    /// and sigma) they have.
    public var perturbedLayers: [Int]
    public var perturbedPositions: [Int]
    /// 1: feed-forward networks; 2: time steps in the noise key's layer field (rnn, snn); 3: the gnn's node rows.
    public var noiseKeyLayout: Int
    public var notes: [String: String]
    /// The header's `model.spec` when it is not the configuration's spelling (a gnn: with the graph's edge count).
    public var spec: String?
    public init(
        layers: [TraceLayer], inputShape: [Int], activation: String?, perturbedLayers: [Int],
        perturbedPositions: [Int], noiseKeyLayout: Int, notes: [String: String] = [:], spec: String? = nil
    ) {
        self.layers = layers; self.inputShape = inputShape; self.activation = activation
        self.perturbedLayers = perturbedLayers; self.perturbedPositions = perturbedPositions
        self.noiseKeyLayout = noiseKeyLayout; self.notes = notes; self.spec = spec
    }
}
