import HWModel
import LRCore

/// The hardware model instantiated as engine resources for one network: units, buffers and FIFOs per stage, plus the
/// chip-level loss unit, broadcast bus and input DMA.
struct Machine {
    struct Stage {
        var spec: StageSpec
        var layers: [Int]
        var array: UnitID
        var vector: UnitID
        var noise: UnitID
        var weights: BufferID
        var inputs: BufferID
        var noiseStore: BufferID
        var accumulators: BufferID
        /// FIFO this stage pushes forward activations into (to the next stage, or to the loss unit for the last).
        var fifoOut: FIFOID
        /// FIFO this stage pops backprop deltas from (from the next stage or the loss unit).
        var fifoBack: FIFOID
    }

    var stages: [Stage] = []
    /// Stage index of each parametric layer.
    var stageOfLayer: [Int] = []
    var loss: UnitID
    var bus: UnitID
    var dma: UnitID

    /// Builds the resources into `graph`.
    init(model: HardwareModel, layers: [ComputeLayer], method: EstimatorKind, graph: inout TaskGraph) throws {
        let plan: [PlannedStage]
        do { plan = try model.stagePlan(parametricLayers: layers.count) } catch {
            throw SimulationError.invalidWorkload("hardware model '\(model.name)': \(error)")
        }
        stageOfLayer = Array(repeating: 0, count: layers.count)
        for (s, planned) in plan.enumerated() {
            let spec = planned.spec, name = planned.name
            for l in planned.layers {
                guard l >= 0 && l < layers.count else {
                    throw SimulationError.invalidWorkload("hardware model '\(model.name)': mapping.assign names layer \(l) but the network has \(layers.count) parametric layers")
                }
                stageOfLayer[l] = s
            }
            let pes = spec.array.kind == .systolic ? spec.array.rows &* spec.array.cols : spec.array.lanes
            let array = graph.addUnit("\(name).array", kind: .array, stage: name, width: pes)
            let vector = graph.addUnit("\(name).vector", kind: .vector, stage: name, width: spec.array.lanes)
            let noise = graph.addUnit("\(name).noise", kind: .noise, stage: name, width: 1)
            let b = spec.buffers
            let weights = graph.addBuffer("\(name).weights", stage: name, role: .weights, capacityBytes: b.weights.capacityBytes)
            let inputs = graph.addBuffer("\(name).inputs", stage: name, role: method.isForwardOnly ? .inputs : .activations,
                                         capacityBytes: b.inputs.capacityBytes)
            let noiseStore = graph.addBuffer("\(name).noise", stage: name, role: .noise, capacityBytes: b.noise.capacityBytes)
            let acc = graph.addBuffer("\(name).accumulators", stage: name, role: .accumulators,
                                      capacityBytes: b.accumulators.capacityBytes)
            let fifoOut = graph.addFIFO("\(name).fifo_out", capacityWords: b.fifoOut.depthWords, wordBytes: b.fifoOut.wordBytes)
            let fifoBack = graph.addFIFO("\(name).fifo_back", capacityWords: b.fifoOut.depthWords, wordBytes: b.fifoOut.wordBytes)
            stages.append(Stage(spec: spec, layers: planned.layers, array: array, vector: vector, noise: noise,
                                weights: weights, inputs: inputs, noiseStore: noiseStore, accumulators: acc,
                                fifoOut: fifoOut, fifoBack: fifoBack))
        }
        loss = graph.addUnit("loss", kind: .loss, width: model.loss.elementsPerCycle)
        bus = graph.addUnit("bus", kind: .bus, discipline: .arrivalOrder, width: model.bus.lossesPerCycle)
        dma = graph.addUnit("dma", kind: .dma)
    }

    func stage(ofLayer l: Int) -> Stage { stages[stageOfLayer[l]] }
}
