import Foundation
import HWModel
import LRCore
import LRIO
import LRSim

/// Turns a simulation's recording into the generic LRReport formats: waveform, timeline, CSV.
public enum SimOutputs {
    /// VCD: per unit a 2-bit state (0 busy, 1 starved, 2 blocked, 3 idle) and a busy wire; FIFO levels in words;
    /// buffer occupancy in bytes; cumulative DRAM bytes read and written. One `$scope module` per stage.
    public static func vcd(_ r: SimulationResult) -> VCDDocument {
        let g = r.workload.graph, hz = r.workload.hardware.clock.hz
        let periodPs = max(1, Int((1e12 / hz).rounded()))
        var doc = VCDDocument(
            timescale: "1 ps",
            comment: "clock \(hz) Hz, one cycle = \(periodPs) ps; state: 0 busy 1 starved 2 blocked 3 idle",
            top: "lrsim")
        func scope(_ stage: String) -> String { stage.isEmpty ? "chip" : stage }
        var stateSig: [Int] = [], busySig: [Int] = []
        for u in g.units {
            stateSig.append(doc.addSignal(scope: scope(u.stage), name: "\(u.name)_state", width: 2))
            busySig.append(doc.addSignal(scope: scope(u.stage), name: "\(u.name)_busy", width: 1))
        }
        let fifoSig = g.fifos.map { f in
            doc.addSignal(scope: String(f.name.prefix { $0 != "." }), name: "\(f.name)_words", width: 32)
        }
        let bufferSig = g.buffers.map { b in doc.addSignal(scope: scope(b.stage), name: "\(b.name)_bytes", width: 48) }
        let dramSig = [
            doc.addSignal(scope: "dram", name: "read_bytes", width: 64),
            doc.addSignal(scope: "dram", name: "write_bytes", width: 64),
        ]
        guard let rec = r.engine.recording else { return doc }
        for s in rec.states {
            doc.change(stateSig[s.unit], at: s.cycle * periodPs, to: Int64(s.state.rawValue))
            doc.change(busySig[s.unit], at: s.cycle * periodPs, to: s.state == .busy ? 1 : 0)
        }
        for l in rec.fifoLevels { doc.change(fifoSig[l.index], at: l.cycle * periodPs, to: Int64(l.value)) }
        for l in rec.bufferLevels { doc.change(bufferSig[l.index], at: l.cycle * periodPs, to: Int64(l.value)) }
        for l in rec.dramTraffic { doc.change(dramSig[l.index], at: l.cycle * periodPs, to: Int64(l.value)) }
        // Close the dump at the last cycle so viewers show the whole run.
        for u in g.units.indices {
            doc.change(stateSig[u], at: r.engine.cycles * periodPs, to: Int64(ResourceState.idle.rawValue))
        }
        return doc
    }

    /// Chrome trace: one track (tid) per unit, a span per task and per stall interval, counters for FIFO levels and
    /// buffer occupancy. Times in microseconds at the model's clock.
    public static func timeline(_ r: SimulationResult) -> ChromeTrace {
        let g = r.workload.graph, hz = r.workload.hardware.clock.hz
        let us = 1e6 / hz
        var trace = ChromeTrace()
        trace.nameProcess(
            "lrsim \(r.workload.hardware.name): \(r.workload.spec.network.name) \(r.workload.spec.method.rawValue)")
        for (i, u) in g.units.enumerated() { trace.nameTrack(i + 1, u.name) }
        trace.otherData = [
            "clock_hz": .double(hz), "microseconds_per_cycle": .double(us), "cycles": .int(r.engine.cycles),
            "hardware": .string(r.workload.hardware.name), "model": .string(r.workload.spec.network.name),
            "estimator": .string(r.workload.spec.method.rawValue),
        ]
        guard let rec = r.engine.recording else { return trace }
        for s in rec.tasks {
            trace.span(
                s.label.description, category: s.label.kind.rawValue, track: s.unit + 1, start: Double(s.start) * us,
                duration: Double(s.end - s.start) * us,
                args: [
                    "start_cycle": .int(s.start), "cycles": .int(s.end - s.start),
                    "iteration": .int(Int(s.label.iteration)),
                ])
        }
        // Stall intervals: from each state change to the next one of the same unit.
        var open = Array<(state: ResourceState, reason: StallReason, since: Int)?>(repeating: nil, count: g.units.count)
        func close(_ u: Int, at cycle: Int) {
            guard let o = open[u], o.state == .starved || o.state == .blocked, cycle > o.since else { return }
            trace.span(
                "\(o.state == .starved ? "starved" : "blocked"): \(o.reason.name)", category: "stall", track: u + 1,
                start: Double(o.since) * us, duration: Double(cycle - o.since) * us,
                args: ["start_cycle": .int(o.since), "cycles": .int(cycle - o.since), "reason": .string(o.reason.name)])
        }
        for s in rec.states {
            close(s.unit, at: s.cycle)
            open[s.unit] = (s.state, s.reason, s.cycle)
        }
        for u in g.units.indices { close(u, at: r.engine.cycles) }
        for l in rec.fifoLevels {
            trace.counter(g.fifos[l.index].name, at: Double(l.cycle) * us, ["words": .int(l.value)])
        }
        for l in rec.bufferLevels {
            trace.counter(g.buffers[l.index].name, at: Double(l.cycle) * us, ["bytes": .int(l.value)])
        }
        return trace
    }

    /// stages.csv (every unit and the DRAM channel) and buffers.csv.
    public static func csv(_ report: SimReport) -> [(String, CSVTable)] {
        var stages = CSVTable(header: [
            "name", "kind", "stage", "busy", "starved", "blocked", "idle", "utilization",
            "tasks", "macs",
        ])
        for s in report.stages {
            stages.append([
                s.name, s.kind, s.stage, String(s.busy), String(s.starved), String(s.blocked), String(s.idle),
                String(format: "%.6f", s.utilization), String(s.tasks), String(s.macs),
            ])
        }
        var buffers = CSVTable(header: [
            "name", "stage", "role", "capacity_bytes", "peak_bytes", "peak_demand_bytes",
            "spilled_bytes",
        ])
        for b in report.memory.buffers {
            buffers.append([
                b.name, b.stage, b.role, String(b.capacityBytes), String(b.peakBytes),
                String(b.peakDemandBytes), String(b.spilledBytes),
            ])
        }
        var fifos = CSVTable(header: ["name", "capacity_words", "peak_words"])
        for f in report.memory.fifos { fifos.append([f.name, String(f.capacityWords), String(f.peakWords)]) }
        return [("stages.csv", stages), ("buffers.csv", buffers), ("fifos.csv", fifos)]
    }

    /// Writes the files a run asked for: the VCD and the timeline (they need a recorded run), the CSV tables into
    /// `csv` (created when missing), the JSON report. Each file is written atomically.
    public static func write(
        _ r: SimulationResult, vcd: String?, timeline: String?, csv directory: String?,
        report: String?
    ) throws {
        if let vcd { try Self.vcd(r).write(to: vcd) }
        if let timeline { try Self.timeline(r).write(to: timeline) }
        if let directory {
            for (name, table) in Self.csv(r.report) {
                try table.write(to: (directory as NSString).appendingPathComponent(name))
            }
        }
        if let report { try JSONReport.write(r.report, to: report) }
    }
}
