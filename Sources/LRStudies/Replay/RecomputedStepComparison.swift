import LRCore
import LRTrace
import LRTrain

/// The verdict of recomputing a traced step: the recomputed gradient (laid out as `tensors`), the clean losses and
/// the per-copy losses against the step's recorded tensors, bit for bit. Shared by the rnn/snn and gnn recomputations.
enum RecomputedStepComparison {
    static func check(
        gradient: [Float], tensors: [ModelTensor], record: StepRecord, step s: TraceStep, header: TraceHeader
    ) -> TraceStepCheck {
        var differing = 0
        for t in tensors {
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
                "\(differing) of \(gradient.count) gradient values and \(lossesDiffer) of \(lossValues) losses differ from "
                + "the recomputation (recorded with BLAS \(header.notes["blas"] ?? "?"), recomputed with "
                + "\(BLAS.configure().coreName))"
        )
    }
}
