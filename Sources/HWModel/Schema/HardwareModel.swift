/// A hardware model: the accelerator an `lrsim` run is simulated, replayed or trained on.
///
/// It describes silicon, not a network or an estimator: the same file serves forward-only (LR/ALR) and backprop runs, and
/// `stagePlan(parametricLayers:)` fits it to a network's parametric layers at simulation time. Loaded from
/// `hwmodels/*.toml` by `HardwareModel.load(path:overrides:)`; every field, unit, default and range is in docs/hwmodel.md.
public struct HardwareModel: Sendable, Equatable {
    /// Short name used in reports (`name`, default: the file name without `.toml`).
    public var name: String
    /// Free text (`description`).
    public var description: String
    /// Identifies the physical design: variants that only configure the same silicon differently share it (`silicon`,
    /// default: `name`). Reports compare estimators "on equal hardware" when this matches.
    public var silicon: String
    /// What this configuration of the silicon is set up for (`configured_for`): informational, checked by the simulator.
    public var configuredFor: ConfiguredFor
    /// `[clock]`.
    public var clock: ClockSpec
    /// `[timing]`: which published timing conventions the simulator follows.
    public var timing: TimingSpec
    /// `[mapping]`: how the network's parametric layers are placed on stages.
    public var mapping: MappingSpec
    /// `[stage]`: the template every stage starts from (and, for `assign = "auto"` or a temporal mapping, every stage).
    public var stageTemplate: StageSpec
    /// `[stages.NAME]`, in pipeline order (the order of `mapping.assign`); empty for `assign = "auto"` and temporal mappings.
    public var stages: [StageSpec]
    /// `[loss]`: the loss unit (one per chip).
    public var loss: LossUnitSpec
    /// `[bus]`: the bus that broadcasts per-copy losses to every stage.
    public var bus: BroadcastBusSpec
    /// `[dram]`: the off-chip memory channel.
    public var dram: DRAMSpec
    /// `[pipeline]`: overlap and weight staleness.
    public var pipeline: PipelineSpec
    /// `[interconnect]`: chips and the links between stages, replicas and chips.
    public var interconnect: InterconnectSpec
    /// `[formats.SIGNAL]`: number format, rounding and overflow of every datapath signal.
    public var formats: NumberFormats
    /// `[[energy]]`: energy per action in pJ (Accelergy ERT style).
    public var energy: EnergyTable
    /// Where the model came from (files, overrides, which values were defaults). Not part of equality: two models are
    /// equal when they describe the same hardware.
    public internal(set) var source: ModelSource = .builtIn

    public init(
        name: String, description: String = "", silicon: String? = nil, configuredFor: ConfiguredFor = .any,
        clock: ClockSpec = .init(), timing: TimingSpec = .init(), mapping: MappingSpec = .init(),
        stageTemplate: StageSpec = .init(name: StageSpec.templateName), stages: [StageSpec] = [],
        loss: LossUnitSpec = .init(), bus: BroadcastBusSpec = .init(), dram: DRAMSpec = .init(),
        pipeline: PipelineSpec = .init(), interconnect: InterconnectSpec = .init(),
        formats: NumberFormats = .init(), energy: EnergyTable = .defaults
    ) {
        self.name = name; self.description = description; self.silicon = silicon ?? name
        self.configuredFor = configuredFor; self.clock = clock; self.timing = timing; self.mapping = mapping
        self.stageTemplate = stageTemplate; self.stages = stages; self.loss = loss; self.bus = bus; self.dram = dram
        self.pipeline = pipeline; self.interconnect = interconnect; self.formats = formats; self.energy = energy
    }
}

/// `configured_for`: the training method a configuration of the silicon is set up for.
public enum ConfiguredFor: String, Sendable, Hashable, Codable, CaseIterable {
    /// Forward-only training (LR, ALR, ES): the noise store and generator are in use.
    case forwardOnly = "forward_only"
    /// Backprop: stored activations and the backward chain; the noise generator idles.
    case backprop
    /// No preference.
    case any
}
