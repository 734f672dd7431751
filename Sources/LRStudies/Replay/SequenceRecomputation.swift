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
        var differing = 0
        for t in model.tensors {
            let name = TraceNames.gradient(t.layer, t.name)
            guard let recorded = s.tensor(name)?.float32, recorded.count == t.range.count else {
                return TraceStepCheck(passed: false, detail: "tensor '\(name)' is missing or of the wrong size")
            }
            differing += zip(g[t.range], recorded).filter { $0.bitPattern != $1.bitPattern }.count
        }
        var lossValues = 0, lossesDiffer = 0
        var compared: [(String, [Float])] = [(TraceNames.cleanLosses, record.cleanLosses)]
        for layer in record.copyLosses.keys.sorted() {
            compared.append((TraceNames.losses(layer), record.copyLosses[layer]!))
        }
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
                passed: true, detail: "\(g.count) gradient values and \(lossValues) losses are bit-identical")
        }
        return TraceStepCheck(
            passed: false,
            detail:
                "\(differing) of \(g.count) gradient values and \(lossesDiffer) of \(lossValues) losses differ from "
                + "the recomputation (recorded with BLAS \(header.notes["blas"] ?? "?"), recomputed with "
                + "\(BLAS.configure().coreName))"
        )
    }
}
