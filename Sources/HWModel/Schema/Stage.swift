/// One stage: a compute array with its own SRAM buffers, output FIFO and noise generator (`[stage]` template,
/// `[stages.NAME]` per-stage overrides).
public struct StageSpec: Sendable, Equatable, Codable {
    /// The stage name (`[stages.NAME]`), `"stage"` for the template; `stagePlan` names auto stages `stage0`, `stage1`, ...
    public var name: String
    /// `array`: the compute array.
    public var array: ArraySpec
    /// `buffers`: on-chip memories.
    public var buffers: BufferSet
    /// `noise`: the stage's perturbation generator.
    public var noise: NoiseGeneratorSpec
    /// `replicas` (1 ... 4096): identical copies of the stage (array, vector lanes, generator, buffers) on each chip;
    /// the stage's work is divided over them (`mapping.split`).
    public var replicas: Int

    public static let templateName = "stage"

    public init(
        name: String, array: ArraySpec = .init(), buffers: BufferSet = .init(),
        noise: NoiseGeneratorSpec = .init(), replicas: Int = 1
    ) {
        self.name = name; self.array = array; self.buffers = buffers; self.noise = noise; self.replicas = replicas
    }

    /// Total SRAM bytes of the stage (buffers plus FIFO): "same silicon" variants keep this equal.
    public var sramBytes: Int { buffers.totalBytes }
    /// Processing elements (rows x cols for systolic arrays, lanes for vector units).
    public var processingElements: Int { array.kind == .systolic ? array.rows * array.cols : array.lanes }
}

/// A stage of a `stagePlan`: the stage's resources and the parametric layers it runs.
public struct PlannedStage: Sendable, Equatable {
    public var spec: StageSpec
    /// Indices of parametric layers, increasing.
    public var layers: [Int]
    public var name: String { spec.name }
    public init(spec: StageSpec, layers: [Int]) { self.spec = spec; self.layers = layers }
}

/// `[stage.array]`: a systolic array of rows x cols PEs, or a vector unit of `lanes` lanes.
public struct ArraySpec: Sendable, Equatable, Codable {
    /// `kind`: systolic or vector.
    public var kind: ArrayKind
    /// `rows` (1 ... 65536): PE rows of a systolic array (ignored by vector units, like `cols` and `dataflow`).
    public var rows: Int
    /// `cols` (1 ... 65536): PE columns of a systolic array (ignored by vector units).
    public var cols: Int
    /// `dataflow`: what stays in the PEs (systolic only).
    public var dataflow: Dataflow
    /// `lanes` (1 ... 65536): elements per cycle of the stage's vector unit: the whole compute of a `vector` stage, and
    /// the elementwise work (activation, noise add, scaling, updates) of a `systolic` stage.
    public var lanes: Int

    public init(kind: ArrayKind = .systolic, rows: Int = 16, cols: Int = 16, dataflow: Dataflow = .ws, lanes: Int = 16)
    {
        self.kind = kind; self.rows = rows; self.cols = cols; self.dataflow = dataflow; self.lanes = lanes
    }
}

public enum ArrayKind: String, Sendable, Hashable, Codable, CaseIterable {
    case systolic, vector
}

/// Systolic dataflows in SCALE-Sim's sense (see reference/simulator-conventions.md).
public enum Dataflow: String, Sendable, Hashable, Codable, CaseIterable {
    /// Weight stationary: K on rows, N on columns, M streamed.
    case ws
    /// Output stationary: M on rows, N on columns, K streamed.
    case os
    /// Input stationary: K on rows, M on columns, N streamed.
    case `is`
}
