import HWModel

/// One transfer between the accelerator and its off-chip memory.
public struct MemoryRequest: Sendable, Hashable {
    /// Byte address of the first byte.
    public var address: Int
    /// Bytes to move (a request of 0 or fewer bytes moves nothing and takes no time).
    public var bytes: Int
    public var isWrite: Bool
    public init(address: Int, bytes: Int, isWrite: Bool) {
        self.address = address; self.bytes = bytes; self.isWrite = isWrite
    }
}

/// When a memory device serves a request, in cycles of the accelerator clock.
public struct MemoryService: Sendable, Hashable {
    /// The cycle in which the device starts on the request (its first command; for the simple channel, when the
    /// channel takes it).
    public var start: Int
    /// Reads: the cycle the last data arrives (latency included). Writes: the cycle the last data is written.
    public var finish: Int
    public init(start: Int, finish: Int) { self.start = start; self.finish = finish }
}

/// An off-chip memory the simulator's engine calls once per transfer.
///
/// Requests are served in submission order per channel (first come, first served; no reordering), so a device computes
/// the whole service when the request is submitted. Arrival cycles may repeat but should not decrease; a request that
/// arrives "earlier" than one already submitted still queues behind it.
public protocol MemoryDevice: Sendable {
    /// Serves `request`, arriving at accelerator cycle `cycle`.
    mutating func service(_ request: MemoryRequest, arrival cycle: Int) -> MemoryService
    /// What the device did so far.
    var statistics: MemoryStatistics { get }
}

/// Counters of a memory device, in total and per channel.
public struct MemoryStatistics: Sendable, Equatable, Codable {
    /// The clock the cycle counts below are in (Hz): the DRAM's for `StructuredDRAM`; nil for `SimpleChannel`, whose
    /// cycles are the accelerator's.
    public var clockHz: Double?
    public var readRequests = 0
    public var writeRequests = 0
    /// Bytes requested (a burst moves whole bursts; see `bytesPerBurst`).
    public var readBytes = 0
    public var writeBytes = 0
    /// Bytes one burst moves (0 for the simple channel, which has no bursts).
    public var bytesPerBurst = 0
    public var channels: [MemoryChannelStatistics]

    public init(clockHz: Double?, bytesPerBurst: Int, channels: Int) {
        self.clockHz = clockHz; self.bytesPerBurst = bytesPerBurst
        self.channels = Array(repeating: MemoryChannelStatistics(), count: channels)
    }

    /// Every channel's counters added up.
    public var total: MemoryChannelStatistics {
        channels.reduce(into: MemoryChannelStatistics()) { $0.add($1) }
    }
}

/// Counters of one channel.
public struct MemoryChannelStatistics: Sendable, Equatable, Codable {
    /// Column commands (the simple channel counts one per transfer).
    public var readBursts = 0
    public var writeBursts = 0
    /// Bursts that found their row open, found their bank closed (an activate), or found another row open (a
    /// precharge and an activate).
    public var rowHits = 0
    public var rowMisses = 0
    public var rowConflicts = 0
    /// Column commands whose direction differs from the channel's previous one.
    public var readToWriteTurnarounds = 0
    public var writeToReadTurnarounds = 0
    /// All-bank refreshes performed, and the cycles by which they delayed a command.
    public var refreshes = 0
    public var refreshStallCycles = 0
    /// Cycles the data bus carried data.
    public var dataBusBusyCycles = 0

    public init() {}

    mutating func add(_ o: MemoryChannelStatistics) {
        readBursts &+= o.readBursts; writeBursts &+= o.writeBursts
        rowHits &+= o.rowHits; rowMisses &+= o.rowMisses; rowConflicts &+= o.rowConflicts
        readToWriteTurnarounds &+= o.readToWriteTurnarounds; writeToReadTurnarounds &+= o.writeToReadTurnarounds
        refreshes &+= o.refreshes; refreshStallCycles &+= o.refreshStallCycles
        dataBusBusyCycles &+= o.dataBusBusyCycles
    }
}

extension DRAMSpec {
    /// The device `[dram]` describes, for an accelerator clocked at `acceleratorHz` (the model's `clock.hz`).
    public func makeDevice(acceleratorHz: Double) -> any MemoryDevice {
        if let structured { return StructuredDRAM(structured, acceleratorHz: acceleratorHz) }
        return SimpleChannel(bytesPerCycle: bytesPerCycle, latencyCycles: latencyCycles)
    }
}
