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
        defaultName = URL(fileURLWithPath: mainFile).deletingPathExtension().lastPathComponent
    }

    func decode() -> HardwareModel {
        let name = root.read("name", fallback: defaultName, literal: Literal.string, parse: Parse.string(nonEmpty: true))
        let description = root.read("description", fallback: "", literal: Literal.string, parse: Parse.string())
        let silicon = root.read("silicon", fallback: name, literal: Literal.string, parse: Parse.string(nonEmpty: true))
        let configuredFor = root.read("configured_for", fallback: ConfiguredFor.any, literal: { .string($0.rawValue) },
                                      parse: Parse.choice(ConfiguredFor.self))
        var model = HardwareModel(name: name, description: description, silicon: silicon, configuredFor: configuredFor)
        model.clock = decodeClock(root.table("clock"))
        model.timing = decodeTiming(root.table("timing"))
        model.mapping = decodeMapping(root.table("mapping"))
        model.stageTemplate = decodeStage(root.table("stage"), name: StageSpec.templateName,
                                          defaults: StageSpec(name: StageSpec.templateName))
        model.stages = decodeStages(root.table("stages"), template: model.stageTemplate, mapping: model.mapping)
        model.loss = decodeLoss(root.table("loss"))
        model.bus = decodeBus(root.table("bus"))
        model.dram = decodeDRAM(root.table("dram"))
        model.pipeline = decodePipeline(root.table("pipeline"))
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
        let systolic = r.read("systolic", fallback: d.systolic, literal: { .string($0.rawValue) },
                              parse: Parse.choice(SystolicConvention.self))
        let latency = r.read("vector_latency_cycles", fallback: d.vectorLatencyCycles, literal: Literal.int,
                             parse: Parse.int(0...1024))
        r.finish()
        return TimingSpec(systolic: systolic, vectorLatencyCycles: latency)
    }

    func decodeMapping(_ r: TableReader) -> MappingSpec {
        let d = MappingSpec()
        let kind = r.read("kind", fallback: d.kind, literal: { .string($0.rawValue) }, parse: Parse.choice(MappingKind.self))
        let assign = r.read("assign", fallback: d.assign, literal: Self.assignLiteral,
                            parse: { self.parseAssign($0, field: r.field("assign")) })
        r.finish()
        return MappingSpec(kind: kind, assign: assign)
    }

    static func assignLiteral(_ a: StageAssignment) -> Literal {
        switch a {
        case .auto: return .string("auto")
        case .explicit(let entries):
            return .array(entries.map { .table([("stage", .string($0.stage)), ("layers", .array($0.layers.map(Literal.int)))]) })
        }
    }

    /// `"auto"` or `[{ stage = "NAME", layers = [0, 1] }, ...]`; problems inside entries name the entry.
    func parseAssign(_ node: Node, field: String) -> Result<StageAssignment, Rejection> {
        let expected = "expected \"auto\" or an array of { stage = \"NAME\", layers = [INDEX, ...] }"
        switch node.value {
        case .string("auto"), .text("auto"): return .success(.auto)
        case .string(let s), .text(let s): return .failure(Rejection("\(expected), got \"\(s)\""))
        case .array(let items):
            guard !items.isEmpty else { return .failure(Rejection("\(expected), got an empty array")) }
            var entries: [StageLayers] = []
            for (i, item) in items.enumerated() {
                guard case .table(let t) = item.value else {
                    return .failure(Rejection("\(expected), got \(item.described) at index \(i)"))
                }
                let r = TableReader(context: context, path: "\(field)[\(i)]", table: t, origin: item.origin)
                let stage = r.read("stage", fallback: "", literal: Literal.string, parse: Self.parseStageName)
                let layers = r.read("layers", fallback: [Int](), literal: { .array($0.map(Literal.int)) },
                                    parse: Self.parseLayers)
                if !r.has("stage") { context.problem(item.origin, r.field("stage"), "expected a stage name, got nothing") }
                if !r.has("layers") {
                    context.problem(item.origin, r.field("layers"), "expected an array of parametric-layer indices, got nothing")
                }
                r.finish()
                entries.append(StageLayers(stage: stage, layers: layers))
            }
            // The per-entry reads were logged under assign[i]: keep only the whole array in the show log.
            context.log.removeAll { $0.table.hasPrefix("\(field)[") }
            return .success(.explicit(entries))
        default: return .failure(Rejection("\(expected), got \(node.described)"))
        }
    }

    /// Stage names are bare TOML keys (letters, digits, `_`, `-`), so `[stages.NAME]` can name them.
    static func parseStageName(_ node: Node) -> Result<String, Rejection> {
        Parse.string(nonEmpty: true)(node).flatMap { name in
            HardwareModel.tomlKey(name) == name ? .success(name)
                : .failure(Rejection("expected a stage name of letters, digits, '_' and '-', got \"\(name)\""))
        }
    }

    static func parseLayers(_ node: Node) -> Result<[Int], Rejection> {
        let expected = "expected a non-empty array of parametric-layer indices in 0...4095"
        guard case .array(let items) = node.value, !items.isEmpty else {
            return .failure(Rejection("\(expected), got \(node.described)"))
        }
        var out: [Int] = []
        for item in items {
            guard case .int(let i) = item.value, (0...4095).contains(i) else {
                return .failure(Rejection("\(expected), got \(item.described)"))
            }
            out.append(i)
        }
        return .success(out)
    }

    /// A stage (the template or a named stage) over `defaults`.
    func decodeStage(_ r: TableReader, name: String, defaults: StageSpec) -> StageSpec {
        var s = defaults
        s.name = name
        s.array = decodeArray(r.table("array"), defaults: defaults.array)
        let b = r.table("buffers")
        s.buffers.weights = decodeBuffer(b.table("weights"), defaults: defaults.buffers.weights)
        s.buffers.inputs = decodeBuffer(b.table("inputs"), defaults: defaults.buffers.inputs)
        s.buffers.noise = decodeBuffer(b.table("noise"), defaults: defaults.buffers.noise)
        s.buffers.accumulators = decodeBuffer(b.table("accumulators"), defaults: defaults.buffers.accumulators)
        s.buffers.fifoOut = decodeFIFO(b.table("fifo_out"), defaults: defaults.buffers.fifoOut)
        b.finish()
        s.noise = decodeNoise(r.table("noise"), defaults: defaults.noise)
        r.finish()
        return s
    }

    func decodeArray(_ r: TableReader, defaults d: ArraySpec) -> ArraySpec {
        let kind = r.read("kind", fallback: d.kind, literal: { .string($0.rawValue) }, parse: Parse.choice(ArrayKind.self))
        let rows = r.read("rows", fallback: d.rows, literal: Literal.int, parse: Parse.int(1...65536))
        let cols = r.read("cols", fallback: d.cols, literal: Literal.int, parse: Parse.int(1...65536))
        let dataflow = r.read("dataflow", fallback: d.dataflow, literal: { .string($0.rawValue) },
                              parse: Parse.choice(Dataflow.self))
        let lanes = r.read("lanes", fallback: d.lanes, literal: Literal.int, parse: Parse.int(1...65536))
        r.finish()
        return ArraySpec(kind: kind, rows: rows, cols: cols, dataflow: dataflow, lanes: lanes)
    }

    static let maxBytes = 1 << 40

    func decodeBuffer(_ r: TableReader, defaults d: BufferSpec) -> BufferSpec {
        let capacity = r.read("capacity_bytes", fallback: d.capacityBytes, literal: Literal.int,
                              parse: Parse.bytes(max: Self.maxBytes))
        let readPorts = r.read("read_ports", fallback: d.readPorts, literal: Literal.int, parse: Parse.int(1...64))
        let writePorts = r.read("write_ports", fallback: d.writePorts, literal: Literal.int, parse: Parse.int(1...64))
        let wordBits = r.read("word_bits", fallback: d.wordBits, literal: Literal.int, parse: Self.wordBits)
        r.finish()
        return BufferSpec(capacityBytes: capacity, readPorts: readPorts, writePorts: writePorts, wordBits: wordBits)
    }

    static func wordBits(_ node: Node) -> Result<Int, Rejection> {
        Parse.int(8...4096)(node).flatMap { bits in
            bits % 8 == 0 ? .success(bits) : .failure(Rejection("expected a multiple of 8 in 8...4096, got \(bits)"))
        }
    }

    func decodeFIFO(_ r: TableReader, defaults d: FIFOSpec) -> FIFOSpec {
        let depth = r.read("depth_words", fallback: d.depthWords, literal: Literal.int, parse: Parse.int(1...(1 << 24)))
        let wordBits = r.read("word_bits", fallback: d.wordBits, literal: Literal.int, parse: Self.wordBits)
        let readPorts = r.read("read_ports", fallback: d.readPorts, literal: Literal.int, parse: Parse.int(1...64))
        let writePorts = r.read("write_ports", fallback: d.writePorts, literal: Literal.int, parse: Parse.int(1...64))
        r.finish()
        return FIFOSpec(depthWords: depth, wordBits: wordBits, readPorts: readPorts, writePorts: writePorts)
    }

    func decodeNoise(_ r: TableReader, defaults d: NoiseGeneratorSpec) -> NoiseGeneratorSpec {
        let kind = r.read("kind", fallback: d.kind, literal: { .string($0.rawValue) },
                          parse: Parse.choice(NoiseGeneratorKind.self))
        let numbers = r.read("numbers_per_cycle", fallback: d.numbersPerCycle, literal: Literal.int,
                             parse: Parse.int(1...65536))
        let bits = r.read("bits_per_cycle", fallback: d.bitsPerCycle, literal: Literal.int, parse: Parse.int(1...1_048_576))
        let latency = r.read("latency_cycles", fallback: d.latencyCycles, literal: Literal.int, parse: Parse.int(0...1024))
        r.finish()
        return NoiseGeneratorSpec(kind: kind, numbersPerCycle: numbers, bitsPerCycle: bits, latencyCycles: latency)
    }

    /// `[stages.NAME]` tables, in the order `mapping.assign` lists them (unlisted ones after, by name).
    func decodeStages(_ r: TableReader, template: StageSpec, mapping: MappingSpec) -> [StageSpec] {
        var order: [String] = []
        if case .explicit(let entries) = mapping.assign {
            for e in entries where !order.contains(e.stage) && r.has(e.stage) { order.append(e.stage) }
        }
        for name in r.table.keys where !order.contains(name) { order.append(name) }
        var out: [StageSpec] = []
        for name in order {
            let node = r.table[name]
            let sub = r.table(name)
            let reader = TableReader(context: context, path: sub.path, table: sub.table, origin: node?.origin ?? r.origin,
                                     templatePath: "stage")
            out.append(decodeStage(reader, name: name, defaults: template))
        }
        r.finish()
        return out
    }

    func decodeLoss(_ r: TableReader) -> LossUnitSpec {
        let d = LossUnitSpec()
        let latency = r.read("latency_cycles", fallback: d.latencyCycles, literal: Literal.int, parse: Parse.int(0...65536))
        let rate = r.read("elements_per_cycle", fallback: d.elementsPerCycle, literal: Literal.int,
                          parse: Parse.int(1...65536))
        r.finish()
        return LossUnitSpec(latencyCycles: latency, elementsPerCycle: rate)
    }

    func decodeBus(_ r: TableReader) -> BroadcastBusSpec {
        let d = BroadcastBusSpec()
        let latency = r.read("latency_cycles", fallback: d.latencyCycles, literal: Literal.int, parse: Parse.int(0...65536))
        let rate = r.read("losses_per_cycle", fallback: d.lossesPerCycle, literal: Literal.int, parse: Parse.int(1...65536))
        r.finish()
        return BroadcastBusSpec(latencyCycles: latency, lossesPerCycle: rate)
    }

    func decodeDRAM(_ r: TableReader) -> DRAMSpec {
        let d = DRAMSpec()
        let bandwidth = r.read("bytes_per_cycle", fallback: d.bytesPerCycle, literal: Literal.double,
                               parse: Parse.double(0.001...1e6))
        let latency = r.read("latency_cycles", fallback: d.latencyCycles, literal: Literal.int,
                             parse: Parse.int(0...1_000_000))
        r.finish()
        return DRAMSpec(bytesPerCycle: bandwidth, latencyCycles: latency)
    }

    func decodePipeline(_ r: TableReader) -> PipelineSpec {
        let d = PipelineSpec()
        let mode = r.read("mode", fallback: d.mode, literal: { .string($0.rawValue) }, parse: Parse.choice(PipelineMode.self))
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
            let f = t.read("format", fallback: (signed: d.signed, intBits: d.intBits, fracBits: d.fracBits),
                           literal: { .string("\($0.signed ? "s" : "u")\($0.intBits).\($0.fracBits)") },
                           parse: Parse.format(maxBits: maxBits))
            let rounding = t.read("rounding", fallback: d.rounding, literal: { .string($0.rawValue) },
                                  parse: Parse.choice(RoundingMode.self))
            let overflow = t.read("overflow", fallback: d.overflow, literal: { .string($0.rawValue) },
                                  parse: Parse.choice(OverflowMode.self))
            t.finish()
            formats[signal] = NumberFormatSpec(signed: f.signed, intBits: f.intBits, fracBits: f.fracBits,
                                               rounding: rounding, overflow: overflow)
        }
        r.finish()
        return formats
    }
}
