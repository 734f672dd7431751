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
        return RecomputedStepComparison.check(
            gradient: gradient, tensors: model.tensors, record: record, step: s, header: header)
    }
}
