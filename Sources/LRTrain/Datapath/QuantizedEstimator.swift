import FixedPoint
import LRCore

/// `train --hw`: the LR / ALR estimator running on a hardware model's fixed-point datapath (`FixedPointDatapath`, the
/// same code `lrsim replay` runs).
///
/// Where the update happens:
/// - optimizer `sgd` with momentum 0: on the hardware. `estimate` computes the fixed-point update
///   (`FixedPointSGD`) and `afterUpdate` replaces the host optimizer's result with the new fixed-point weights, so the
///   weights live in the weights format and `replay` of a recorded step reproduces the update bit for bit;
/// - any other optimizer (Adam, momentum): on the host. The hardware computes the gradient in fixed point; the host
///   keeps float master weights and applies its optimizer to the dequantized, scaled gradient; every step the weights
///   are re-quantized into the weights format before the forward passes (`afterUpdate` leaves them alone).
public final class QuantizedEstimator: GradientEstimator {
    public let datapath: FixedPointDatapath
    /// The hardware datapath it was built from.
    public let hardware: TrainingDatapath
    let sgd: FixedPointSGD?
    /// Hardware-held weights (fixed-point update): the raw values and the floats last handed to the trainer.
    var raw: [Int64]?
    var published: [Float]?
    var pending: [Int64]?
    /// The last step's datapath result (tests and reports).
    public private(set) var lastResult: DatapathStepResult?

    public init(config: TrainingConfiguration, spec: NetworkSpec, datapath hardware: TrainingDatapath) throws {
        self.hardware = hardware
        do {
            datapath = try FixedPointDatapath(config: config, spec: spec, formats: hardware.formats)
        } catch let e as DatapathError {
            throw SettingError("hw", "\(hardware.name): \(e.description)")
        }
        sgd = config.optimizer == .sgd && config.momentum == 0 ? FixedPointSGD(learningRate: config.learningRate) : nil
        if sgd != nil, let wd = config.weightDecay, wd != 0 {
            throw SettingError(
                "weight-decay",
                "\(hardware.name): the fixed-point SGD update (sgd, momentum 0, on the hardware) has no weight decay")
        }
        Self.keepLargeBlocks()
    }

    /// A datapath step allocates a few arrays of 1-8 MB (noisy rows, signs, packed operands). glibc maps blocks above
    /// its mmap threshold afresh and trims freed heap tops, so every step page-faulted those megabytes in again (10%
    /// of a `train --hw` profile, kernel `clear_page`). Raising both thresholds keeps the blocks in the heap.
    static func keepLargeBlocks() {
        MemoryTuning.keepLargeBlocks(mmapThreshold: 32 << 20, trimThreshold: 512 << 20)
    }

    /// Whether the weight update runs in fixed point on the hardware (else on the host, in float).
    public var updatesOnHardware: Bool { sgd != nil }

    /// The raw weights the datapath uses for `parameters` at `step`.
    public func weights(for parameters: [Float], step: Int) throws -> [Int64] {
        if let raw, let published, published == parameters { return raw }
        return try datapath.quantizeParameters(parameters, step: step)
    }

    public func estimate(
        network: Network, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord {
        let w = try weights(for: network.parameters, step: step)
        let x = Array(UnsafeBufferPointer(start: input, count: rows * datapath.spec.inputCount))
        let y = Array(UnsafeBufferPointer(start: labels, count: rows))
        let r: DatapathStepResult
        do { r = try datapath.run(weights: w, input: x, labels: y, step: step) } catch let e as DatapathError {
            throw SettingError("hw", "\(hardware.name): step \(step): \(e.description)")
        }
        datapath.addFloatGradient(r, to: gradient)
        if let sgd {
            raw = w
            pending = try sgd.apply(weights: w, result: r, datapath: datapath, step: step)
        }
        lastResult = r
        var record = StepRecord()
        record.loss = r.meanCleanLoss
        if recordLosses {
            let lf = datapath.formats.loss.format
            let value = { (v: Int64) in Float(FixedArithmetic.toDouble(lf.raw(fromBits: v), format: lf)) }
            record.cleanLosses = r.cleanLosses.map(value)
            for l in r.layers {
                // Trace layout [K, B] from the datapath's row b*K + k.
                var L = [Float](repeating: 0, count: l.copyLosses.count)
                for b in 0..<rows { for k in 0..<l.copies { L[k * rows + b] = value(l.copyLosses[b * l.copies + k]) } }
                record.copyLosses[l.layer] = L
            }
        }
        return record
    }

    public func afterUpdate(parameters: inout [Float]) {
        guard let next = pending else { return }
        pending = nil
        raw = next
        parameters = datapath.dequantizeParameters(next)
        published = parameters
    }
}
