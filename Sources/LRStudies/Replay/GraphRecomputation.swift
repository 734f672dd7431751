import LRCore
import LRTrace
import LRTrain

/// `trace verify`'s recomputation of a gnn step: regenerate the graph from the configuration (checked against the
/// recorded one), load the recorded parameters, regenerate the noise from the step's key and recompute the estimate;
/// the gradient, the clean losses and the per-copy losses must match the recorded ones bit for bit.
struct GraphRecomputation {
    let config: TrainingConfiguration
    let model: RecordedArchitectureStep.Model

    func verify(step s: TraceStep, header: TraceHeader) throws -> TraceStepCheck {
        guard case .graph(let g) = model.spec, let graph = model.graph else {
            return TraceStepCheck(passed: false, detail: "not a gnn trace")
        }
        let r: RecordedArchitectureStep
        do { r = try RecordedArchitectureStep(step: s, header: header, model: model) } catch {
            return TraceStepCheck(passed: false, detail: "\(error)")
        }
        let trainer = try GraphModelTrainer(g, graph: graph, settings: config.estimator, seed: config.seed)
        trainer.parameters = r.parameters
        var gradient = [Float](repeating: 0, count: r.parameters.count)
        let record = try gradient.withUnsafeMutableBufferPointer { gp in
            try r.input.withUnsafeBufferPointer { x in
                try r.labels.withUnsafeBufferPointer { y in
                    try trainer.estimate(
                        input: x.baseAddress!, labels: y.baseAddress!, rows: graph.trainCount, step: r.step,
                        into: gp.baseAddress!, recordLosses: true)
                }
            }
        }
        var differing = 0
        for t in model.tensors {
            let name = TraceNames.gradient(t.layer, t.name)
            guard let recorded = s.tensor(name)?.float32, recorded.count == t.range.count else {
                return TraceStepCheck(passed: false, detail: "tensor '\(name)' is missing or of the wrong size")
            }
            differing += zip(gradient[t.range], recorded).filter { $0.bitPattern != $1.bitPattern }.count
        }
        var compared: [(String, [Float])] = [(TraceNames.cleanLosses, record.cleanLosses)]
        for layer in record.copyLosses.keys.sorted() {
            compared.append((TraceNames.losses(layer), record.copyLosses[layer]!))
        }
        var lossValues = 0, lossesDiffer = 0
        for (name, mine) in compared {
            guard let recorded = s.tensor(name)?.float32 else {
                return TraceStepCheck(passed: false, detail: "tensor '\(name)' is missing")
            }
            lossValues += mine.count
            lossesDiffer +=
                recorded.count == mine.count
                ? zip(recorded, mine).filter { $0.bitPattern != $1.bitPattern }.count : max(recorded.count, mine.count)
        }
        if differing == 0 && lossesDiffer == 0 {
            return TraceStepCheck(
                passed: true, detail: "\(gradient.count) gradient values and \(lossValues) losses are bit-identical")
        }
        return TraceStepCheck(
            passed: false,
            detail:
                "\(differing) of \(gradient.count) gradient values and \(lossesDiffer) of \(lossValues) losses differ from the recomputation (recorded with BLAS \(header.notes["blas"] ?? "?"), recomputed with \(BLAS.configure().coreName))"
        )
    }
}
