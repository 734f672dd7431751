/// One off-chip memory request as the engine issues it: a tile's spilled operands, a posted spill write, a batch load.
public struct MemoryRequest: Sendable, Hashable {
    /// Byte address in the chip's DRAM address space (the structured model maps it to channel, bank, row, column).
    public var address: Int
    public var bytes: Int
    public var isWrite: Bool
    public init(address: Int, bytes: Int, isWrite: Bool) {
        self.address = address; self.bytes = bytes; self.isWrite = isWrite
    }
}

/// When a request is served, in cycles of the accelerator clock.
public struct MemoryService: Sendable, Hashable {
    /// The first cycle the request occupies the device.
    public var start: Int
    /// Reads: the cycle the last byte is back; writes: the cycle the data is written.
    public var finish: Int
    /// Cycles the request occupied the data bus (the device's busy time).
    public var busyCycles: Int
    public init(start: Int, finish: Int, busyCycles: Int) {
        self.start = start; self.finish = finish; self.busyCycles = busyCycles
    }
}

/// An off-chip memory the engine calls per request. Requests are served in arrival order (no reordering), so a device
/// computes a request's service when it is submitted and advances its own state.
public protocol MemoryDevice: Sendable {
    mutating func service(_ request: MemoryRequest, arrival cycle: Int) -> MemoryService
}

/// The simple channel: one transfer at a time in arrival order, `ceil(bytes / bytes_per_cycle)` cycles occupied, the
/// latency paid on top (pipelined: it overlaps later transfers).
public struct SimpleChannel: MemoryDevice, Hashable {
    public var bytesPerCycle: Double
    public var latencyCycles: Int
    var freeAt = 0

    public init(bytesPerCycle: Double, latencyCycles: Int) {
        self.bytesPerCycle = bytesPerCycle; self.latencyCycles = latencyCycles
    }

    public mutating func service(_ request: MemoryRequest, arrival cycle: Int) -> MemoryService {
        let start = max(cycle, freeAt)
        let occupy = UnitTiming.transfer(bytes: request.bytes, bytesPerCycle: bytesPerCycle)
        freeAt = start &+ occupy
        return MemoryService(start: start, finish: start &+ occupy &+ latencyCycles, busyCycles: occupy)
    }
}
