/// `[dram] model = "simple"`: one first-come-first-served channel, the engine's DRAM model before the structured one.
///
/// A request starts when it has arrived and the channel is free, occupies the channel `ceil(bytes / bytes_per_cycle)`
/// cycles and finishes `latency_cycles` after that; the latency overlaps later requests. Reads and writes are alike,
/// and the address is ignored.
public struct SimpleChannel: MemoryDevice, Sendable {
    public let bytesPerCycle: Double
    public let latencyCycles: Int
    /// First cycle the channel is free.
    public private(set) var freeAt = 0
    public private(set) var statistics: MemoryStatistics

    public init(bytesPerCycle: Double, latencyCycles: Int) {
        self.bytesPerCycle = bytesPerCycle; self.latencyCycles = latencyCycles
        statistics = MemoryStatistics(clockHz: nil, bytesPerBurst: 0, channels: 1)
    }

    public mutating func service(_ request: MemoryRequest, arrival cycle: Int) -> MemoryService {
        let start = max(cycle, freeAt)
        let occupancy = UnitTiming.transfer(bytes: request.bytes, bytesPerCycle: bytesPerCycle)
        freeAt = start &+ occupancy
        let bytes = max(0, request.bytes)
        if request.isWrite {
            statistics.writeRequests &+= 1; statistics.writeBytes &+= bytes; statistics.channels[0].writeBursts &+= 1
        } else {
            statistics.readRequests &+= 1; statistics.readBytes &+= bytes; statistics.channels[0].readBursts &+= 1
        }
        statistics.channels[0].dataBusBusyCycles &+= occupancy
        return MemoryService(start: start, finish: freeAt &+ latencyCycles)
    }
}
