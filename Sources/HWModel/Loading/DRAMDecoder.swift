/// `[dram]` and `[dram.timing]`: the simple channel's two fields always; with `model = "structured"`, a preset and
/// every organization and timing field over it (`show` marks preset values `# from preset "NAME"`).
extension ModelDecoder {
    /// Keys only the structured model reads (`timing` is the `[dram.timing]` table).
    static let structuredDRAMKeys = [
        "preset", "clock_hz", "channels", "bank_groups", "banks_per_group", "rows",
        "columns", "bus_bits", "burst_length", "mapping", "timing",
    ]

    func decodeDRAM(_ r: TableReader) -> DRAMSpec {
        let d = DRAMSpec()
        let model = r.read(
            "model", fallback: DRAMModel.simple, literal: { .string($0.rawValue) },
            parse: Parse.choice(DRAMModel.self))
        let bandwidth = r.read(
            "bytes_per_cycle", fallback: d.bytesPerCycle, literal: Literal.double,
            parse: Parse.double(0.001...1e6))
        let latency = r.read(
            "latency_cycles", fallback: d.latencyCycles, literal: Literal.int,
            parse: Parse.int(0...1_000_000))
        guard model == .structured else {
            // A structured memory switched to the simple channel (`--set dram.model=simple`, a sweep axis) keeps its
            // structured fields in the file; the simple channel reads only bytes_per_cycle and latency_cycles. The
            // fields must still be well formed, so the structured decoder checks them.
            if r.has("preset") {
                _ = decodeStructuredDRAM(r)
            } else {
                // Without a preset, structured fields on the simple channel are a mistake, not silently ignored.
                for key in Self.structuredDRAMKeys where r.has(key) {
                    r.claim(key)
                    context.problem(
                        r.origin(of: key), r.field(key),
                        "expected model = \"structured\" to use this field (the simple channel reads only "
                            + "bytes_per_cycle and latency_cycles), got model = \"\(model.rawValue)\"")
                }
            }
            r.finish()
            return DRAMSpec(bytesPerCycle: bandwidth, latencyCycles: latency)
        }
        let structured = decodeStructuredDRAM(r)
        r.finish()
        return DRAMSpec(bytesPerCycle: bandwidth, latencyCycles: latency, structured: structured)
    }

    private func decodeStructuredDRAM(_ r: TableReader) -> StructuredDRAMSpec {
        let preset: DRAMPreset
        if r.has("preset") {
            preset = r.read(
                "preset", fallback: .lpddr4_3200, literal: { .string($0.rawValue) },
                parse: Parse.choice(DRAMPreset.self))
        } else {
            r.claim("preset")
            let names = DRAMPreset.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            context.problem(
                r.origin(of: "model"), r.field("preset"),
                "expected a preset (\(names)) with model = \"structured\": every field starts from one, got none")
            preset = .lpddr4_3200
        }
        let p = preset.spec
        let from = ValueSource.preset(preset.rawValue)
        func int(_ key: String, _ fallback: Int, _ parse: @escaping (Node) -> Result<Int, Rejection>) -> Int {
            r.read(key, fallback: fallback, fallbackSource: from, literal: Literal.int, parse: parse)
        }
        let clockHz = r.read(
            "clock_hz", fallback: p.clockHz, fallbackSource: from, literal: Literal.double,
            parse: Parse.double(1e6...1e11))
        var s = p
        s.clockHz = clockHz
        s.channels = int("channels", p.channels, Self.powerOfTwo(1...1024))
        s.bankGroups = int("bank_groups", p.bankGroups, Self.powerOfTwo(1...64))
        s.banksPerGroup = int("banks_per_group", p.banksPerGroup, Self.powerOfTwo(1...256))
        s.rows = int("rows", p.rows, Self.powerOfTwo(1...(1 << 24)))
        s.columns = int("columns", p.columns, Self.powerOfTwo(1...65536))
        s.busBits = int("bus_bits", p.busBits, Self.powerOfTwo(8...4096))
        s.burstLength = int("burst_length", p.burstLength, Self.powerOfTwo(2...64))
        s.mapping = r.read(
            "mapping", fallback: p.mapping, fallbackSource: from, literal: { .string($0.description) },
            parse: Self.addressMapping)
        let t = r.table("timing")
        for (key, path) in DRAMTiming.fields {
            // Column commands and the refresh interval need at least one cycle; everything else may be 0.
            let lower = ["ccd_s", "ccd_l", "refi"].contains(key) ? 1 : 0
            s.timing[keyPath: path] = t.read(
                key, fallback: p.timing[keyPath: path], fallbackSource: from,
                literal: Literal.int, parse: Parse.int(lower...1_000_000))
        }
        t.finish()
        return s
    }

    /// An integer in `range` that is a power of two (the address mapping gives each field whole bits).
    static func powerOfTwo(_ range: ClosedRange<Int>) -> (Node) -> Result<Int, Rejection> {
        { node in
            Parse.int(range)(node).flatMap { value in
                value.isPowerOfTwo
                    ? .success(value)
                    : .failure(
                        Rejection(
                            "expected a power of two in \(range.lowerBound)...\(range.upperBound) (the address mapping takes "
                                + "whole bits), got \(value)"))
            }
        }
    }

    static func addressMapping(_ node: Node) -> Result<DRAMAddressMapping, Rejection> {
        let expected =
            "expected address fields from most to least significant separated by ':' (row, bank_group, "
            + "bank, column, channel; each once, bank_group optional), for example \"row:bank:column:channel\""
        switch node.value {
        case .string(let s), .text(let s):
            switch DRAMAddressMapping.parse(s) {
            case .success(let mapping): return .success(mapping)
            case .failure(let why): return .failure(Rejection("\(expected), got \"\(s)\" (\(why))"))
            }
        default: return .failure(Rejection("\(expected), got \(node.described)"))
        }
    }

    /// Rules that span `[dram]` fields, each reported at the field to change.
    func checkDRAM(_ m: HardwareModel) {
        guard let s = m.dram.structured else { return }
        func problem(_ field: String, _ message: String, also other: String) {
            context.problem(
                context.place("dram.\(field)", "dram.\(other)", "dram.preset", "dram"), "dram.\(field)", message)
        }
        if s.columns % s.burstLength != 0 {
            problem(
                "columns",
                "expected a multiple of burst_length (\(s.burstLength)): a row holds whole bursts, "
                    + "got \(s.columns)", also: "burst_length")
        }
        if s.bankGroups > 1 && !s.mapping.fields.contains(.bankGroup) {
            problem(
                "mapping", "expected a 'bank_group' field with bank_groups = \(s.bankGroups), got \"\(s.mapping)\"",
                also: "bank_groups")
        }
        let t = s.timing
        if t.ras < t.rcd {
            problem(
                "timing.ras",
                "expected at least timing.rcd (\(t.rcd)): a row stays open until it can be read, "
                    + "got \(t.ras)", also: "timing.rcd")
        }
        for (long, short, l, sh) in [
            ("ccd_l", "ccd_s", t.ccdL, t.ccdS), ("rrd_l", "rrd_s", t.rrdL, t.rrdS),
            ("wtr_l", "wtr_s", t.wtrL, t.wtrS),
        ] where l < sh {
            problem(
                "timing.\(long)",
                "expected at least timing.\(short) (\(sh)): the same bank group is never faster "
                    + "than another, got \(l)", also: "timing.\(short)")
        }
        if t.refi <= t.rfc {
            problem(
                "timing.refi",
                "expected more than timing.rfc (\(t.rfc)): a refresh ends before the next is due, "
                    + "got \(t.refi)", also: "timing.rfc")
        }
    }
}
