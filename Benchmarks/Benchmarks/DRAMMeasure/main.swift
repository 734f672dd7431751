// What a DRAM request costs the simulator: ns per request and per burst for `SimpleChannel` and `StructuredDRAM`
// (closed-form runs and burst by burst) on the presets, at the clocks of the shipped models. The cases run in
// alternating rounds and each prints its median, so the ratios between them are measured side by side.
//   swift run -c release --package-path Benchmarks DRAMMeasure [ROUNDS]
//   swift run -c release --package-path Benchmarks DRAMMeasure epoch [ROUNDS]
// `epoch` records the DRAM transfers the engine issues in simulated epochs (edge: MLP ALR K=32; datacenter:
// cnn:cifar ALR K=8), replays them through each device and times the replay against the simulation itself.
import Foundation
import HWModel
import LRCore
import LRSim

/// One workload: `count` requests of `bytes` each, back to back (each arrives when the previous one started), at
/// sequential addresses (a stream of tiles) or at random burst-aligned ones (scattered small transfers).
struct Workload {
    var name: String
    var bytes: Int
    var count: Int
    var sequential: Bool
}

/// One device configuration: how to make a fresh device.
struct Case {
    var name: String
    var make: () -> any MemoryDevice
    var bytesPerBurst: Int
}

/// Nanoseconds per request of `workload` on a fresh device; `sink` keeps the results alive.
@inline(never) func time(_ c: Case, _ w: Workload, sink: inout Int) -> Double {
    var device = c.make()
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var arrival = 0, address = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<w.count {
        if w.sequential {
            address &+= w.bytes
        } else {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            address = Int(truncatingIfNeeded: state >> 34) & ~63
        }
        let s = device.service(MemoryRequest(address: address, bytes: w.bytes, isWrite: state & 4 == 0), arrival: arrival)
        arrival = s.start
        sink &+= s.finish
    }
    let ns = Double(DispatchTime.now().uptimeNanoseconds - t0)
    sink &+= device.statistics.total.rowHits
    return ns / Double(w.count)
}

func structured(_ preset: DRAMPreset, acceleratorHz: Double, closedForm: Bool) -> () -> any MemoryDevice {
    { var d = StructuredDRAM(preset.spec, acceleratorHz: acceleratorHz); d.closedFormRuns = closedForm; return d }
}

let epochMode = CommandLine.arguments.dropFirst().first == "epoch"
let rounds = max(1, Int(CommandLine.arguments.last ?? "") ?? 7)
if epochMode {
    try EpochReplay.measure(rounds: rounds)
    exit(0)
}
let workloads = [
    Workload(name: "64 B random", bytes: 64, count: 200_000, sequential: false),
    Workload(name: "4 KiB sequential", bytes: 4096, count: 50_000, sequential: true),
    Workload(name: "64 KiB sequential", bytes: 65536, count: 4_000, sequential: true),
]
let allCases = [
    Case(name: "simple (edge: 25.6 B/cycle)", make: { SimpleChannel(bytesPerCycle: 25.6, latencyCycles: 80) },
         bytesPerBurst: 0),
    Case(name: "lpddr4-3200 @ 500 MHz, runs", make: structured(.lpddr4_3200, acceleratorHz: 500e6, closedForm: true),
         bytesPerBurst: DRAMPreset.lpddr4_3200.spec.bytesPerBurst),
    Case(name: "lpddr4-3200 @ 500 MHz, per burst", make: structured(.lpddr4_3200, acceleratorHz: 500e6, closedForm: false),
         bytesPerBurst: DRAMPreset.lpddr4_3200.spec.bytesPerBurst),
    Case(name: "hbm2e-3200 @ 1 GHz, runs", make: structured(.hbm2e_3200, acceleratorHz: 1e9, closedForm: true),
         bytesPerBurst: DRAMPreset.hbm2e_3200.spec.bytesPerBurst),
    Case(name: "hbm2e-3200 @ 1 GHz, per burst", make: structured(.hbm2e_3200, acceleratorHz: 1e9, closedForm: false),
         bytesPerBurst: DRAMPreset.hbm2e_3200.spec.bytesPerBurst),
]

// DRAM_MEASURE_ONLY=TEXT keeps the devices whose name contains TEXT (for profiling one of them).
let only = ProcessInfo.processInfo.environment["DRAM_MEASURE_ONLY"]
let cases = allCases.filter { only == nil || $0.name.contains(only!) }
var sink = 0
var samples = [[[Double]]](repeating: [[Double]](repeating: [], count: cases.count), count: workloads.count)
for _ in 0..<rounds {
    for (wi, w) in workloads.enumerated() {
        for (ci, c) in cases.enumerated() { samples[wi][ci].append(time(c, w, sink: &sink)) }
    }
}
print("median of \(rounds) alternating rounds; ns per request (ns per burst)")
for (wi, w) in workloads.enumerated() {
    print("-- \(w.name) x \(w.count)")
    for (ci, c) in cases.enumerated() {
        let ns = samples[wi][ci].sorted()[rounds / 2]
        let bursts = c.bytesPerBurst > 0 ? (w.bytes + c.bytesPerBurst - 1) / c.bytesPerBurst : 0
        let perBurst = bursts > 0 ? String(format: "  (%.2f per burst)", ns / Double(bursts)) : ""
        let padded = c.name.padding(toLength: 36, withPad: " ", startingAt: 0)
        print(padded + String(format: "%10.1f", ns) + perBurst)
    }
}
if sink == 42 { print("") }

/// The engine's DRAM transfers in real simulations, replayed through each device.
enum EpochReplay {
    struct Transfer { var cycle: Int; var bytes: Int; var write: Bool }

    /// Every transfer of `spec` on `hw`, from the recording's cumulative byte counters (index 0 reads, 1 writes).
    static func transfers(_ spec: WorkloadSpec, _ hw: HardwareModel) throws -> [Transfer] {
        let r = try Simulator.run(spec, on: hw, record: true)
        var last = [0, 0]
        var out: [Transfer] = []
        for level in r.engine.recording?.dramTraffic ?? [] {
            let bytes = level.value - last[level.index]
            last[level.index] = level.value
            if bytes > 0 { out.append(Transfer(cycle: level.cycle, bytes: bytes, write: level.index == 1)) }
        }
        return out
    }

    /// Replays `transfers` (each at its own address range, as consecutive tiles) and returns the wall seconds.
    @inline(never) static func replay(_ transfers: [Transfer], _ device: inout any MemoryDevice, sink: inout Int) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        var address = 0
        for t in transfers {
            let s = device.service(MemoryRequest(address: address, bytes: t.bytes, isWrite: t.write), arrival: t.cycle)
            address &+= (t.bytes + 4095) & ~4095
            sink &+= s.finish
        }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    static func measure(rounds: Int) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let runs: [(String, String, WorkloadSpec, DRAMPreset)] = [
            ("edge, mlp:784-256-10 B=128 ALR K=32, 469 iterations", "edge.toml",
             WorkloadSpec(network: try NetworkSpec.parse("mlp:784-256-10"), method: .alr, batch: 128, copies: [32],
                          iterations: 469), .lpddr4_3200),
            ("datacenter, cnn:cifar B=32 ALR K=8, 200 iterations", "datacenter.toml",
             WorkloadSpec(network: try NetworkSpec.parse("cnn:cifar"), method: .alr, batch: 32, copies: [8],
                          iterations: 200), .hbm2e_3200),
        ]
        var sink = 0
        for (name, file, spec, preset) in runs {
            let hw = try HardwareModel.load(path: root.appendingPathComponent("hwmodels/\(file)").path)
            let stream = try transfers(spec, hw)
            let bytes = stream.reduce(0) { $0 + $1.bytes }
            let runsOf = { (closed: Bool) -> () -> any MemoryDevice in
                { var d = StructuredDRAM(preset.spec, acceleratorHz: hw.clock.hz); d.closedFormRuns = closed; return d }
            }
            let devices: [(String, () -> any MemoryDevice)] = [
                ("simple channel", { hw.dram.makeDevice(acceleratorHz: hw.clock.hz) }),
                ("\(preset.rawValue), runs", runsOf(true)),
                ("\(preset.rawValue), per burst", runsOf(false)),
            ]
            var simulate: [Double] = []
            var replays = [[Double]](repeating: [], count: devices.count)
            for _ in 0..<rounds {
                let t0 = DispatchTime.now().uptimeNanoseconds
                sink &+= try Simulator.run(spec, on: hw).report.cycles
                simulate.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                for (i, d) in devices.enumerated() {
                    var device = d.1()
                    replays[i].append(replay(stream, &device, sink: &sink))
                }
            }
            let sim = simulate.sorted()[rounds / 2]
            print("-- \(name): \(stream.count) transfers, \(bytes / (1 << 20)) MiB; simulation \(String(format: "%.3f", sim)) s")
            for (i, d) in devices.enumerated() {
                let t = replays[i].sorted()[rounds / 2]
                print(d.0.padding(toLength: 28, withPad: " ", startingAt: 0)
                      + String(format: "%8.4f s  %7.1f ns/transfer  %5.1f%% of the simulation", t,
                               t * 1e9 / Double(max(1, stream.count)), 100 * t / sim))
            }
        }
        if sink == 42 { print("") }
    }
}
