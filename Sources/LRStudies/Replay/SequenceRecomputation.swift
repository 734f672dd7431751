import LRCore
import LRTrace
import LRTrain

/// `trace verify`'s recomputation of an rnn or snn step: rebuild the model from the header's configuration, load the
/// recorded parameters, regenerate the noise from the step's key (and, for the snn, the input spikes) and recompute
/// the estimate; the gradient, the clean losses and the per-copy losses must match the recorded ones bit for bit (the
/// estimators are deterministic functions of (weights, batch, seed, step), independent of the thread count).
struct SequenceRecomputation {
    let config: TrainingConfiguration
    let sequence: SequenceModel

    func verify(step s: TraceStep, header: TraceHeader) throws -> TraceStepCheck {
        let model = try SequenceModelTrainer(sequence, settings: config.estimator, seed: config.seed)
        var params = [Float](repeating: 0, count: model.parameters.count)
        for t in model.tensors {
            let name = TraceNames.parameter(t.layer, t.name)
            guard let values = s.tensor(name)?.float32, values.count == t.range.count else {
                return TraceStepCheck(
                    passed: false, detail: "tensor '\(name)' is missing or does not hold \(t.range.count) f32 values")
            }
            params.replaceSubrange(t.range, with: values)
        }
        model.parameters = params
        guard let labels = s.tensor(TraceNames.labels)?.int32 else {
            return TraceStepCheck(passed: false, detail: "tensor 'labels' (i32) is missing")
        }
        guard let x = s.tensor(TraceNames.input) else {
            return TraceStepCheck(passed: false, detail: "tensor 'input' is missing")
        }
        let input: [Float]
        switch (x.dtype, header.dataset.inputTransform) {
        case (.u8, "u8/255"): input = x.bytes.map { Float($0) / 255 }
        case (.f32, "identity"): input = x.float32 ?? []
        default:
            return TraceStepCheck(
                passed: false,
                detail: "input of type \(x.dtype) with transform '\(header.dataset.inputTransform)' is not supported")
        }
        let B = labels.count
        guard input.count == B * sequence.sampleFeatures else {
            return TraceStepCheck(
                passed: false, detail: "input holds \(input.count) values, expected \(B) x \(sequence.sampleFeatures)")
        }
        var g = [Float](repeating: 0, count: params.count)
        let record = try input.withUnsafeBufferPointer { xp in
            try labels.withUnsafeBufferPointer { yp in
                try g.withUnsafeMutableBufferPointer { gp in
                    try model.estimate(
                        input: xp.baseAddress!, labels: yp.baseAddress!, rows: B, step: Int(s.info.noiseStep),
                        into: gp.baseAddress!, recordLosses: true)
                }
            }
        }
        return RecomputedStepComparison.check(
            gradient: g, tensors: model.tensors, record: record, step: s, header: header)
    }
}
