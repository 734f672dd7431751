/// An action that costs energy, with the unit its `energy_pj` is per (Accelergy ERT style: component, action, pJ).
public enum EnergyAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// One multiply-accumulate in a PE (per MAC).
    case peMAC = "pe.mac"
    /// One addition in a PE or adder tree (per add).
    case peAdd = "pe.add"
    /// One elementwise vector-lane operation: activation, noise add, scaling, update (per element).
    case vectorOp = "vector.op"
    /// SRAM read (per byte).
    case sramRead = "sram.read"
    /// SRAM write (per byte).
    case sramWrite = "sram.write"
    /// FIFO push/pop (per byte).
    case fifoRead = "fifo.read"
    case fifoWrite = "fifo.write"
    /// DRAM read (per byte).
    case dramRead = "dram.read"
    /// DRAM write (per byte).
    case dramWrite = "dram.write"
    /// One noise number generated (per number).
    case noiseNumber = "noise.number"
    /// One random sign bit generated (per bit).
    case noiseBit = "noise.bit"
    /// One logit through the loss unit (per element).
    case lossElement = "loss.element"
    /// One loss broadcast to every stage (per loss).
    case busBroadcast = "bus.broadcast"
    /// Leakage of one PE (per PE per cycle).
    case peLeak = "pe.leak"
    /// Leakage of one vector lane (per lane per cycle).
    case vectorLeak = "vector.leak"
    /// Leakage of SRAM (per KiB per cycle, FIFOs included).
    case sramLeak = "sram.leak"
    /// Leakage of one noise generator (per generator per cycle).
    case noiseLeak = "noise.leak"
    /// Leakage of the loss unit and bus (per cycle).
    case lossLeak = "loss.leak"
    case busLeak = "bus.leak"
    /// DRAM background power (per cycle).
    case dramLeak = "dram.leak"

    /// The component part of the name (`pe` of `pe.mac`).
    public var component: String { String(rawValue.prefix { $0 != "." }) }
    /// The action part of the name (`mac` of `pe.mac`).
    public var action: String { String(rawValue.drop { $0 != "." }.dropFirst()) }
    /// What one `energy_pj` is charged per.
    public var unit: String {
        switch self {
        case .peMAC: return "MAC"
        case .peAdd: return "add"
        case .vectorOp: return "element"
        case .sramRead, .sramWrite, .fifoRead, .fifoWrite, .dramRead, .dramWrite: return "byte"
        case .noiseNumber: return "number"
        case .noiseBit: return "bit"
        case .lossElement: return "element"
        case .busBroadcast: return "loss"
        case .peLeak: return "PE-cycle"
        case .vectorLeak: return "lane-cycle"
        case .sramLeak: return "KiB-cycle"
        case .noiseLeak: return "generator-cycle"
        case .lossLeak, .busLeak, .dramLeak: return "cycle"
        }
    }
    /// Whether this is a per-cycle (static) cost.
    public var isLeakage: Bool { action == "leak" }
}

/// `[[energy]]` entries `{ component = "pe", action = "mac", energy_pj = 0.25 }`: the energy of every action in pJ.
/// Actions the file does not list keep the built-in value (`EnergyTable.defaults`).
public struct EnergyTable: Sendable, Equatable, Codable {
    /// pJ per unit of each action.
    public var picojoules: [EnergyAction: Double]

    public init(picojoules: [EnergyAction: Double]) { self.picojoules = picojoules }

    /// pJ for one unit of `action` (0 when absent).
    public subscript(action: EnergyAction) -> Double {
        get { picojoules[action] ?? 0 }
        set { picojoules[action] = newValue }
    }

    /// Built-in values: 45 nm-class numbers after Horowitz (ISSCC 2014) for a 16-bit datapath, small SRAMs and an
    /// LPDDR-class DRAM. Real designs should give their own (e.g. from Accelergy/CACTI).
    public static let defaults = EnergyTable(picojoules: [
        .peMAC: 0.6, .peAdd: 0.05, .vectorOp: 0.3,
        .sramRead: 1.2, .sramWrite: 1.4, .fifoRead: 0.3, .fifoWrite: 0.3,
        .dramRead: 40, .dramWrite: 40,
        .noiseNumber: 1.5, .noiseBit: 0.05, .lossElement: 2.0, .busBroadcast: 1.0,
        .peLeak: 0.002, .vectorLeak: 0.002, .sramLeak: 0.01, .noiseLeak: 0.05, .lossLeak: 0.05, .busLeak: 0.02,
        .dramLeak: 5.0,
    ])
}
