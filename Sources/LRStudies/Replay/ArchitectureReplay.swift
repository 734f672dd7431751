import FixedPoint
import Foundation
import HWModel
import LRCore
import LRSim
import LRTrace
import LRTrain

extension ReplayRun {
    /// The steps of an rnn, snn or gnn trace through `ArchitectureDatapath`: per perturbed layer the cosines of all its
    /// tensors together against the recorded float and backprop gradients, and the exact GMP check.
    func replayArchitecture(
        _ reader: TraceReader, model: RecordedArchitectureStep.Model, config resolved: TrainingConfiguration,
        selected: [UInt64], sim: SimReport,
        log: (String) -> Void
    ) throws -> (steps: [ReplayReport.Step], formats: [String: String]) {
        let header = reader.header
        let datapath = try ArchitectureDatapaths.make(
            model: model.spec, settings: resolved.estimator, seed: resolved.seed,
            formats: try DatapathFormats(hardware), graph: model.graph)
        var stepReports: [ReplayReport.Step] = []
        var weighted: String?
        for s in selected {
            let t0 = Date()
            let traced = try reader.readStep(step: s)
            let recorded = try RecordedArchitectureStep(step: traced, header: header, model: model)
            let result = try datapath.run(
                parameters: recorded.parameters, input: recorded.input, labels: recorded.labels,
                step: recorded.step)
            let gradient = datapath.floatGradient(result)
            var layers: [ReplayReport.Layer] = []
            for l in result.layers {
                let mine = l.tensors.flatMap { Array(gradient[$0.range]) }
                func recordedGradient(_ name: (Int, String) -> String) -> [Float]? {
                    var out: [Float] = []
                    for t in l.tensors {
                        guard let v = traced.tensor(name(t.layer, t.name))?.float32, v.count == t.range.count else {
                            return nil
                        }
                        out += v
                    }
                    return out
                }
                let check = exact ? try datapath.exactCheck(l) : nil
                weighted = weighted ?? l.tensors.first.map { $0.weightedLossFormat.description }
                layers.append(
                    .init(
                        layer: l.layer,
                        cosineVsFloat: recordedGradient(TraceNames.gradient).map { VectorMath.cosine(mine, $0) },
                        cosineVsBp: recordedGradient(TraceNames.backprop).map { VectorMath.cosine(mine, $0) },
                        maxAbsErrorVsExact: check?.maxAbsError, meanAbsErrorVsExact: check?.meanAbsError,
                        bitExactVsExact: check?.bitExact, bitExactValues: check?.bitExactCount, values: mine.count,
                        accumulatorBits: datapath.formats.accumulators.format.width,
                        accumulatorBoundBits: check.map {
                            .init(reduction: $0.reductionBoundBits, outer: $0.outerBoundBits)
                        },
                        copyLossMeanAbsErrorVsFloat: Self.copyLossError(
                            traced, layer: l.layer, copyLosses: l.copyLosses, copies: l.copies,
                            datapath.formats.loss.format)))
            }
            // The recorded loss of a gnn step is the training nodes' mean, as the datapath's.
            let lossFloat = traced.info.scalar(TraceNames.loss)
            let lossDp = result.meanCleanLoss
            let rel = lossFloat.flatMap { $0 != 0 ? (lossDp - $0) / abs($0) : nil }
            stepReports.append(
                .init(
                    step: Int(s), lossFloat: lossFloat, lossDatapath: lossDp, lossRelativeErrorVsFloat: rel,
                    lossAfterUpdate: nil, lossRelativeChange: nil,
                    weightsOutsideFormat: Self.outsideFraction(recorded.parameters, hardware), layers: layers,
                    cycles: sim.cyclesPerIteration, seconds: sim.cyclesPerIteration / sim.clockHz,
                    wallSeconds: wallClock ? Date().timeIntervalSince(t0) : 0))
            log(Self.line(stepReports.last!))
        }
        var formats: [String: String] = [:]
        for signal in Signal.allCases { formats[signal.rawValue] = hardware.formats[signal].description }
        if let weighted { formats["weighted_loss"] = weighted }
        return (stepReports, formats)
    }

    /// How the rnn, snn and gnn datapaths differ from the mlp's (the report's `method`).
    static func architectureMethod(_ model: ModelSpec) -> [String: String] {
        switch model {
        case .sequence(let s) where s.kind == .rnn:
            return [
                "recurrence":
                    "per step: bias preloaded, W_in x_t products (x in formats.inputs), then W_hh h_{t-1} products (h in formats.activations) into one accumulator, written back once, tanh table; each copy runs its own noisy trajectory (sigma x eps_t added to the accumulator at every step)",
                "gradient":
                    "LRGradientDatapath per tensor: W_in and b over the B x T rows (b, t) with K copies; W_hh over the T x B x K rows (t, copy), one copy each, with the copy's own previous state; the head over B rows",
            ]
        case .sequence:
            return [
                "membrane":
                    "hidden currents W1 s_in_t + b1 in formats.accumulators; m = beta v + I (+ sigma eps) summed exactly and rounded once into formats.accumulators (beta 0.9 with a 16-bit significand), spike when m >= 1, reset by subtracting 1; readout input = spike count / T rounded into formats.activations; its copies add (sigma/T) sum_t eps_t to the readout accumulator",
                "gradient":
                    "LRGradientDatapath per tensor over the B x T rows (b, t) with K copies: hidden layer with the input spikes, readout with the clean hidden spikes",
            ]
        case .graph:
            return [
                "aggregation":
                    "A_hat in formats.weights; A_hat X and A_hat relu(P1) as sparse fixed-point products (products into formats.products, sums into formats.accumulators), written back into formats.inputs and formats.activations",
                "gradient":
                    "LRGradientDatapath per tensor: layer 0 over the N nodes with each node's credit = the exact sum of the loss changes over its neighbourhood (loss format widened by ceil(log2(largest neighbourhood)) integer bits), stored input A_hat X; layer 2 over the training nodes, stored input A_hat relu(P1)",
            ]
        case .feedforward:
            return [:]
        }
    }
}
