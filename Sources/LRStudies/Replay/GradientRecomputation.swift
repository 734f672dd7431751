import Foundation
import HWModel
import LRCore
import LRTrace
import LRTrain

/// `trace verify`'s recomputation: regenerate the noise from the step's key, recompute the float gradient from the
/// recorded weights and batch, and compare it with the recorded `layer{l}.grad.*` bit for bit.
///
/// Bit-identity needs the same BLAS kernels as the recording run (the trace notes the BLAS core); with different
/// kernels the check reports the largest relative difference and passes only if every layer's cosine is > 0.99999.
public struct GradientRecomputation: TraceStepVerifier {
    public init() {}
    public var checkName: String {
        "gradient recomputed from regenerated noise (float trainer, the fixed-point datapath for train --hw, or the rnn/snn/gnn estimator)"
    }

    public func check(header: TraceHeader) -> [String] { TraceHeaderCheck.problems(header) }

    public func verify(step s: TraceStep, header: TraceHeader) throws -> TraceStepCheck {
        let config = try RecordedStep.configuration(from: header)
        switch try config.modelSpec() {
        case .sequence(let sequence):
            let (resolved, _) = try config.resolved()
            return try SequenceRecomputation(config: resolved, sequence: sequence).verify(step: s, header: header)
        case .graph:
            let (resolved, _) = try config.resolved()
            guard let model = try RecordedArchitectureStep.Model(config: resolved) else { break }
            return try GraphRecomputation(config: resolved, model: model).verify(step: s, header: header)
        case .feedforward: break
        }
        let r = try RecordedStep(step: s, header: header)
        if let toml = header.notes[TraceRecorder.TraceNotes.hardwareModel] {
            return try verifyDatapath(r, step: s, hardwareTOML: toml)
        }
        let (g, record) = try r.floatGradient()
        var values = 0, differing = 0, nonFinite = 0
        var worst = 0.0, minCosine = 1.0
        for slot in r.network.layout.slots {
            for (name, offset, count) in [
                ("weight", slot.weightOffset, slot.weightCount), ("bias", slot.biasOffset, slot.biasCount),
            ] {
                let tn = TraceNames.gradient(slot.layer, name)
                guard let recorded = s.tensor(tn)?.float32, recorded.count == count else {
                    return TraceStepCheck(passed: false, detail: "tensor '\(tn)' missing or of the wrong size")
                }
                let mine = Array(g[offset..<(offset + count)])
                values += count
                for i in 0..<count where mine[i].bitPattern != recorded[i].bitPattern {
                    differing += 1
                    // Statistics over finite pairs only: a NaN would vanish in max/min and read as agreement.
                    guard mine[i].isFinite, recorded[i].isFinite else { nonFinite += 1; continue }
                    let scale = max(abs(Double(recorded[i])), 1e-30)
                    worst = max(worst, abs(Double(mine[i]) - Double(recorded[i])) / scale)
                }
                if mine.allSatisfy(\.isFinite), recorded.allSatisfy(\.isFinite) {
                    minCosine = min(minCosine, VectorMath.cosine(mine, recorded))
                }
            }
        }
        var lossesDiffer = 0
        for (layer, losses) in record.copyLosses {
            if let rec = s.tensor(TraceNames.losses(layer))?.float32 {
                lossesDiffer += zip(rec, losses).filter { $0.bitPattern != $1.bitPattern }.count
            }
        }
        if differing == 0 && lossesDiffer == 0 {
            return TraceStepCheck(
                passed: true, detail: "\(values) gradient values and the per-copy losses are bit-identical")
        }
        let sameKernels = header.notes["blas"] == BLAS.configure().coreName
        if nonFinite > 0 {
            return TraceStepCheck(
                passed: false,
                detail: "\(differing) of \(values) gradient values differ, \(nonFinite) of them not finite (NaN or "
                    + "infinite) in the recording or the recomputation")
        }
        let detail =
            "\(differing) of \(values) gradient values differ (max relative \(String(format: "%.2e", worst)), min layer cosine \(String(format: "%.7f", minCosine))); recorded with BLAS \(header.notes["blas"] ?? "?"), recomputed with \(BLAS.configure().coreName)"
        return TraceStepCheck(passed: !sameKernels && minCosine > 0.99999, detail: detail)
    }

    /// A `train --hw` step: the recorded gradient is the fixed-point datapath's, recomputed by replaying the step on
    /// the hardware model stored in the header. Integer arithmetic, so it must match bit for bit on any machine.
    func verifyDatapath(_ r: RecordedStep, step s: TraceStep, hardwareTOML: String) throws -> TraceStepCheck {
        let hardware: HardwareModel
        do { hardware = try HardwareModel.parse(text: hardwareTOML, file: "trace header notes.hw_model") } catch {
            return TraceStepCheck(passed: false, detail: "\(error)")
        }
        let datapath = try FixedPointDatapath(config: r.config, spec: r.spec, hardware: hardware)
        let g = try datapath.replay(r, exact: false).gradient
        var values = 0, differing = 0
        for slot in r.network.layout.slots {
            let recorded =
                (s.tensor(TraceNames.gradient(slot.layer, "weight"))?.float32 ?? [])
                + (s.tensor(TraceNames.gradient(slot.layer, "bias"))?.float32 ?? [])
            guard recorded.count == slot.range.count else {
                return TraceStepCheck(
                    passed: false, detail: "layer \(slot.layer): gradient tensors missing or of the wrong size")
            }
            values += recorded.count
            differing += zip(g[slot.range], recorded).filter { $0.bitPattern != $1.bitPattern }.count
        }
        let detail =
            differing == 0
            ? "\(values) gradient values bit-identical to the fixed-point datapath on the recorded hardware model"
            : "\(differing) of \(values) gradient values differ from the fixed-point datapath on the recorded hardware model"
        return TraceStepCheck(passed: differing == 0, detail: detail)
    }
}
