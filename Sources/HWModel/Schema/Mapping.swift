/// `[mapping]`: how the network's parametric layers are placed on the hardware.
public struct MappingSpec: Sendable, Equatable, Codable {
    /// `mapping.kind`.
    public var kind: MappingKind
    /// `mapping.assign`: which stage runs which parametric layers (spatial only).
    public var assign: StageAssignment
    /// `mapping.split`: how a replicated stage's work is divided over its lanes (replicas x chips).
    public var split: WorkSplit
    public init(kind: MappingKind = .spatial, assign: StageAssignment = .auto, split: WorkSplit = .data) {
        self.kind = kind; self.assign = assign; self.split = split
    }
}

public enum MappingKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// One stage per layer group; stages run concurrently and pass activations through FIFOs.
    case spatial
    /// One array (the `[stage]` template) runs every layer in turn.
    case temporal
}

/// `mapping.assign = "auto"` (one stage per parametric layer, each a copy of `[stage]`), or an explicit list
/// `[{ stage = "NAME", layers = [0, 1] }, ...]` in pipeline order.
public enum StageAssignment: Sendable, Equatable, Codable {
    case auto
    case explicit([StageLayers])
}

/// One entry of an explicit `mapping.assign`: a stage and the parametric layers it runs.
public struct StageLayers: Sendable, Equatable, Codable {
    /// `stage`: the name of a `[stages.NAME]` table.
    public var stage: String
    /// `layers`: indices of parametric layers (0 = the first dense/conv layer); non-parametric layers (activations,
    /// pooling, flatten) run on the stage of the parametric layer before them. Across the list the indices must read
    /// 0, 1, 2, ... without gaps or repeats.
    public var layers: [Int]
    public init(stage: String, layers: [Int]) { self.stage = stage; self.layers = layers }
}
