import ArgumentParser
import Foundation
import HWModel
import LRCore
import LRIO
import LRReport
import LRSim

/// `lrsim gemm`: systolic-array timing of plain GEMMs (SCALE-Sim's convention), for checking and for quick what-ifs.
struct Gemm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Systolic-array cycle counts of GEMMs (SCALE-Sim v3's convention).",
        discussion: """
            A GEMM is M rows streamed (output pixels or batch rows), K the reduction, \
            N the outputs. On an R x C array:
              ws: folds = ceil(K/R)*ceil(N/C), cycles per fold 2R+C+M-2
              os: folds = ceil(M/R)*ceil(N/C), cycles per fold R+C+K-2
              is: folds = ceil(K/R)*ceil(M/C), cycles per fold 2R+C+N-2
              total = folds * per fold - 1 (scalesim; scalesim_rtl: without the -1)

            With --ifmap-sram-kb/--filter-sram-kb/--ofmap-sram-kb/--bandwidth (all four, \
            or --hw with --memory and any of them as overrides) each layer also \
            waits for SCALE-Sim v3's double-buffered scratchpads: the report gives \
            compute_cycles, stall_cycles and cycles (their sum), equal to SCALE-Sim's \
            "Total Cycles" and "Stall Cycles" (InterfaceBandwidth: USER; its word is 1 \
            byte, so 1 KiB = 1024 words). From a hardware model: IFMAP = inputs, \
            filter = weights, OFMAP = accumulators buffer, in words of their number \
            formats; bandwidth = DRAM bytes_per_cycle / word bytes (docs/simulator.md).

            The GEMMs come from positional M N K triples, a SCALE-Sim topology CSV \
            (--topology), a preset (--layers resnet18) or a network's forward pass \
            (--model SPEC --batch B). The array comes from --rows/--cols/--dataflow or \
            from a hardware model's stage template (--hw).

            Examples:
              lrsim gemm --rows 32 --cols 32 --dataflow ws 3025 96 363   # 112283 cycles
              lrsim gemm --hw hwmodels/edge.toml --layers resnet18 \\
                         --report out/resnet.json          # + out/COMPUTE_REPORT.csv
              lrsim gemm --rows 16 --cols 16 --dataflow os --topology gemms.csv --json
              lrsim gemm --rows 16 --cols 16 --model mlp:784-256-10 --batch 128
              lrsim gemm --rows 32 --cols 32 --dataflow ws --ifmap-sram-kb 64 \
                         --filter-sram-kb 64 --ofmap-sram-kb 32 --bandwidth 10 --layers resnet18
              lrsim gemm --hw hwmodels/edge.toml --memory --model mlp:784-256-10 --batch 128
            """)

    @Option(help: "Hardware model: the array of its [stage] template and its timing.systolic convention.")
    var hw: String?
    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a hardware-model field (repeatable).", valueName: "KEY=VALUE"))
    var overrides: [String] = []
    @Option(parsing: .unconditional, help: "Array rows R.") var rows: Int?
    @Option(parsing: .unconditional, help: "Array columns C.") var cols: Int?
    @Option(help: "Dataflow: ws, os or is.") var dataflow: String?
    @Option(
        help:
            "Cycle convention: scalesim (SCALE-Sim, folds*fold-1), scalesim_rtl (+1, what RTL takes) or onnxim (overlapped tiles)."
    )
    var convention: String?
    @Option(help: "A SCALE-Sim topology CSV: 'Layer, M, N, K,' or the convolution format.") var topology: String?
    @Option(help: "A preset GEMM list: alexnet-conv1 or resnet18.") var layers: String?
    @Option(help: "The forward GEMMs of a network (mlp:784-256-10, cnn:small), with --batch.") var model: String?
    @Option(parsing: .unconditional, help: "Batch for --model.") var batch: Int = 1
    @Option(name: .customLong("ifmap-sram-kb"), help: "IFMAP SRAM in KiB (SCALE-Sim's IfmapSramSzkB; 1-byte words).")
    var ifmapSramKB: Int?
    @Option(name: .customLong("filter-sram-kb"), help: "Filter SRAM in KiB (FilterSramSzkB).") var filterSramKB: Int?
    @Option(name: .customLong("ofmap-sram-kb"), help: "OFMAP SRAM in KiB (OfmapSramSzkB).") var ofmapSramKB: Int?
    @Option(help: "DRAM interface bandwidth of each SRAM in words per cycle (SCALE-Sim's Bandwidth, USER mode).")
    var bandwidth: Int?
    @Flag(help: "Model memory stalls with the --hw model's inputs/weights/accumulators buffers and DRAM bandwidth.")
    var memory = false
    @Option(
        help:
            "Memory model with the options above: scalesim (SCALE-Sim v3's scratchpads, demand order and fill clock; equals its Total and Stall Cycles) or physical (the simulator's: each operand read as often as the dataflow re-reads it, fills served by a DRAM channel per operand)."
    )
    var memoryOrder: GemmMemoryOrder = .scalesim
    @Option(help: "Write the JSON report here, and COMPUTE_REPORT.csv next to it.") var report: String?
    @Flag(help: "Print the JSON report on stdout instead of a table.") var json = false
    @Argument(help: "GEMMs as M N K triples.") var mnk: [Int] = []

    func validate() throws {
        if hw == nil && (rows == nil || cols == nil) {
            throw ValidationError("give --hw FILE or both --rows and --cols (and --dataflow)")
        }
        if let r = rows, !(1...65536).contains(r) { throw ValidationError("--rows must be 1 ... 65536, got \(r)") }
        if let c = cols, !(1...65536).contains(c) { throw ValidationError("--cols must be 1 ... 65536, got \(c)") }
        if let d = dataflow, Dataflow(rawValue: d) == nil {
            throw ValidationError("--dataflow must be ws, os or is, got '\(d)'")
        }
        if let c = convention, GemmTimingConvention(rawValue: c) == nil {
            throw ValidationError("--convention must be scalesim, scalesim_rtl or onnxim, got '\(c)'")
        }
        if mnk.count % 3 != 0 { throw ValidationError("GEMMs are given as M N K triples; got \(mnk.count) numbers") }
        if let bad = mnk.first(where: { $0 < 1 || $0 > 1 << 30 }) {
            throw ValidationError("M, N and K must be 1 ... 2^30, got \(bad)")
        }
        if !(1...(1 << 20)).contains(batch) { throw ValidationError("--batch must be 1 ... 1048576, got \(batch)") }
        if let l = layers, GemmList.preset(l) == nil {
            throw ValidationError("--layers must be one of \(GemmList.presetNames.joined(separator: ", ")), got '\(l)'")
        }
        if memory && hw == nil && [ifmapSramKB, filterSramKB, ofmapSramKB, bandwidth].contains(where: { $0 == nil }) {
            throw ValidationError(
                "--memory takes the buffers from --hw FILE; without it give --ifmap-sram-kb, --filter-sram-kb, --ofmap-sram-kb and --bandwidth"
            )
        }
        let sources = [!mnk.isEmpty, topology != nil, layers != nil, model != nil].filter { $0 }.count
        if sources == 0 {
            throw ValidationError("give GEMMs: M N K triples, --topology FILE, --layers PRESET or --model SPEC")
        }
    }

    func run() throws {
        var outputs = OutputPaths()
        outputs.input("topology", topology)
        outputs.file("report", report)
        outputs.file("report's COMPUTE_REPORT.csv", report.map(Self.computeReportPath(next:)))
        try outputs.prepare()
        let start = DispatchTime.now().uptimeNanoseconds
        var array = SystolicArray(rows: rows ?? 16, cols: cols ?? 16, dataflow: .ws)
        var conv = GemmTimingConvention.scalesim
        var hardware: HardwareModel? = nil
        if let hw {
            let model = try HardwareModel.load(path: HardwareModel.locate(hw), overrides: overrides)
            hardware = model
            let a = model.stageTemplate.array
            array = SystolicArray(rows: a.rows, cols: a.cols, dataflow: a.dataflow)
            conv = GemmTimingConvention(model.timing.systolic)
        }
        if let r = rows { array.rows = r }
        if let c = cols { array.cols = c }
        if let d = dataflow.flatMap(Dataflow.init(rawValue:)) { array.dataflow = d }
        if let c = convention.flatMap(GemmTimingConvention.init(rawValue:)) { conv = c }

        var list: [NamedGemm] = []
        for i in stride(from: 0, to: mnk.count, by: 3) {
            list.append(NamedGemm(name: "gemm\(i / 3)", shape: GemmShape(m: mnk[i], n: mnk[i + 1], k: mnk[i + 2])))
        }
        if let topology {
            guard let text = try? String(contentsOfFile: topology, encoding: .utf8) else {
                throw SimulationError.invalidGemmList("\(topology): cannot read the topology file")
            }
            list += try GemmList.parse(text: text, file: topology)
        }
        if let layers, let preset = GemmList.preset(layers) { list += preset }
        if let model { list += try GemmList.forward(try NetworkSpec.parse(model), batch: batch) }

        var result: GemmReport
        if memory || [ifmapSramKB, filterSramKB, ofmapSramKB, bandwidth].contains(where: { $0 != nil }) {
            let pads = try ScratchpadConfig.resolve(
                hardware: hardware, ifmapKiB: ifmapSramKB, filterKiB: filterSramKB,
                ofmapKiB: ofmapSramKB, bandwidth: bandwidth)
            result = try GemmReport(list: list, array: array, convention: conv, memory: pads, order: memoryOrder)
        } else {
            result = GemmReport(list: list, array: array, convention: conv)
        }
        result.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let report {
            try JSONReport.write(result, to: report)
            try computeReportCSV(result).write(to: Self.computeReportPath(next: report))
        }
        Console.out(json ? try JSONReport.text(result) : table(result))
    }

    /// `COMPUTE_REPORT.csv` is written beside the JSON report.
    static func computeReportPath(next report: String) -> String {
        (URL(fileURLWithPath: report).deletingLastPathComponent().path as NSString).appendingPathComponent(
            "COMPUTE_REPORT.csv")
    }

    /// SCALE-Sim's COMPUTE_REPORT.csv columns (without its "Total Cycles (incl. prefetch)" column).
    func computeReportCSV(_ r: GemmReport) -> CSVTable {
        func fmt(_ v: Double) -> String { String(format: "%.6f", v) }
        var t = CSVTable(header: [
            "LayerID", "Layer", "M", "N", "K", "Total Cycles", "Stall Cycles", "Overall Util %",
            "Mapping Efficiency %", "Compute Util %",
        ])
        for (i, l) in r.layers.enumerated() {
            t.append([
                String(i), l.name, String(l.m), String(l.n), String(l.k), String(l.cycles), String(l.stallCycles),
                fmt(l.utilizationPercent), fmt(l.mappingEfficiencyPercent), fmt(l.computeUtilizationPercent),
            ])
        }
        return t
    }

    func table(_ r: GemmReport) -> String {
        var head = "array \(r.rows)x\(r.cols) \(r.dataflow), convention \(r.convention)\n"
        if let m = r.memory {
            head += "scratchpads (words): ifmap \(m.ifmapWords), filter \(m.filterWords), ofmap \(m.ofmapWords); "
            head += "bandwidth (words/cycle): \(m.ifmapBandwidth)/\(m.filterBandwidth)/\(m.ofmapBandwidth)\n"
        }
        var t = TextTable(
            header: ["layer", "M", "N", "K", "cycles", "stalls", "util %", "map eff %"], alignment: [.left])
        for l in r.layers {
            t.append([
                l.name, String(l.m), String(l.n), String(l.k), String(l.cycles), String(l.stallCycles),
                String(format: "%.2f", l.utilizationPercent), String(format: "%.2f", l.mappingEfficiencyPercent),
            ])
        }
        return head + t.text + "\ntotal cycles \(r.totalCycles) (stalls \(r.totalStallCycles)), MACs \(r.totalMacs)"
    }
}

extension GemmMemoryOrder: ExpressibleByArgument {}
