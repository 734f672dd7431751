import FixedPoint

/// Turns a `HardwareModel` built in code back into a document, so that `applying(overrides:)` and `resolvedTOML()` work
/// for it as for a loaded one. Only values that differ from their default (built-in, or the `[stage]` template for
/// named stages) are written, so `show` still marks the rest as defaults.
struct ModelEncoder {
    private var root = Table()

    static func document(for model: HardwareModel) -> Table {
        var e = ModelEncoder()
        e.encode(model)
        return e.root
    }

    private mutating func put(_ path: [String], _ value: Node.Value) {
        try? Overrides.set(
            Node(value: value, origin: .builtin), at: path, in: &root, field: path.joined(separator: "."))
    }

    private mutating func put<T: Equatable>(_ path: [String], _ value: T, _ reference: T, _ node: (T) -> Node.Value) {
        if value != reference { put(path, node(value)) }
    }

    private mutating func encode(_ m: HardwareModel) {
        put(["name"], .string(m.name))
        put(["description"], m.description, "", Node.Value.string)
        put(["silicon"], m.silicon, m.name, Node.Value.string)
        put(["configured_for"], m.configuredFor.rawValue, ConfiguredFor.any.rawValue, Node.Value.string)
        put(["clock", "hz"], m.clock.hz, ClockSpec().hz, Node.Value.double)
        let t = TimingSpec()
        put(["timing", "systolic"], m.timing.systolic.rawValue, t.systolic.rawValue, Node.Value.string)
        put(["timing", "vector_latency_cycles"], m.timing.vectorLatencyCycles, t.vectorLatencyCycles, Node.Value.int)
        put(["timing", "tiles"], m.timing.tiles, t.tiles, Node.Value.int)
        put(["mapping", "kind"], m.mapping.kind.rawValue, MappingSpec().kind.rawValue, Node.Value.string)
        put(["mapping", "split"], m.mapping.split.rawValue, MappingSpec().split.rawValue, Node.Value.string)
        if case .explicit(let entries) = m.mapping.assign {
            put(
                ["mapping", "assign"],
                .array(
                    entries.map { e in
                        Node(
                            value: .table(
                                Table(entries: [
                                    "stage": Node(value: .string(e.stage), origin: .builtin),
                                    "layers": Node(
                                        value: .array(e.layers.map { Node(value: .int($0), origin: .builtin) }),
                                        origin: .builtin),
                                ])), origin: .builtin)
                    }))
        }
        encodeStage(m.stageTemplate, path: ["stage"], reference: StageSpec(name: StageSpec.templateName))
        for s in m.stages { encodeStage(s, path: ["stages", s.name], reference: m.stageTemplate) }
        put(["loss", "latency_cycles"], m.loss.latencyCycles, LossUnitSpec().latencyCycles, Node.Value.int)
        put(["loss", "elements_per_cycle"], m.loss.elementsPerCycle, LossUnitSpec().elementsPerCycle, Node.Value.int)
        put(["bus", "latency_cycles"], m.bus.latencyCycles, BroadcastBusSpec().latencyCycles, Node.Value.int)
        put(["bus", "losses_per_cycle"], m.bus.lossesPerCycle, BroadcastBusSpec().lossesPerCycle, Node.Value.int)
        put(["dram", "bytes_per_cycle"], m.dram.bytesPerCycle, DRAMSpec().bytesPerCycle, Node.Value.double)
        put(["dram", "latency_cycles"], m.dram.latencyCycles, DRAMSpec().latencyCycles, Node.Value.int)
        if let s = m.dram.structured { encodeStructuredDRAM(s) }
        put(["pipeline", "mode"], m.pipeline.mode.rawValue, PipelineSpec().mode.rawValue, Node.Value.string)
        put(["pipeline", "staleness"], m.pipeline.staleness, PipelineSpec().staleness, Node.Value.int)
        let ic = InterconnectSpec()
        put(["interconnect", "chips"], m.interconnect.chips, ic.chips, Node.Value.int)
        put(
            ["interconnect", "collective"], m.interconnect.collective.rawValue, ic.collective.rawValue,
            Node.Value.string)
        for (name, link, reference) in [
            ("on_chip", m.interconnect.onChip, ic.onChip),
            ("chip_to_chip", m.interconnect.chipToChip, ic.chipToChip),
        ] {
            let p = ["interconnect", name]
            put(p + ["bytes_per_cycle"], link.bytesPerCycle, reference.bytesPerCycle, Node.Value.double)
            put(p + ["latency_cycles"], link.latencyCycles, reference.latencyCycles, Node.Value.int)
            put(p + ["energy_pj_per_byte"], link.energyPjPerByte, reference.energyPjPerByte, Node.Value.double)
        }
        let defaults = NumberFormats()
        for signal in Signal.allCases {
            let f = m.formats[signal], d = defaults[signal]
            let path = ["formats", signal.rawValue]
            put(path + ["format"], f.format, d.format, Node.Value.string)
            put(path + ["rounding"], f.rounding.rawValue, d.rounding.rawValue, Node.Value.string)
            put(path + ["overflow"], f.overflow.rawValue, d.overflow.rawValue, Node.Value.string)
        }
        var energy: [Node] = []
        for action in EnergyAction.allCases where m.energy[action] != EnergyTable.defaults[action] {
            energy.append(
                Node(
                    value: .table(
                        Table(entries: [
                            "component": Node(value: .string(action.component), origin: .builtin),
                            "action": Node(value: .string(action.action), origin: .builtin),
                            "energy_pj": Node(value: .double(m.energy[action]), origin: .builtin),
                        ])), origin: .builtin))
        }
        if !energy.isEmpty { put(["energy"], .array(energy)) }
    }

    /// `model = "structured"`, the preset, and every field that differs from the preset.
    private mutating func encodeStructuredDRAM(_ s: StructuredDRAMSpec) {
        let p = s.preset.spec
        put(["dram", "model"], .string(DRAMModel.structured.rawValue))
        put(["dram", "preset"], .string(s.preset.rawValue))
        put(["dram", "clock_hz"], s.clockHz, p.clockHz, Node.Value.double)
        let ints: [(String, Int, Int)] = [
            ("channels", s.channels, p.channels), ("bank_groups", s.bankGroups, p.bankGroups),
            ("banks_per_group", s.banksPerGroup, p.banksPerGroup), ("rows", s.rows, p.rows),
            ("columns", s.columns, p.columns), ("bus_bits", s.busBits, p.busBits),
            ("burst_length", s.burstLength, p.burstLength),
        ]
        for (key, value, reference) in ints { put(["dram", key], value, reference, Node.Value.int) }
        put(["dram", "mapping"], s.mapping.description, p.mapping.description, Node.Value.string)
        for (key, path) in DRAMTiming.fields {
            put(["dram", "timing", key], s.timing[keyPath: path], p.timing[keyPath: path], Node.Value.int)
        }
    }

    private mutating func encodeStage(_ s: StageSpec, path: [String], reference r: StageSpec) {
        // A named stage's table must exist even when it overrides nothing.
        if path.first == "stages" { put(path + ["array", "kind"], .string(s.array.kind.rawValue)) }
        let a = path + ["array"]
        put(a + ["kind"], s.array.kind.rawValue, r.array.kind.rawValue, Node.Value.string)
        put(a + ["rows"], s.array.rows, r.array.rows, Node.Value.int)
        put(a + ["cols"], s.array.cols, r.array.cols, Node.Value.int)
        put(a + ["dataflow"], s.array.dataflow.rawValue, r.array.dataflow.rawValue, Node.Value.string)
        put(a + ["lanes"], s.array.lanes, r.array.lanes, Node.Value.int)
        for ((name, b), (_, rb)) in zip(s.buffers.srams, r.buffers.srams) {
            let p = path + ["buffers", name]
            put(p + ["capacity_bytes"], b.capacityBytes, rb.capacityBytes, Node.Value.int)
            put(p + ["read_ports"], b.readPorts, rb.readPorts, Node.Value.int)
            put(p + ["write_ports"], b.writePorts, rb.writePorts, Node.Value.int)
            put(p + ["word_bits"], b.wordBits, rb.wordBits, Node.Value.int)
        }
        let f = s.buffers.fifoOut, rf = r.buffers.fifoOut, p = path + ["buffers", "fifo_out"]
        put(p + ["depth_words"], f.depthWords, rf.depthWords, Node.Value.int)
        put(p + ["word_bits"], f.wordBits, rf.wordBits, Node.Value.int)
        put(p + ["read_ports"], f.readPorts, rf.readPorts, Node.Value.int)
        put(p + ["write_ports"], f.writePorts, rf.writePorts, Node.Value.int)
        let n = path + ["noise"]
        put(n + ["kind"], s.noise.kind.rawValue, r.noise.kind.rawValue, Node.Value.string)
        put(n + ["numbers_per_cycle"], s.noise.numbersPerCycle, r.noise.numbersPerCycle, Node.Value.int)
        put(n + ["bits_per_cycle"], s.noise.bitsPerCycle, r.noise.bitsPerCycle, Node.Value.int)
        put(n + ["latency_cycles"], s.noise.latencyCycles, r.noise.latencyCycles, Node.Value.int)
        put(path + ["replicas"], s.replicas, r.replicas, Node.Value.int)
    }
}
