import ArgumentParser
import Foundation
import HWModel
import LRCore
import LRReport
import LRSim
import LRTrace
import LRTrain

/// `lrsim sim`: cycle-level simulation of an accelerator training a network with LR, ALR, ES or backprop.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate an accelerator training a network: cycles, stalls, memory, DRAM traffic, energy.",
        discussion: """
        The workload comes from a trace (its model, batch, copies per layer, estimator and number of steps) or from \
        --model/--batch/--copies/--estimator. Every unit's cycles are accounted as busy, starved (waiting for data), \
        blocked (full FIFO, DRAM, bus, noise generator) or idle; buffers that overflow spill to DRAM. The hardware \
        model's [mapping] and [pipeline] decide spatial vs temporal and how much work overlaps.

        Examples:
          lrsim sim --hw hwmodels/edge.toml --model mlp:784-256-10 \\
                    --batch 128 --copies 32 --estimator alr --iterations 10 \\
                    --report sim.json --csv simcsv --vcd sim.vcd --timeline sim.trace.json
          lrsim sim --hw hwmodels/edge.toml --trace run.lrt --report sim.json
          lrsim sim --model mlp:784-256-10 --batch 128 --copies 32 --compare lr,alr,bp
          lrsim sim --model cnn:small --batch 32 --copies 8 --estimator alr \\
                    --set pipeline.mode=overlapped --set pipeline.staleness=1
        """)

    @Option(help: "Hardware model (TOML).") var hw: String = HardwareModel.defaultModelPath
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a hardware-model field (repeatable), e.g. pipeline.mode=overlapped.", valueName: "KEY=VALUE"))
    var overrides: [String] = []
    @Option(help: "Take the workload from this trace's header.") var trace: String?
    @Option(help: "Network: mlp:IN-H1-...-OUT, cnn:small / cnn:cifar, rnn:DxH-C[xT<steps>], snn:D-H-C[xT<steps>] or gnn:N-F-H-C[e<E>] (nodes-features-hidden-classes, E edges; batch = N).") var model: String?
    @Option(help: "Samples per mini-batch.") var batch: Int?
    @Option(help: "Copies K per perturbed layer: one value, or one per parametric layer separated by commas (0 = not trained).")
    var copies: String?
    @Option(help: "Estimator: lr, alr, es, aes or bp.") var estimator: String?
    @Option(help: "Noise scale (accepted for symmetry with train; it does not change timing).") var sigma: Double?
    @Flag(help: "Independent copies instead of antithetic pairs (antithetic pairs generate and store half the noise).")
    var noAntithetic = false
    @Option(help: "Copies one task carries through a layer (the GEMM streams batch x copies rows).") var copiesPerPass: Int = 1
    @Option(help: "Training iterations (mini-batches) to simulate. Default: the trace's step count, else 1.") var iterations: Int?
    @Option(help: "Also simulate these estimators on the same hardware and print them side by side, e.g. lr,alr,bp.")
    var compare: String?
    @Option(help: "Write a VCD waveform (GTKWave) here.") var vcd: String?
    @Option(help: "Write a Chrome trace-event timeline (Perfetto, chrome://tracing) here.") var timeline: String?
    @Option(help: "Write stages.csv, buffers.csv and fifos.csv into this directory.") var csv: String?
    @Option(help: "Write the JSON report here.") var report: String?
    @Flag(help: "Report wall_seconds and simulated_cycles_per_second as 0, so reports of equal inputs are byte-identical.")
    var noWallClock = false

    func validate() throws {
        if trace == nil {
            // A gnn: model trains on the full graph: its batch is the node count (--batch may be left out).
            guard model != nil, batch != nil || model?.hasPrefix("gnn:") == true, copies != nil || estimator == "bp" || compare != nil, estimator != nil || compare != nil else {
                throw ValidationError("give --trace FILE, or --model SPEC --batch B --copies K --estimator E")
            }
        }
        if let e = estimator, TrainingMethod(rawValue: e) == nil {
            throw ValidationError("--estimator must be one of lr, alr, es, aes, bp; got '\(e)'")
        }
        if let b = batch, !(1...(1 << 20)).contains(b) { throw ValidationError("--batch must be 1 ... 1048576, got \(b)") }
        if let n = iterations, !(1...10_000_000).contains(n) { throw ValidationError("--iterations must be 1 ... 10000000, got \(n)") }
        if !(1...65536).contains(copiesPerPass) { throw ValidationError("--copies-per-pass must be 1 ... 65536, got \(copiesPerPass)") }
        if let c = copies, parseCopies(c) == nil {
            throw ValidationError("--copies must be non-negative integers separated by commas, got '\(c)'")
        }
        if let c = compare {
            for m in c.split(separator: ",") where TrainingMethod(rawValue: String(m)) == nil {
                throw ValidationError("--compare takes estimators among lr, alr, es, aes, bp separated by commas; got '\(m)'")
            }
        }
    }

    func parseCopies(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        do {
            let hardware = try HardwareModel.load(path: hw, overrides: overrides)
            let base = try workload()
            if let compare {
                let methods = compare.split(separator: ",").compactMap { TrainingMethod(rawValue: String($0)) }
                var reports: [SimReport] = []
                for m in methods {
                    var spec = base
                    spec.method = m
                    if m.isForwardOnly && spec.copies.isEmpty { spec.copies = [1] }
                    reports.append(finalize(try Simulator.run(spec, on: hardware).report))
                }
                print(SimSummary.comparison(reports))
                if let report { try JSONReport.write(SimComparison(runs: reports), to: report) }
                return
            }
            let record = vcd != nil || timeline != nil
            var result = try Simulator.run(base, on: hardware, record: record)
            result.report = finalize(result.report)
            print(SimSummary.text(result.report))
            if let vcd { try SimOutputs.vcd(result).write(to: vcd) }
            if let timeline { try SimOutputs.timeline(result).write(to: timeline) }
            if let csv {
                do { try FileManager.default.createDirectory(atPath: csv, withIntermediateDirectories: true) } catch {
                    throw ReportError("\(csv): cannot create the CSV directory")
                }
                for (name, table) in SimOutputs.csv(result.report) {
                    try table.write(to: (csv as NSString).appendingPathComponent(name))
                }
            }
            if let report { try JSONReport.write(result.report, to: report) }
        } catch let e as HWModelError {
            simError(e.description); throw ExitCode.failure
        } catch let e as SimulationError {
            simError(e.description); throw ExitCode.failure
        } catch let e as ReportError {
            simError(e.description); throw ExitCode.failure
        } catch let e as NetworkSpecError {
            simError(e.description); throw ExitCode.failure
        } catch let e as TraceError {
            simError(e.description); throw ExitCode.failure
        } catch let e as ExitCode {
            throw e
        } catch {
            simError("\(error)"); throw ExitCode.failure
        }
    }

    func finalize(_ r: SimReport) -> SimReport {
        var r = r
        if noWallClock { r.wallSeconds = 0; r.simulatedCyclesPerSecond = 0 }
        return r
    }

    /// The workload from the trace header and/or the command line (command-line values win).
    func workload() throws -> WorkloadSpec {
        var network: NetworkSpec
        var method = estimator.flatMap(TrainingMethod.init(rawValue:)) ?? .lr
        var b = batch ?? 1
        var k: [Int] = copies.flatMap(parseCopies) ?? []
        var steps = 1
        var antithetic = !noAntithetic
        var sequence: SequenceModel? = nil
        var graph: GraphModel? = nil
        if let trace {
            let reader = try TraceReader(path: trace)
            let h = reader.header
            try TraceHeaderCheck.validate(h, file: trace)
            if let s = try SequenceModel.parse(h.model.spec) {
                // A train-arch trace (rnn, snn): its perturbed layers 0 and 1 are the cell and the head.
                sequence = s; network = s.network
            } else {
                let activation = Activation(rawValue: h.model.activation) ?? .relu
                network = try NetworkSpec.parse(h.model.spec, activation: activation)
            }
            if estimator == nil {
                guard let m = TrainingMethod(rawValue: h.estimator.name) else {
                    throw SimulationError.invalidWorkload("\(trace): header field 'estimator.name': expected lr, alr, es, aes or bp, got '\(h.estimator.name)'")
                }
                method = m
            }
            if batch == nil { b = h.optimizer.batchSize }
            if copies == nil && method.isForwardOnly {
                let parametric = network.parametricLayers
                var perLayer = Array(repeating: 0, count: parametric.count)
                for (i, layer) in h.estimator.perturbedLayers.enumerated() {
                    // Sequence traces number their layers 0 (cell) and 1 (head): the parametric layers' order.
                    let p = sequence != nil ? (layer < parametric.count ? layer : nil) : parametric.firstIndex(of: layer)
                    guard let p, i < h.estimator.copies.count else {
                        throw SimulationError.invalidWorkload("\(trace): header field 'estimator.perturbed_layers': layer \(layer) is not a dense/conv layer of \(h.model.spec)")
                    }
                    perLayer[p] = h.estimator.copies[i]
                }
                k = perLayer
            }
            if !noAntithetic { antithetic = h.estimator.antithetic }
            steps = Int((reader.steps.last?.step ?? 0) + 1)
        } else if let s = try SequenceModel.parse(model ?? "") {
            sequence = s; network = s.network
        } else if let g = try GraphModel.parse(model ?? "") {
            if let batch, batch != g.nodes {
                throw SimulationError.invalidWorkload("--batch: \(g.spelling) trains on the full graph; leave --batch out or give the \(g.nodes) nodes, got \(batch)")
            }
            graph = g; network = g.network; b = g.nodes
        } else {
            network = try NetworkSpec.parse(model ?? "")
        }
        if method == .bp && k.isEmpty { k = [] }
        var work = WorkloadSpec(network: network, method: method, batch: b, copies: k, iterations: iterations ?? steps,
                                antithetic: antithetic, copiesPerPass: copiesPerPass)
        work.sequence = sequence
        work.graph = graph
        return work
    }
}

/// `--compare` JSON: one sim report per estimator.
struct SimComparison: Encodable {
    var kind = "sim-compare"
    var runs: [SimReport]
}
