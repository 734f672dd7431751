import Foundation
import HWModel
import LRCore
import LRTrace

/// Rebuilds the trainer's view of a recorded step — configuration, network, batch — so the step can be recomputed:
/// by `trace verify` (float gradient from regenerated noise) and by `replay` (the fixed-point datapath).
public struct RecordedStep {
    public let config: TrainingConfiguration
    public let spec: NetworkSpec
    public let network: Network
    public let input: [Float]
    public let labels: [Int32]
    public let step: Int
    public var batch: Int { labels.count }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func configuration(from header: TraceHeader) throws -> TrainingConfiguration {
        if let arch = header.notes[ArchitectureTraceRecorder.noteKey] {
            throw Failure(description: "a train-arch \(arch) trace (\(header.model.spec)): the fixed-point replay runs mlp/cnn traces only; use `lrsim trace verify` and `lrsim sim --trace` for it")
        }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        do { return try d.decode(TrainingConfiguration.self, from: Data(header.configJSON.utf8)) } catch {
            throw Failure(description: "header config_json is not an lrsim training configuration: \(error)")
        }
    }

    public init(step s: TraceStep, header: TraceHeader) throws {
        let config = try Self.configuration(from: header)
        let (resolved, spec) = try config.resolved()
        self.config = resolved
        self.spec = spec
        let layout = ParameterLayout(spec)
        var params = [Float](repeating: 0, count: layout.count)
        for slot in layout.slots {
            for (name, offset, count) in [("weight", slot.weightOffset, slot.weightCount), ("bias", slot.biasOffset, slot.biasCount)] {
                let tensorName = TraceNames.parameter(slot.layer, name)
                guard let t = s.tensor(tensorName)?.float32, t.count == count else {
                    throw Failure(description: "step \(s.info.step): tensor '\(tensorName)' is missing or does not hold \(count) f32 values")
                }
                params.replaceSubrange(offset..<(offset + count), with: t)
            }
        }
        network = Network(spec: spec, parameters: params)
        guard let y = s.tensor(TraceNames.labels)?.int32 else {
            throw Failure(description: "step \(s.info.step): tensor 'labels' (i32) is missing")
        }
        labels = y
        guard let x = s.tensor(TraceNames.input) else { throw Failure(description: "step \(s.info.step): tensor 'input' is missing") }
        switch (x.dtype, header.dataset.inputTransform) {
        case (.u8, "u8/255"): input = x.bytes.map { Float($0) / 255 }
        case (.f32, "identity"): input = x.float32 ?? []
        default:
            throw Failure(description: "step \(s.info.step): input of type \(x.dtype) with transform '\(header.dataset.inputTransform)' is not supported")
        }
        guard input.count == y.count * spec.inputCount else {
            throw Failure(description: "step \(s.info.step): input holds \(input.count) values, expected \(y.count) x \(spec.inputCount)")
        }
        step = Int(s.info.noiseStep)
    }

    /// The float gradient the trainer computes for this step, and what it observed.
    public func floatGradient() throws -> ([Float], StepRecord) {
        var g = [Float](repeating: 0, count: network.layout.count)
        var record = StepRecord()
        try input.withUnsafeBufferPointer { x in
            try labels.withUnsafeBufferPointer { y in
                try g.withUnsafeMutableBufferPointer { gp in
                    if config.estimator.kind == .bp {
                        record.loss = BackpropEngine(spec: spec).gradient(network: network, input: x.baseAddress!, labels: y.baseAddress!,
                                                                          rows: batch, into: gp.baseAddress!)
                    } else {
                        let est = try LikelihoodRatioEstimator(spec: spec, settings: config.estimator, seed: config.seed,
                                                               maxBatch: config.batch)
                        record = try est.estimate(network: network, input: x.baseAddress!, labels: y.baseAddress!, rows: batch,
                                                  step: step, into: gp.baseAddress!, recordLosses: true)
                    }
                }
            }
        }
        return (g, record)
    }
}

/// `trace verify`'s recomputation: regenerate the noise from the step's key, recompute the float gradient from the
/// recorded weights and batch, and compare it with the recorded `layer{l}.grad.*` bit for bit.
///
/// Bit-identity needs the same BLAS kernels as the recording run (the trace notes the BLAS core); with different
/// kernels the check reports the largest relative difference and passes only if every layer's cosine is > 0.99999.
public struct GradientRecomputation: TraceStepVerifier {
    public init() {}
    public var checkName: String { "gradient recomputed from regenerated noise (float trainer, or the fixed-point datapath for train --hw)" }

    public func check(header: TraceHeader) -> [String] { TraceHeaderCheck.problems(header) }

    public func verify(step s: TraceStep, header: TraceHeader) throws -> TraceStepCheck {
        let r = try RecordedStep(step: s, header: header)
        if let toml = header.notes[TraceRecorder.TraceNotes.hardwareModel] {
            return try verifyDatapath(r, step: s, hardwareTOML: toml)
        }
        let (g, record) = try r.floatGradient()
        var values = 0, differing = 0, nonFinite = 0
        var worst = 0.0, minCosine = 1.0
        for slot in r.network.layout.slots {
            for (name, offset, count) in [("weight", slot.weightOffset, slot.weightCount), ("bias", slot.biasOffset, slot.biasCount)] {
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
            return TraceStepCheck(passed: true, detail: "\(values) gradient values and the per-copy losses are bit-identical")
        }
        let sameKernels = header.notes["blas"] == BLAS.configure().coreName
        if nonFinite > 0 {
            return TraceStepCheck(passed: false, detail: "\(differing) of \(values) gradient values differ, \(nonFinite) of them not finite (NaN or infinite) in the recording or the recomputation")
        }
        let detail = "\(differing) of \(values) gradient values differ (max relative \(String(format: "%.2e", worst)), min layer cosine \(String(format: "%.7f", minCosine))); recorded with BLAS \(header.notes["blas"] ?? "?"), recomputed with \(BLAS.configure().coreName)"
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
            let recorded = (s.tensor(TraceNames.gradient(slot.layer, "weight"))?.float32 ?? [])
                + (s.tensor(TraceNames.gradient(slot.layer, "bias"))?.float32 ?? [])
            guard recorded.count == slot.range.count else {
                return TraceStepCheck(passed: false, detail: "layer \(slot.layer): gradient tensors missing or of the wrong size")
            }
            values += recorded.count
            differing += zip(g[slot.range], recorded).filter { $0.bitPattern != $1.bitPattern }.count
        }
        let detail = differing == 0
            ? "\(values) gradient values bit-identical to the fixed-point datapath on the recorded hardware model"
            : "\(differing) of \(values) gradient values differ from the fixed-point datapath on the recorded hardware model"
        return TraceStepCheck(passed: differing == 0, detail: detail)
    }
}
