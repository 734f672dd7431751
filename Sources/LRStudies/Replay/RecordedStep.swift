import Foundation
import LRCore
import LRIO
import LRTrace
import LRTrain

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

    /// The training configuration in the header (`config_json`).
    public static func configuration(from header: TraceHeader) throws -> TrainingConfiguration {
        do { return try JSONReport.decode(TrainingConfiguration.self, from: Data(header.configJSON.utf8)) } catch {
            throw Failure(description: "header config_json is not an lrsim training configuration: \(error)")
        }
    }

    /// A step of an mlp or cnn trace (the networks the fixed-point datapath replays).
    public init(step s: TraceStep, header: TraceHeader) throws {
        let config = try Self.configuration(from: header)
        guard case .feedforward = try config.modelSpec() else {
            throw Failure(
                description:
                    "a \(header.model.spec) trace: its steps are read by RecordedArchitectureStep (RecordedStep reads mlp and cnn steps)"
            )
        }
        let (resolved, spec) = try config.resolved()
        self.config = resolved
        self.spec = spec
        let layout = ParameterLayout(spec)
        var params = [Float](repeating: 0, count: layout.count)
        for slot in layout.slots {
            for (name, offset, count) in [
                ("weight", slot.weightOffset, slot.weightCount), ("bias", slot.biasOffset, slot.biasCount),
            ] {
                let tensorName = TraceNames.parameter(slot.layer, name)
                guard let t = s.tensor(tensorName)?.float32, t.count == count else {
                    throw Failure(
                        description:
                            "step \(s.info.step): tensor '\(tensorName)' is missing or does not hold \(count) f32 values"
                    )
                }
                params.replaceSubrange(offset..<(offset + count), with: t)
            }
        }
        network = Network(spec: spec, parameters: params)
        guard let y = s.tensor(TraceNames.labels)?.int32 else {
            throw Failure(description: "step \(s.info.step): tensor 'labels' (i32) is missing")
        }
        labels = y
        guard let x = s.tensor(TraceNames.input) else {
            throw Failure(description: "step \(s.info.step): tensor 'input' is missing")
        }
        switch (x.dtype, header.dataset.inputTransform) {
        case (.u8, "u8/255"): input = x.bytes.map { Float($0) / 255 }
        case (.f32, "identity"): input = x.float32 ?? []
        default:
            throw Failure(
                description:
                    "step \(s.info.step): input of type \(x.dtype) with transform '\(header.dataset.inputTransform)' is not supported"
            )
        }
        guard input.count == y.count * spec.inputCount else {
            throw Failure(
                description:
                    "step \(s.info.step): input holds \(input.count) values, expected \(y.count) x \(spec.inputCount)")
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
                    // The trainer's own estimator for this configuration (backprop, BP+, LR layer-wise or all-layers).
                    let est = try EstimatorFactory.make(config, spec: spec)
                    record = try est.estimate(
                        network: network, input: x.baseAddress!, labels: y.baseAddress!, rows: batch,
                        step: step, into: gp.baseAddress!, recordLosses: true)
                }
            }
        }
        return (g, record)
    }
}
