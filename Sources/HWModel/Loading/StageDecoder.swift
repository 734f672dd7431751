/// `[stage]` and `[stages.NAME]`: array, buffers, FIFO and noise generator. Named stages fall back to the decoded
/// template, so `show` can mark their inherited values.
extension ModelDecoder {
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
        s.replicas = r.read("replicas", fallback: defaults.replicas, literal: Literal.int, parse: Parse.int(1...4096))
        r.finish()
        return s
    }

    func decodeArray(_ r: TableReader, defaults d: ArraySpec) -> ArraySpec {
        let kind = r.read(
            "kind", fallback: d.kind, literal: { .string($0.rawValue) }, parse: Parse.choice(ArrayKind.self))
        let rows = r.read("rows", fallback: d.rows, literal: Literal.int, parse: Parse.int(1...65536))
        let cols = r.read("cols", fallback: d.cols, literal: Literal.int, parse: Parse.int(1...65536))
        let dataflow = r.read(
            "dataflow", fallback: d.dataflow, literal: { .string($0.rawValue) },
            parse: Parse.choice(Dataflow.self))
        let lanes = r.read("lanes", fallback: d.lanes, literal: Literal.int, parse: Parse.int(1...65536))
        r.finish()
        return ArraySpec(kind: kind, rows: rows, cols: cols, dataflow: dataflow, lanes: lanes)
    }

    static let maxBytes = 1 << 40

    func decodeBuffer(_ r: TableReader, defaults d: BufferSpec) -> BufferSpec {
        let capacity = r.read(
            "capacity_bytes", fallback: d.capacityBytes, literal: Literal.int,
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
        let kind = r.read(
            "kind", fallback: d.kind, literal: { .string($0.rawValue) },
            parse: Parse.choice(NoiseGeneratorKind.self))
        let numbers = r.read(
            "numbers_per_cycle", fallback: d.numbersPerCycle, literal: Literal.int,
            parse: Parse.int(1...65536))
        let bits = r.read(
            "bits_per_cycle", fallback: d.bitsPerCycle, literal: Literal.int, parse: Parse.int(1...1_048_576))
        let latency = r.read(
            "latency_cycles", fallback: d.latencyCycles, literal: Literal.int, parse: Parse.int(0...1024))
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
            out.append(decodeStage(r.table(name, inheriting: "stage"), name: name, defaults: template))
        }
        r.finish()
        return out
    }
}
