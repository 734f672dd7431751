import LRCore
import LRTrace

/// An rnn or snn model (`ElmanRNN`, `SpikingNetwork`) as `Trainer` trains it: the estimator is lr (noise on the
/// pre-activations / membrane currents at every time step, no backward pass) or bp (BPTT, surrogate-gradient BPTT for
/// the snn); gradient checks compare lr with that baseline per tensor.
public final class SequenceModelTrainer: TrainableModel {
    public let model: BatchClassifier
    public let sequence: SequenceModel
    public let kind: EstimatorKind
    let layout: SequenceTensorLayout

    public init(_ sequence: SequenceModel, settings: EstimatorSettings, seed: UInt64) throws {
        try settings.kind.checkArchitectureSupport(sequence.kind.rawValue)
        let lr = try ArchitectureLRSettings(settings, for: sequence.kind.rawValue)
        self.sequence = sequence
        kind = settings.kind
        layout = SequenceTensorLayout(sequence)
        switch sequence.kind {
        case .rnn:
            model = try ElmanRNN(
                inputSize: sequence.inputs, steps: sequence.steps, hidden: sequence.hidden,
                classes: sequence.classes, seed: seed, lr: lr)
        case .snn:
            model = try SpikingNetwork(
                inputs: sequence.inputs, hidden: sequence.hidden, classes: sequence.classes,
                steps: sequence.steps, seed: seed, lr: lr)
        }
    }

    public var parameters: [Float] {
        get { model.parameters }
        _modify { yield &model.parameters }
    }

    public var tensors: [ModelTensor] { layout.tensors }
    public var checkGroups: [ParameterGroup] { model.parameterGroups }
    public var spec: NetworkSpec { sequence.network }
    /// The models zero the gradient themselves.
    public var writesEveryParameter: Bool { true }

    public func estimate(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord {
        model.capturesLosses = recordLosses
        defer { model.capturesLosses = false }
        var record = StepRecord()
        record.loss = Double(model.gradient(kind, x: input, labels: labels, rows: rows, step: step, into: gradient))
        if recordLosses {
            let captured = model.capturedLosses
            record.cleanLosses = captured.clean
            // Noise layers 0 (the cell) and 1 (the head) are trace layers 0 and 1.
            for (layer, losses) in captured.copies.enumerated() { record.copyLosses[layer] = losses }
        }
        return record
    }

    public func referenceGradient(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        // The same batch and, for the snn, the same input spikes (keyed by the step).
        _ = model.gradient(.bp, x: input, labels: labels, rows: rows, step: step, into: gradient)
    }

    /// Accuracy and mean loss in batches of 256 (the snn numbers rows from 0 for its input spikes).
    public func evaluate(_ data: Dataset) -> (accuracy: Double, loss: Double) {
        let f = model.inputFeatures, C = model.classes, batch = 256
        var logits = [Float](repeating: 0, count: batch * C)
        var losses = [Float](repeating: 0, count: batch)
        var correct = 0, total = 0.0
        data.images.withUnsafeBufferPointer { img in
            data.labels.withUnsafeBufferPointer { lab in
                logits.withUnsafeMutableBufferPointer { lg in
                    losses.withUnsafeMutableBufferPointer { ls in
                        var start = 0
                        while start < data.count {
                            let n = min(batch, data.count - start)
                            model.logits(
                                x: img.baseAddress! + start * f, rows: n, firstIndex: start, into: lg.baseAddress!)
                            SoftmaxCrossEntropy.losses(
                                logits: lg.baseAddress!, rows: n, classes: C, labels: lab.baseAddress! + start,
                                copiesPerLabel: 1, out: ls.baseAddress!)
                            for r in 0..<n {
                                total += Double(ls[r])
                                if SoftmaxCrossEntropy.argmax(logits: lg.baseAddress!, row: r, classes: C)
                                    == Int(lab[start + r])
                                {
                                    correct += 1
                                }
                            }
                            start += n
                        }
                    }
                }
            }
        }
        return (Double(correct) / Double(max(1, data.count)), total / Double(max(1, data.count)))
    }

    public var traceLayout: TraceModelLayout {
        TraceModelLayout(
            layers: layout.layers, inputShape: layout.inputShape,
            activation: sequence.kind == .rnn ? "tanh" : "step",
            perturbedLayers: kind == .bp ? [] : [0, 1], perturbedPositions: kind == .bp ? [] : [0, 1],
            noiseKeyLayout: 2,
            notes: [
                Self.noiseKeyNote:
                    "layout 2: NoiseKey layer field = noise layer << 12 | time step; rows b*(K/2)+k/2, odd copies "
                    + "negated"
            ])
    }

    /// The header note that describes noise-key layout 2.
    public static let noiseKeyNote = "noise_key"
}
