import HWModel
import LRCore

/// The hardware model instantiated as engine resources for one network: per chip, per stage, per replica an array, a
/// vector unit, a noise generator and four SRAM buffers; per chip the loss units, the broadcast bus, the input DMA and
/// the on-chip link that carries collectives among replicas; across chips one chip-to-chip link.
///
/// Work is placed on **lanes**: lane λ of `chips x R` (R the largest replica count) is chip λ / R and replica
/// (λ mod R) mod R_s of stage s, so a lane is one copy of the whole pipeline, and stages with fewer replicas serve
/// several lanes. FIFOs join the replicas of consecutive stages that a lane uses (created on first use).
struct Machine {
    /// One replica of a stage on one chip.
    struct Replica {
        var array: UnitID
        var vector: UnitID
        var noise: UnitID
        var weights: BufferID
        var inputs: BufferID
        var noiseStore: BufferID
        var accumulators: BufferID
    }

    struct Stage {
        var spec: StageSpec
        var layers: [Int]
        /// [chip][replica].
        var replicas: [[Replica]]
        var name: String { spec.name }
    }

    var stages: [Stage] = []
    /// Stage index of each parametric layer.
    var stageOfLayer: [Int] = []
    let chips: Int
    /// Largest replica count of any stage: lanes per chip.
    let lanesPerChip: Int
    var lanes: Int { chips &* lanesPerChip }
    /// [chip][last-stage replica]: the loss unit at the end of each lane.
    var loss: [[UnitID]] = []
    var bus: [UnitID] = []
    var dma: [UnitID] = []
    /// Per chip: the on-chip link ring joining a stage's replicas (collectives among them).
    var onChipLink: [UnitID] = []
    /// The chip-to-chip ring (collectives among chips); nil with one chip.
    var chipLink: UnitID?
    let model: HardwareModel
    let method: EstimatorKind
    /// Forward FIFOs (stage s replica -> stage s+1 replica or the loss unit) and backward FIFOs, by endpoints.
    var forwardFIFOs: [FIFOKey: FIFOID] = [:]
    var backwardFIFOs: [FIFOKey: FIFOID] = [:]

    struct FIFOKey: Hashable { var chip: Int; var stage: Int; var from: Int; var to: Int }

    /// Builds the resources into `graph`.
    init(model: HardwareModel, layers: [ComputeLayer], method: EstimatorKind, graph: inout TaskGraph) throws {
        self.model = model; self.method = method
        let plan: [PlannedStage]
        do { plan = try model.stagePlan(parametricLayers: layers.count) } catch {
            throw SimulationError.invalidWorkload("hardware model '\(model.name)': \(error)")
        }
        chips = model.interconnect.chips
        lanesPerChip = plan.map(\.spec.replicas).max() ?? 1
        let units = chips &* plan.reduce(0) { $0 &+ $1.spec.replicas } &* 7
        guard units <= 1 << 20 else {
            throw SimulationError.invalidWorkload(
                "hardware model '\(model.name)': \(chips) chips x \(plan.count) stages x replicas need \(units) units and buffers; at most 1048576 are simulated"
            )
        }
        stageOfLayer = Array(repeating: 0, count: layers.count)
        for (s, planned) in plan.enumerated() {
            for l in planned.layers {
                guard l >= 0 && l < layers.count else {
                    throw SimulationError.invalidWorkload(
                        "hardware model '\(model.name)': mapping.assign names layer \(l) but the network has \(layers.count) parametric layers"
                    )
                }
                stageOfLayer[l] = s
            }
            var perChip: [[Replica]] = []
            for c in 0..<chips {
                var replicas: [Replica] = []
                for r in 0..<planned.spec.replicas {
                    replicas.append(
                        Self.replica(
                            planned.spec,
                            name: unitName(
                                planned.spec.name, chip: c, replica: r,
                                replicas: planned.spec.replicas),
                            chip: c, method: method, graph: &graph))
                }
                perChip.append(replicas)
            }
            stages.append(Stage(spec: planned.spec, layers: planned.layers, replicas: perChip))
        }
        let last = plan[plan.count - 1].spec.replicas
        for c in 0..<chips {
            let prefix = chips > 1 ? "c\(c)." : ""
            loss.append(
                (0..<last).map { r in
                    graph.addUnit(
                        prefix + (last > 1 ? "loss.r\(r)" : "loss"), kind: .loss,
                        width: model.loss.elementsPerCycle, chip: c)
                })
            bus.append(
                graph.addUnit(
                    prefix + "bus", kind: .bus, discipline: .arrivalOrder, width: model.bus.lossesPerCycle,
                    chip: c))
            dma.append(graph.addUnit(prefix + "dma", kind: .dma, chip: c))
            if lanesPerChip > 1 {
                onChipLink.append(
                    graph.addUnit(prefix + "link.on_chip", kind: .link, discipline: .arrivalOrder, chip: c))
            }
        }
        if chips > 1 { chipLink = graph.addUnit("link.chip_to_chip", kind: .link, discipline: .arrivalOrder) }
    }

    /// `stage0.array` on a one-chip, one-replica machine; `c1.stage0.r2.array` in general.
    func unitName(_ stage: String, chip: Int, replica: Int, replicas: Int) -> String {
        (chips > 1 ? "c\(chip)." : "") + stage + (replicas > 1 ? ".r\(replica)" : "")
    }

    static func replica(
        _ spec: StageSpec, name: String, chip: Int, method: EstimatorKind,
        graph: inout TaskGraph
    ) -> Replica {
        let pes = spec.array.kind == .systolic ? spec.array.rows &* spec.array.cols : spec.array.lanes
        let array = graph.addUnit("\(name).array", kind: .array, stage: name, width: pes, chip: chip)
        let vector = graph.addUnit("\(name).vector", kind: .vector, stage: name, width: spec.array.lanes, chip: chip)
        let noise = graph.addUnit("\(name).noise", kind: .noise, stage: name, width: 1, chip: chip)
        let b = spec.buffers
        func buffer(_ suffix: String, _ role: BufferRole, _ s: BufferSpec) -> BufferID {
            graph.addBuffer(
                "\(name).\(suffix)", stage: name, role: role, capacityBytes: s.capacityBytes,
                readBytesPerCycle: s.readBytesPerCycle, writeBytesPerCycle: s.writeBytesPerCycle, chip: chip)
        }
        return Replica(
            array: array, vector: vector, noise: noise,
            weights: buffer("weights", .weights, b.weights),
            inputs: buffer("inputs", method.isForwardOnly ? .inputs : .activations, b.inputs),
            noiseStore: buffer("noise", .noise, b.noise),
            accumulators: buffer("accumulators", .accumulators, b.accumulators))
    }

    // MARK: Lanes

    func chip(ofLane lane: Int) -> Int { lane / lanesPerChip }

    /// The replica of stage `s` that lane `lane` uses.
    func replicaIndex(stage s: Int, lane: Int) -> Int { (lane % lanesPerChip) % stages[s].spec.replicas }

    func replica(stage s: Int, lane: Int) -> Replica {
        stages[s].replicas[chip(ofLane: lane)][replicaIndex(stage: s, lane: lane)]
    }

    func replica(ofLayer l: Int, lane: Int) -> Replica { replica(stage: stageOfLayer[l], lane: lane) }

    func stage(ofLayer l: Int) -> Stage { stages[stageOfLayer[l]] }

    /// The loss unit at the end of `lane`.
    func lossUnit(lane: Int) -> UnitID {
        loss[chip(ofLane: lane)][replicaIndex(stage: stages.count - 1, lane: lane)]
    }

    /// FIFO from stage `s`'s replica of `lane` to stage s+1's (or to the loss unit after the last stage).
    mutating func forwardFIFO(stage s: Int, lane: Int, graph: inout TaskGraph) -> FIFOID {
        let key = FIFOKey(
            chip: chip(ofLane: lane), stage: s, from: replicaIndex(stage: s, lane: lane),
            to: s + 1 < stages.count ? replicaIndex(stage: s + 1, lane: lane) : replicaIndex(stage: s, lane: lane))
        if let f = forwardFIFOs[key] { return f }
        let f = addFIFO(stage: s, key: key, suffix: "fifo_out", graph: &graph)
        forwardFIFOs[key] = f
        return f
    }

    /// FIFO carrying backprop's deltas into stage `s`'s replica of `lane` (from stage s+1, or the loss unit).
    mutating func backwardFIFO(stage s: Int, lane: Int, graph: inout TaskGraph) -> FIFOID {
        let key = FIFOKey(
            chip: chip(ofLane: lane), stage: s,
            from: s + 1 < stages.count ? replicaIndex(stage: s + 1, lane: lane) : replicaIndex(stage: s, lane: lane),
            to: replicaIndex(stage: s, lane: lane))
        if let f = backwardFIFOs[key] { return f }
        let f = addFIFO(stage: s, key: key, suffix: "fifo_back", graph: &graph)
        backwardFIFOs[key] = f
        return f
    }

    /// A stage's FIFO: its depth and word from `[stage.buffers.fifo_out]`; words move at the ports' rate (one word per
    /// read/write port per cycle), limited by the on-chip link's bandwidth, and arrive after the link's latency.
    func addFIFO(stage s: Int, key: FIFOKey, suffix: String, graph: inout TaskGraph) -> FIFOID {
        let f = stages[s].spec.buffers.fifoOut
        let link = model.interconnect.onChip
        var words = Double(min(f.readPorts, f.writePorts))
        if link.bytesPerCycle > 0 { words = min(words, link.bytesPerCycle / Double(max(1, f.wordBytes))) }
        let name = unitName(stages[s].name, chip: key.chip, replica: key.from, replicas: stages[s].spec.replicas)
        let target =
            (s + 1 < stages.count && stages[s + 1].spec.replicas > 1) || key.from != key.to ? "->r\(key.to)" : ""
        return graph.addFIFO(
            "\(name).\(suffix)\(target)", capacityWords: f.depthWords, wordBytes: f.wordBytes,
            wordsPerCycle: words, latencyCycles: link.latencyCycles)
    }
}
