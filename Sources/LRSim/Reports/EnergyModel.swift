import HWModel

/// Energy = action counts x the model's per-action pJ (Accelergy ERT style), plus leakage per cycle.
enum EnergyModel {
    static func report(
        counts c: ActionCounts, dramRead: Int, dramWrite: Int, cycles: Int, iterations: Int,
        graph: TaskGraph, hardware: HardwareModel
    ) -> SimReport.EnergyReport {
        let table = hardware.energy
        var actions: [EnergyAction: Double] = [:]
        func charge(_ a: EnergyAction, _ n: Double) { actions[a, default: 0] += n * table[a] }
        charge(.peMAC, Double(c.macs)); charge(.peAdd, Double(c.adds)); charge(.vectorOp, Double(c.vectorOps))
        charge(.sramRead, Double(c.sramReadBytes)); charge(.sramWrite, Double(c.sramWriteBytes))
        charge(.fifoRead, Double(c.fifoBytes)); charge(.fifoWrite, Double(c.fifoBytes))
        charge(.dramRead, Double(dramRead)); charge(.dramWrite, Double(dramWrite))
        charge(.noiseNumber, Double(c.noiseNumbers)); charge(.noiseBit, Double(c.noiseBits))
        charge(.lossElement, Double(c.lossElements)); charge(.busBroadcast, Double(c.broadcasts))
        let cyc = Double(cycles)
        var pes = 0, lanes = 0, generators = 0, lossUnits = 0, buses = 0
        for u in graph.units {
            switch u.kind {
            case .array: pes += u.width
            case .vector: lanes += u.width
            case .noise: generators += 1
            case .loss: lossUnits += 1
            case .bus: buses += 1
            default: break
            }
        }
        let sramKiB =
            Double(
                graph.buffers.reduce(0) { $0 + $1.capacityBytes }
                    + graph.fifos.reduce(0) { $0 + $1.capacityWords * $1.wordBytes }) / 1024
        charge(.peLeak, Double(pes) * cyc); charge(.vectorLeak, Double(lanes) * cyc)
        charge(.sramLeak, sramKiB * cyc); charge(.noiseLeak, Double(generators) * cyc)
        charge(.lossLeak, Double(lossUnits) * cyc); charge(.busLeak, Double(buses) * cyc)
        charge(.dramLeak, Double(max(1, graph.memories.count)) * cyc)
        // Links are charged per byte moved over each link (their energy lives in [interconnect], not [[energy]]).
        let onChip = Double(c.onChipLinkBytes) * hardware.interconnect.onChip.energyPjPerByte
        let chipToChip = Double(c.chipLinkBytes) * hardware.interconnect.chipToChip.energyPjPerByte
        // Fixed summation order (dictionary order varies between processes): byte-identical reports.
        func component(_ name: String) -> Double {
            EnergyAction.allCases.filter { $0.component == name }.reduce(0) { $0 + (actions[$1] ?? 0) }
        }
        let total = EnergyAction.allCases.reduce(0) { $0 + (actions[$1] ?? 0) } + onChip + chipToChip
        return SimReport.EnergyReport(
            total: total, perIteration: total / Double(max(iterations, 1)),
            pe: component("pe"), vector: component("vector"), sram: component("sram"), fifo: component("fifo"),
            dram: component("dram"), noise: component("noise"), loss: component("loss"), bus: component("bus"),
            interconnect: onChip + chipToChip,
            actions: Dictionary(
                uniqueKeysWithValues: actions.map { ($0.key.rawValue, $0.value) }
                    + [("link.on_chip", onChip), ("link.chip_to_chip", chipToChip)]))
    }
}
