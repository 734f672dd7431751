/// `[dram]`: the off-chip memory.
///
/// `model = "simple"` (the default) is one first-come-first-served channel: a transfer of n bytes occupies it
/// `ceil(n / bytes_per_cycle)` cycles and completes `latency_cycles` later. `model = "structured"` adds channels, bank
/// groups, banks, open rows, refresh and the JEDEC timing parameters (`structured`); it starts from a `preset`.
public struct DRAMSpec: Sendable, Equatable, Codable {
    /// `bytes_per_cycle` (0.001 ... 1e6, fractional allowed): the simple channel's bandwidth in bytes per clock cycle.
    public var bytesPerCycle: Double
    /// `latency_cycles` (0 ... 1e6): the simple channel's cycles before the first byte.
    public var latencyCycles: Int
    /// The structured model's organization and timing; nil for `model = "simple"`.
    public var structured: StructuredDRAMSpec?

    public init(bytesPerCycle: Double = 16, latencyCycles: Int = 100, structured: StructuredDRAMSpec? = nil) {
        self.bytesPerCycle = bytesPerCycle; self.latencyCycles = latencyCycles; self.structured = structured
    }

    /// `model`: which memory model the simulator runs.
    public var model: DRAMModel { structured == nil ? .simple : .structured }

    /// Cycles for one transfer of `bytes` bytes on the simple channel (0 for an empty transfer; saturates at `Int.max`
    /// instead of trapping).
    public func transferCycles(bytes: Int) -> Int {
        guard bytes > 0 else { return 0 }
        let streaming = (Double(bytes) / bytesPerCycle).rounded(.up)
        guard streaming.isFinite, streaming < 9.0e18 else { return Int.max }
        let (total, overflow) = latencyCycles.addingReportingOverflow(Int(streaming))
        return overflow ? Int.max : total
    }
}

/// `dram.model`.
public enum DRAMModel: String, Sendable, Hashable, Codable, CaseIterable {
    /// One FCFS channel, `ceil(bytes / bytes_per_cycle)` occupancy plus a fixed latency.
    case simple
    /// Channels, bank groups, banks, row buffers (open page), refresh and JEDEC timing (`StructuredDRAMSpec`).
    case structured
}

/// The structured DRAM: organization, clock, address mapping and timing. Every field is in `[dram]` except the timing
/// parameters, which are in `[dram.timing]`; a `preset` gives them all and the file may override any.
///
/// One rank per channel (ranks are not modelled: add channels for capacity). Data moves on both clock edges, so a
/// burst occupies a channel's data bus `burst_length / 2` DRAM cycles and carries `bus_bits / 8 * burst_length` bytes.
public struct StructuredDRAMSpec: Sendable, Equatable, Codable {
    /// `preset`: the memory the other fields started from.
    public var preset: DRAMPreset
    /// `clock_hz` (1e6 ... 1e11): the DRAM command clock (half the data rate: LPDDR4-3200 runs at 1.6e9). Timing
    /// parameters count cycles of this clock.
    public var clockHz: Double
    /// `channels` (power of two, 1 ... 1024): independent channels, each with its own command and data bus.
    public var channels: Int
    /// `bank_groups` (power of two, 1 ... 64) per channel; 1 for memories without bank groups (LPDDR4).
    public var bankGroups: Int
    /// `banks_per_group` (power of two, 1 ... 256).
    public var banksPerGroup: Int
    /// `rows` (power of two, 1 ... 2^24) per bank.
    public var rows: Int
    /// `columns` (power of two, 1 ... 65536) per row, each `bus_bits` wide; a multiple of `burst_length`.
    public var columns: Int
    /// `bus_bits` (power of two, 8 ... 4096): data bus width of one channel.
    public var busBits: Int
    /// `burst_length` (power of two, 2 ... 64): data beats per column command.
    public var burstLength: Int
    /// `mapping`: which address bits select channel, bank group, bank, row and column.
    public var mapping: DRAMAddressMapping
    /// `[dram.timing]`.
    public var timing: DRAMTiming

    public init(
        preset: DRAMPreset, clockHz: Double, channels: Int, bankGroups: Int, banksPerGroup: Int, rows: Int,
        columns: Int, busBits: Int, burstLength: Int, mapping: DRAMAddressMapping, timing: DRAMTiming
    ) {
        self.preset = preset; self.clockHz = clockHz; self.channels = channels; self.bankGroups = bankGroups
        self.banksPerGroup = banksPerGroup; self.rows = rows; self.columns = columns; self.busBits = busBits
        self.burstLength = burstLength; self.mapping = mapping; self.timing = timing
    }

    /// Bytes one column command moves: `bus_bits / 8 * burst_length`.
    public var bytesPerBurst: Int { busBits / 8 * burstLength }
    /// DRAM cycles one burst occupies the data bus (two beats per cycle).
    public var burstCycles: Int { max(1, burstLength / 2) }
    /// Bursts in one row of one bank.
    public var burstsPerRow: Int { columns / max(1, burstLength) }
    /// Bytes in one row of one bank (the row buffer).
    public var rowBytes: Int { columns * busBits / 8 }
    /// Banks in one channel.
    public var banksPerChannel: Int { bankGroups * banksPerGroup }
    /// Peak bandwidth of all channels in bytes per second.
    public var peakBytesPerSecond: Double { Double(channels * busBits / 8) * 2 * clockHz }
    /// The first rule of docs/hwmodel.md this spec breaks, or nil (the loader reports the same rules per field, with
    /// file and line; this is for specs built in code).
    public var problem: String? {
        let counts: [(String, Int, ClosedRange<Int>)] = [
            ("channels", channels, 1...1024), ("bank_groups", bankGroups, 1...64),
            ("banks_per_group", banksPerGroup, 1...256),
            ("rows", rows, 1...(1 << 24)), ("columns", columns, 1...65536), ("bus_bits", busBits, 8...4096),
            ("burst_length", burstLength, 2...64),
        ]
        for (name, value, range) in counts where !range.contains(value) || !value.isPowerOfTwo {
            return "\(name) must be a power of two in \(range.lowerBound)...\(range.upperBound), got \(value)"
        }
        guard clockHz.isFinite, (1e6...1e11).contains(clockHz) else {
            return "clock_hz must be in 1e6...1e11, got \(clockHz)"
        }
        guard columns % burstLength == 0 else { return "columns must be a multiple of burst_length" }
        guard DRAMAddressMapping.parse(mapping.description) == .success(mapping) else {
            return "mapping \"\(mapping)\" is malformed"
        }
        guard bankGroups == 1 || mapping.fields.contains(.bankGroup) else { return "mapping needs bank_group" }
        let t = timing
        for (key, path) in DRAMTiming.fields where !(0...1_000_000).contains(t[keyPath: path]) {
            return "timing.\(key) must be in 0...1000000, got \(t[keyPath: path])"
        }
        guard t.ccdS >= 1, t.ccdL >= t.ccdS, t.rrdL >= t.rrdS, t.wtrL >= t.wtrS, t.ras >= t.rcd, t.refi > t.rfc else {
            return
                "timing must satisfy ccd_s >= 1, ccd_l >= ccd_s, rrd_l >= rrd_s, wtr_l >= wtr_s, ras >= rcd, refi > rfc"
        }
        return nil
    }

    /// How many values `field` takes (`rows`, `columns / burst_length`, `channels`, ...).
    public func count(of field: DRAMAddressField) -> Int {
        switch field {
        case .row: return rows
        case .bankGroup: return bankGroups
        case .bank: return banksPerGroup
        case .column: return burstsPerRow
        case .channel: return channels
        }
    }
}

/// `[dram.timing]`: JEDEC timing parameters in DRAM clock cycles (nCK), 0 ... 1e6 each. Names follow the standards
/// without the leading t (`rcd` is tRCD). `_s` / `_l` are the short (different bank group) and long (same bank group)
/// variants; memories without bank groups give both the same value.
public struct DRAMTiming: Sendable, Equatable, Codable {
    /// Read command to first data (CAS latency, RL).
    public var cl: Int
    /// Write command to first data (WL).
    public var cwl: Int
    /// Activate to column command (tRCD).
    public var rcd: Int
    /// Precharge to activate (tRP).
    public var rp: Int
    /// Activate to precharge (tRAS).
    public var ras: Int
    /// Read command to precharge (tRTP).
    public var rtp: Int
    /// Write recovery: end of write data to precharge (tWR).
    public var wr: Int
    /// End of write data to a read command, other / same bank group (tWTR_S, tWTR_L).
    public var wtrS: Int
    public var wtrL: Int
    /// Read command to write command (the read-to-write turnaround on the data bus, tRTW).
    public var rtw: Int
    /// Column command to column command, other / same bank group (tCCD_S, tCCD_L).
    public var ccdS: Int
    public var ccdL: Int
    /// Activate to activate in another bank, other / same bank group (tRRD_S, tRRD_L).
    public var rrdS: Int
    public var rrdL: Int
    /// Window in which at most four activates may issue (tFAW).
    public var faw: Int
    /// All-bank refresh duration (tRFC).
    public var rfc: Int
    /// Refresh interval (tREFI).
    public var refi: Int

    public init(
        cl: Int, cwl: Int, rcd: Int, rp: Int, ras: Int, rtp: Int, wr: Int, wtrS: Int, wtrL: Int, rtw: Int,
        ccdS: Int, ccdL: Int, rrdS: Int, rrdL: Int, faw: Int, rfc: Int, refi: Int
    ) {
        self.cl = cl; self.cwl = cwl; self.rcd = rcd; self.rp = rp; self.ras = ras; self.rtp = rtp; self.wr = wr
        self.wtrS = wtrS; self.wtrL = wtrL; self.rtw = rtw; self.ccdS = ccdS; self.ccdL = ccdL; self.rrdS = rrdS
        self.rrdL = rrdL; self.faw = faw; self.rfc = rfc; self.refi = refi
    }

    /// Every parameter with its `[dram.timing]` key, in schema order (decoding, encoding and `show` use this list).
    /// (Computed: key paths are not Sendable, so a stored global list would be shared mutable state in Swift 6.)
    public static var fields: [(key: String, path: WritableKeyPath<DRAMTiming, Int>)] {
        [
            ("cl", \.cl), ("cwl", \.cwl), ("rcd", \.rcd), ("rp", \.rp), ("ras", \.ras), ("rtp", \.rtp), ("wr", \.wr),
            ("wtr_s", \.wtrS), ("wtr_l", \.wtrL), ("rtw", \.rtw), ("ccd_s", \.ccdS), ("ccd_l", \.ccdL),
            ("rrd_s", \.rrdS), ("rrd_l", \.rrdL), ("faw", \.faw), ("rfc", \.rfc), ("refi", \.refi),
        ]
    }
}

/// One part of a DRAM address.
public enum DRAMAddressField: String, Sendable, Hashable, Codable, CaseIterable {
    case row
    case bankGroup = "bank_group"
    case bank
    /// The burst within the row (column address bits above the burst's own).
    case column
    case channel
}

/// `mapping`: the address fields from the most to the least significant bits, `"row:bank:column:channel"`. Below
/// them are the byte-within-burst bits. Each field takes log2(its count) bits; `bank_group` may be left out when
/// `bank_groups = 1`. Addresses beyond the capacity wrap (the row bits are taken modulo `rows`).
public struct DRAMAddressMapping: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Most significant first.
    public var fields: [DRAMAddressField]

    public init(_ fields: [DRAMAddressField]) { self.fields = fields }

    /// `"row:bank:column:channel"`.
    public var description: String { fields.map(\.rawValue).joined(separator: ":") }

    /// Parses `"row:bank:column:channel"`: each of row, bank, column, channel exactly once, bank_group at most once.
    public static func parse(_ text: String) -> Result<DRAMAddressMapping, MappingError> {
        var fields: [DRAMAddressField] = []
        for part in text.split(separator: ":", omittingEmptySubsequences: false) {
            let name = String(part)
            guard let field = DRAMAddressField(rawValue: name) else { return .failure(.unknownField(name)) }
            guard !fields.contains(field) else { return .failure(.repeated(name)) }
            fields.append(field)
        }
        for required in [DRAMAddressField.row, .bank, .column, .channel] where !fields.contains(required) {
            return .failure(.missing(required.rawValue))
        }
        return .success(DRAMAddressMapping(fields))
    }

    /// Why a mapping string was rejected.
    public enum MappingError: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownField(String), repeated(String), missing(String)
        public var description: String {
            switch self {
            case .unknownField(let f): return "unknown field '\(f)'"
            case .repeated(let f): return "'\(f)' twice"
            case .missing(let f): return "no '\(f)'"
            }
        }
    }
}

extension Int {
    /// Whether this is 1, 2, 4, 8, ...
    var isPowerOfTwo: Bool { self > 0 && self & (self - 1) == 0 }
}
