import FixedPoint
import Foundation
import HWModel
import LRCore
import LRSim
import LRTrace
import LRTrain

/// `lrsim replay`: recorded training steps through a hardware model's fixed-point datapath, checked against the
/// exact GMP evaluation and timed by the simulator. The CLI, the demo and the sweeps' replay points call it with the
/// hardware model they hold.
public struct ReplayRun {
    public var hardware: HardwareModel
    /// The overrides applied to `hardware` (recorded in the report; the model already has them).
    public var overrides: [String]
    public var tracePath: String
    /// Steps to replay (nil: every recorded step).
    public var steps: [UInt64]?
    public var exact: Bool
    public var wallClock: Bool

    public init(
        hardware: HardwareModel, overrides: [String] = [], tracePath: String, steps: [UInt64]? = nil,
        exact: Bool = true, wallClock: Bool = true
    ) {
        self.hardware = hardware; self.overrides = overrides; self.tracePath = tracePath; self.steps = steps
        self.exact = exact; self.wallClock = wallClock
    }

    /// Replays the steps; `log` receives one line per step and a summary. Errors name the trace (or, for the
    /// timing, the hardware model).
    public func run(log: (String) -> Void) throws -> ReplayReport {
        let reader = try TraceReader(path: tracePath)
        try TraceHeaderCheck.validate(reader.header, file: tracePath)
        return try StudyError.locating(tracePath) { try run(reader, log: log) }
    }

    func run(_ reader: TraceReader, log: (String) -> Void) throws -> ReplayReport {
        let started = Date()
        let header = reader.header
        let config = try RecordedStep.configuration(from: header)
        let (resolved, spec) = try config.resolved()
        let available = reader.steps.map(\.step)
        let selected = steps ?? available
        for s in selected where !available.contains(s) {
            throw SettingError(
                "steps",
                "step \(s) is not recorded in \(tracePath) (recorded: \(available.map(String.init).joined(separator: ",")))"
            )
        }
        guard !selected.isEmpty else { throw SettingError("trace", "\(tracePath): the trace records no steps") }
        let architecture = try RecordedArchitectureStep.Model(config: resolved)

        // sim: the same work on the same hardware, one iteration per replayed step.
        let method = resolved.estimator.kind
        let work =
            architecture.map {
                WorkloadSpec(
                    model: $0.spec, method: method, batch: $0.graph?.nodes ?? resolved.batch,
                    copies: resolved.estimator.copies,
                    iterations: selected.count, antithetic: resolved.estimator.antithetic)
            }
            ?? WorkloadSpec(
                network: spec, method: method, batch: resolved.batch, copies: resolved.estimator.copies,
                iterations: selected.count, antithetic: resolved.estimator.antithetic)
        let sim = try StudyError.locating("\(hardware.name): sim") { try Simulator.run(work, on: hardware).report }

        let replayed: (steps: [ReplayReport.Step], formats: [String: String])
        if let architecture {
            replayed = try replayArchitecture(
                reader, model: architecture, config: resolved, selected: selected, sim: sim, log: log)
        } else {
            replayed = try replayNetwork(reader, config: resolved, spec: spec, selected: selected, sim: sim, log: log)
        }
        let stepReports = replayed.steps
        let summary = Self.summary(
            stepReports, exact: exact, formats: try DatapathFormats(hardware),
            sigma: resolved.estimator.sigma.map(Double.init).min() ?? 0)
        if let b = summary.allBitExactVsExact {
            log(
                "\(stepReports.count) steps: \(b ? "every gradient bit-exact vs GMP" : "NOT bit-exact vs GMP")"
                    + (summary.minCosineVsFloat.map { String(format: ", min cosine vs float %.6f", $0) } ?? ""))
        }
        if let v = summary.verdict { log(v) }
        log(
            String(
                format: "sim: %d cycles per iteration at %.0f MHz (%.1f samples/s)", Int(sim.cyclesPerIteration),
                sim.clockHz / 1e6, sim.throughput.samplesPerSecond))
        let update: String
        if architecture != nil {
            update =
                "not replayed: the fixed-point update is modelled for mlp traces; \(resolved.optimizer.rawValue) ran on the host"
        } else if resolved.optimizer == .sgd && resolved.momentum == 0 {
            update = "fixed-point SGD on the hardware (W -= lr * c/(B K) * dW in formats.updates, then formats.weights)"
        } else {
            update =
                "host \(resolved.optimizer.rawValue) on float master weights (optimizer state is not in the trace: not replayed)"
        }
        var methodText = [
            "forward":
                "products rounded into formats.products, sums into formats.accumulators (bias preloaded), written back into formats.activations",
            "noise":
                "Philox noise regenerated from the trace key, rounded into formats.noise; sigma (16-bit significand) x eps added to the accumulator before the write-back",
            "activation":
                "relu/step exact; tanh/sigmoid as a full lookup table (Double function of the exact input, rounded once)",
            "loss_unit": "ideal: Double log-sum-exp on the exact fixed-point logits, rounded once into formats.loss",
            "gradient":
                "LRGradientDatapath: (L - L0) x score reduced over copies into the weighted-loss register, outer product with the stored input into formats.gradients",
            "exact": "GMP: the same formula on the same quantized operands, exact, rounded once into formats.gradients",
        ]
        if let architecture { methodText.merge(Self.architectureMethod(architecture.spec)) { _, new in new } }
        return ReplayReport(
            trace: tracePath,
            hardware: .init(
                name: hardware.name, silicon: hardware.silicon, overrides: overrides, formats: replayed.formats),
            workload: .init(
                model: architecture.map { $0.spec.spelling } ?? resolved.model, estimator: method.rawValue,
                batch: resolved.batch, copies: Array(resolved.estimator.copies),
                sigma: resolved.estimator.sigma.map(Double.init), antithetic: resolved.estimator.antithetic,
                baseline: resolved.estimator.baseline.rawValue, optimizer: resolved.optimizer.rawValue, update: update),
            method: methodText,
            steps: stepReports, summary: summary,
            cycles: sim.cycles, clockHz: sim.clockHz, iterations: sim.iterations, seconds: sim.seconds,
            cyclesPerIteration: sim.cyclesPerIteration, throughput: sim.throughput, energyPj: sim.energyPj,
            wallSeconds: wallClock ? Date().timeIntervalSince(started) : 0)
    }

    /// The steps of an mlp trace through `FixedPointDatapath`.
    func replayNetwork(
        _ reader: TraceReader, config resolved: TrainingConfiguration, spec: NetworkSpec, selected: [UInt64],
        sim: SimReport, log: (String) -> Void
    ) throws -> (steps: [ReplayReport.Step], formats: [String: String]) {
        let header = reader.header
        let datapath = try FixedPointDatapath(
            formats: try DatapathFormats(hardware), spec: spec,
            settings: resolved.estimator, seed: resolved.seed)
        let layout = datapath.layout
        var stepReports: [ReplayReport.Step] = []
        for s in selected {
            let t0 = Date()
            let traced = try reader.readStep(step: s)
            let recorded = try RecordedStep(step: traced, header: header)
            let replayed = try datapath.replay(recorded, exact: exact)
            var layers: [ReplayReport.Layer] = []
            for (p, slot) in layout.slots.enumerated() {
                let mine = Array(replayed.gradient[slot.range])
                let float = Self.parameterTensor(traced, slot: slot, name: TraceNames.gradient)
                let bp = Self.parameterTensor(traced, slot: slot, name: TraceNames.backprop)
                let check = exact ? replayed.checks[p] : nil
                let lr = replayed.result.layers[p]
                layers.append(
                    .init(
                        layer: slot.layer,
                        cosineVsFloat: float.map { VectorMath.cosine(mine, $0) },
                        cosineVsBp: bp.map { VectorMath.cosine(mine, $0) },
                        maxAbsErrorVsExact: check?.maxAbsError, meanAbsErrorVsExact: check?.meanAbsError,
                        bitExactVsExact: check?.bitExact,
                        bitExactValues: check.map { $0.weight.bitExactCount + $0.bias.bitExactCount },
                        values: slot.weightCount + slot.biasCount,
                        accumulatorBits: datapath.formats.accumulators.format.width,
                        accumulatorBoundBits: check.map {
                            .init(reduction: $0.reductionBoundBits, outer: $0.outerBoundBits)
                        },
                        copyLossMeanAbsErrorVsFloat: Self.copyLossError(
                            traced, layer: lr.layer, copyLosses: lr.copyLosses,
                            copies: lr.copies, datapath.formats.loss.format)))
            }
            let lossFloat = traced.info.scalar(TraceNames.loss)
            let lossDp = replayed.result.meanCleanLoss
            let rel = lossFloat.flatMap { $0 != 0 ? (lossDp - $0) / abs($0) : nil }
            let change = replayed.lossAfterUpdate.map { lossDp != 0 ? ($0 - lossDp) / abs(lossDp) : 0 }
            let wall = wallClock ? Date().timeIntervalSince(t0) : 0
            stepReports.append(
                .init(
                    step: Int(s), lossFloat: lossFloat, lossDatapath: lossDp, lossRelativeErrorVsFloat: rel,
                    lossAfterUpdate: replayed.lossAfterUpdate, lossRelativeChange: change,
                    weightsOutsideFormat: Self.outsideFraction(recorded.network.parameters, hardware), layers: layers,
                    cycles: sim.cyclesPerIteration, seconds: sim.cyclesPerIteration / sim.clockHz,
                    wallSeconds: wall))
            log(Self.line(stepReports.last!))
        }
        return (stepReports, Self.formats(hardware, datapath))
    }

    static func parameterTensor(_ s: TraceStep, slot: ParameterLayout.Slot, name: (Int, String) -> String) -> [Float]? {
        guard let w = s.tensor(name(slot.layer, "weight"))?.float32, w.count == slot.weightCount,
            let b = s.tensor(name(slot.layer, "bias"))?.float32, b.count == slot.biasCount
        else { return nil }
        return w + b
    }

    /// Mean |datapath per-copy loss - recorded per-copy loss| over the datapath's rows b*K + k; the recorded tensor is
    /// `[K, B']` with B' >= B (a gnn records every node, the datapath forms the training nodes' losses).
    static func copyLossError(_ s: TraceStep, layer: Int, copyLosses: [Int64], copies K: Int, _ lf: FixedFormat)
        -> Double?
    {
        guard let t = s.tensor(TraceNames.losses(layer)), let rec = t.float32, t.shape.count == 2, t.shape[0] == K
        else { return nil }
        let B = copyLosses.count / max(1, K), stride = t.shape[1]
        guard stride >= B, rec.count == K * stride else { return nil }
        var sum = 0.0
        for b in 0..<B {
            for k in 0..<K {
                let mine = FixedArithmetic.toDouble(lf.raw(fromBits: copyLosses[b * K + k]), format: lf)
                sum += abs(mine - Double(rec[k * stride + b]))
            }
        }
        return sum / Double(max(1, B * K))
    }

    static func formats(_ hw: HardwareModel, _ d: FixedPointDatapath) -> [String: String] {
        var out: [String: String] = [:]
        for s in Signal.allCases { out[s.rawValue] = hw.formats[s].description }
        if let g = d.gradientDatapaths.first { out["weighted_loss"] = g.reduction.config.output.description }
        return out
    }

    static func line(_ s: ReplayReport.Step) -> String {
        var parts = ["step \(s.step):"]
        for l in s.layers {
            var p = "layer \(l.layer)"
            if let c = l.cosineVsFloat { p += String(format: " cos(float) %.6f", c) }
            if let c = l.cosineVsBp { p += String(format: " cos(bp) %.4f", c) }
            if let e = l.bitExactVsExact {
                p += e ? " bit-exact" : String(format: " max|err| %.3g", l.maxAbsErrorVsExact ?? 0)
            }
            parts.append(p + ";")
        }
        if let r = s.lossRelativeErrorVsFloat {
            parts.append(String(format: "loss %.5f (%+.2e vs float)", s.lossDatapath, r))
        }
        return parts.joined(separator: " ")
    }
}
