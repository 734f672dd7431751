import FixedPoint
import Foundation

/// Decodes a merged document into a `HardwareModel`, section by section, in the order `show` prints them. The built-in
/// defaults are the `init` defaults of the schema types.
struct ModelDecoder {
    let context: DecodeContext
    let root: TableReader
    let defaultName: String

    init(document: Table, mainFile: String) {
        context = DecodeContext(mainFile: mainFile)
        root = TableReader(context: context, path: "", table: document, origin: .file(path: mainFile, line: 0))
        let why =
            "a hardware model describes hardware only: give the network and the estimator to the command "
            + "(--model, --estimator, --batch, --copies) or take them from a trace"
        for key in ["workload", "network", "model", "estimator", "batch", "copies", "sigma", "dataset"] {
            root.unknownKeyExplanations[key] = why
        }
        defaultName = URL(fileURLWithPath: mainFile).deletingPathExtension().lastPathComponent
    }

    func decode() -> HardwareModel {
        let name = root.read(
            "name", fallback: defaultName, literal: Literal.string, parse: Parse.string(nonEmpty: true))
        let description = root.read("description", fallback: "", literal: Literal.string, parse: Parse.string())
        let silicon = root.read("silicon", fallback: name, literal: Literal.string, parse: Parse.string(nonEmpty: true))
        let configuredFor = root.read(
            "configured_for", fallback: ConfiguredFor.any, literal: { .string($0.rawValue) },
            parse: Parse.choice(ConfiguredFor.self))
        var model = HardwareModel(name: name, description: description, silicon: silicon, configuredFor: configuredFor)
        model.clock = decodeClock(root.table("clock"))
        model.timing = decodeTiming(root.table("timing"))
        model.mapping = decodeMapping(root.table("mapping"))
        model.stageTemplate = decodeStage(
            root.table("stage"), name: StageSpec.templateName,
            defaults: StageSpec(name: StageSpec.templateName))
        model.stages = decodeStages(root.table("stages"), template: model.stageTemplate, mapping: model.mapping)
        model.loss = decodeLoss(root.table("loss"))
        model.bus = decodeBus(root.table("bus"))
        model.dram = decodeDRAM(root.table("dram"))
        model.pipeline = decodePipeline(root.table("pipeline"))
        model.interconnect = decodeInterconnect(root.table("interconnect"))
        model.formats = decodeFormats(root.table("formats"))
        model.energy = decodeEnergy()
        root.finish()
        return model
    }

    // MARK: Sections

    func decodeClock(_ r: TableReader) -> ClockSpec {
        let d = ClockSpec()
        let hz = r.read("hz", fallback: d.hz, literal: Literal.double, parse: Parse.double(1e3...1e11))
        r.finish()
        return ClockSpec(hz: hz)
    }

    func decodeTiming(_ r: TableReader) -> TimingSpec {
        let d = TimingSpec()
        let systolic = r.read(
            "systolic", fallback: d.systolic, literal: { .string($0.rawValue) },
            parse: Parse.choice(SystolicConvention.self))
        let latency = r.read(
            "vector_latency_cycles", fallback: d.vectorLatencyCycles, literal: Literal.int,
            parse: Parse.int(0...1024))
        let tiles = r.read("tiles", fallback: d.tiles, literal: Literal.int, parse: Parse.int(1...4096))
        r.finish()
        return TimingSpec(systolic: systolic, vectorLatencyCycles: latency, tiles: tiles)
    }

    func decodeLoss(_ r: TableReader) -> LossUnitSpec {
        let d = LossUnitSpec()
        let latency = r.read(
            "latency_cycles", fallback: d.latencyCycles, literal: Literal.int, parse: Parse.int(0...65536))
        let rate = r.read(
            "elements_per_cycle", fallback: d.elementsPerCycle, literal: Literal.int,
            parse: Parse.int(1...65536))
        r.finish()
        return LossUnitSpec(latencyCycles: latency, elementsPerCycle: rate)
    }

    func decodeBus(_ r: TableReader) -> BroadcastBusSpec {
        let d = BroadcastBusSpec()
        let latency = r.read(
            "latency_cycles", fallback: d.latencyCycles, literal: Literal.int, parse: Parse.int(0...65536))
        let rate = r.read(
            "losses_per_cycle", fallback: d.lossesPerCycle, literal: Literal.int, parse: Parse.int(1...65536))
        r.finish()
        return BroadcastBusSpec(latencyCycles: latency, lossesPerCycle: rate)
    }

    func decodeInterconnect(_ r: TableReader) -> InterconnectSpec {
        let d = InterconnectSpec()
        let chips = r.read("chips", fallback: d.chips, literal: Literal.int, parse: Parse.int(1...1024))
        let collective = r.read(
            "collective", fallback: d.collective, literal: { .string($0.rawValue) },
            parse: Parse.choice(CollectiveAlgorithm.self))
        let onChip = decodeLink(r.table("on_chip"), defaults: d.onChip)
        let chipToChip = decodeLink(r.table("chip_to_chip"), defaults: d.chipToChip)
        r.finish()
        return InterconnectSpec(chips: chips, collective: collective, onChip: onChip, chipToChip: chipToChip)
    }

    func decodeLink(_ r: TableReader, defaults d: LinkSpec) -> LinkSpec {
        let bandwidth = r.read(
            "bytes_per_cycle", fallback: d.bytesPerCycle, literal: Literal.double,
            parse: Parse.double(0...1e6))
        let latency = r.read(
            "latency_cycles", fallback: d.latencyCycles, literal: Literal.int,
            parse: Parse.int(0...1_000_000))
        let energy = r.read(
            "energy_pj_per_byte", fallback: d.energyPjPerByte, literal: Literal.double,
            parse: Parse.double(0...1e6))
        r.finish()
        return LinkSpec(bytesPerCycle: bandwidth, latencyCycles: latency, energyPjPerByte: energy)
    }

    func decodePipeline(_ r: TableReader) -> PipelineSpec {
        let d = PipelineSpec()
        let mode = r.read(
            "mode", fallback: d.mode, literal: { .string($0.rawValue) }, parse: Parse.choice(PipelineMode.self))
        let staleness = r.read("staleness", fallback: d.staleness, literal: Literal.int, parse: Parse.int(0...64))
        r.finish()
        return PipelineSpec(mode: mode, staleness: staleness)
    }

    func decodeFormats(_ r: TableReader) -> NumberFormats {
        var formats = NumberFormats()
        for signal in Signal.allCases {
            let t = r.table(signal.rawValue)
            let d = formats[signal]
            let maxBits = NumberFormats.maxBits(signal)
            let f = t.read(
                "format", fallback: (signed: d.signed, intBits: d.intBits, fracBits: d.fracBits),
                literal: { .string("\($0.signed ? "s" : "u")\($0.intBits).\($0.fracBits)") },
                parse: Parse.format(maxBits: maxBits))
            let rounding = t.read(
                "rounding", fallback: d.rounding, literal: { .string($0.rawValue) },
                parse: Parse.choice(Quantization.self))
            let overflow = t.read(
                "overflow", fallback: d.overflow, literal: { .string($0.rawValue) },
                parse: Parse.choice(Overflow.self))
            t.finish()
            formats[signal] = NumberFormatSpec(
                signed: f.signed, intBits: f.intBits, fracBits: f.fracBits,
                rounding: rounding, overflow: overflow)
        }
        r.finish()
        return formats
    }
}
