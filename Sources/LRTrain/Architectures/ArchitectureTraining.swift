import Foundation
import LRCore

/// The JSON report of `lrsim train-arch` (snake_case keys: `final.test_accuracy`, `epochs[].seconds`, ...).
public struct ArchitectureReport: Codable, Sendable {
    public struct Epoch: Codable, Sendable {
        public var epoch: Int
        public var testAccuracy: Double
        public var testLoss: Double
        public var trainLoss: Double
        public var seconds: Double
        public var samplesPerSecond: Double
    }
    public typealias Final = TrainingReport.Final
    public var command = "train-arch"
    public var arch: String
    public var estimator: String
    /// Every resolved option, as text.
    public var config: [String: String]
    public var dataset: [String: String]
    public var parameters: Int
    public struct GradientCheck: Codable, Sendable {
        public var step: Int
        /// Cosine of the LR estimate to the backprop baseline's gradient on the same batch, per parameter tensor.
        public var cosine: [String: Double]
    }
    public var epochs: [Epoch] = []
    /// Mean of `gradientChecks` per tensor (absent when no check ran). For the SNN the reference is the surrogate
    /// gradient, which is not the true gradient of the hard-threshold network.
    public var gradientCosineVsBp: [String: Double]?
    public var gradientChecks: [GradientCheck] = []
    public var final = Final(testAccuracy: 0, trainLoss: 0, testLoss: 0)
    public var samplesPerSecond: Double = 0
    public var wallSeconds: Double = 0
    public var threads: Int = Parallel.threads
    public var blas: String = BLAS.configure().coreName

    public mutating func recordGradientCheck(step: Int, cosine: [String: Double]) {
        gradientChecks.append(GradientCheck(step: step, cosine: cosine))
        var mean: [String: Double] = [:]
        for (k, _) in cosine { mean[k] = gradientChecks.reduce(0) { $0 + ($1.cosine[k] ?? 0) } / Double(gradientChecks.count) }
        gradientCosineVsBp = mean
    }

    public init(arch: String, estimator: String, config: [String: String], dataset: [String: String], parameters: Int) {
        self.arch = arch; self.estimator = estimator; self.config = config; self.dataset = dataset
        self.parameters = parameters
    }
}

/// Mini-batch training of a `BatchClassifier` on a `Dataset` with Adam, shuffled by `Batcher` (deterministic).
public enum ArchitectureTrainer {
    /// Accuracy and mean loss of the clean model on `data`, in batches of `batch`.
    public static func evaluate(_ model: BatchClassifier, on data: Dataset, batch: Int = 256) -> (accuracy: Double, loss: Double) {
        let f = model.inputFeatures, C = model.classes
        var logits = [Float](repeating: 0, count: batch * C)
        var losses = [Float](repeating: 0, count: batch)
        var correct = 0, total = 0.0
        data.images.withUnsafeBufferPointer { img in data.labels.withUnsafeBufferPointer { lab in
            logits.withUnsafeMutableBufferPointer { lg in losses.withUnsafeMutableBufferPointer { ls in
                var start = 0
                while start < data.count {
                    let n = min(batch, data.count - start)
                    model.logits(x: img.baseAddress! + start * f, rows: n, firstIndex: start, into: lg.baseAddress!)
                    SoftmaxCrossEntropy.losses(logits: lg.baseAddress!, rows: n, classes: C, labels: lab.baseAddress! + start,
                                               copiesPerLabel: 1, out: ls.baseAddress!)
                    for r in 0..<n {
                        total += Double(ls[r])
                        if SoftmaxCrossEntropy.argmax(logits: lg.baseAddress!, row: r, classes: C) == Int(lab[start + r]) { correct += 1 }
                    }
                    start += n
                }
            } }
        } }
        return (Double(correct) / Double(max(1, data.count)), total / Double(max(1, data.count)))
    }

    /// Trains for `epochs`, evaluating on `test` after each; `progress` receives one line per epoch.
    public static func train(_ model: BatchClassifier, estimator: EstimatorKind, train: Dataset, test: Dataset,
                             epochs: Int, batch: Int, learningRate: Float, seed: UInt64, gradCheckEvery: Int = 0,
                             trace: ArchitectureTraceRecorder? = nil,
                             report: inout ArchitectureReport, progress: (String) -> Void) throws {
        guard train.featureCount == model.inputFeatures, test.featureCount == model.inputFeatures else {
            throw ArchitectureError("data has \(train.featureCount) features per sample, the model reads \(model.inputFeatures)")
        }
        guard train.classes <= model.classes else {
            throw ArchitectureError("data has \(train.classes) classes, the model outputs \(model.classes)")
        }
        guard epochs >= 1, epochs <= 100_000 else { throw ArchitectureError("--epochs: expected 1...100000, got \(epochs)") }
        guard learningRate.isFinite, learningRate > 0 else { throw ArchitectureError("--lr: expected a positive number, got \(learningRate)") }
        let batcher: Batcher
        do { batcher = try Batcher(sampleCount: train.count, batchSize: batch, seed: seed) } catch {
            throw ArchitectureError("--batch: \(error)")
        }
        var optimizer = Optimizer(kind: .adam, learningRate: learningRate, parameterCount: model.parameters.count)
        var gradient = [Float](repeating: 0, count: model.parameters.count)
        var exact = gradCheckEvery > 0 && estimator == .lr ? gradient : []
        var order = [Int32](repeating: 0, count: train.count)
        var data = Batch(capacity: batch, features: model.inputFeatures)
        let start = Date()
        var step = 0
        let totalSteps = epochs * batcher.batchesPerEpoch
        model.capturesLosses = trace != nil
        defer { model.capturesLosses = false }
        for epoch in 0..<epochs {
            let t0 = Date()
            order.withUnsafeMutableBufferPointer { batcher.order(epoch: epoch, into: $0) }
            var lossSum = 0.0
            for b in 0..<batcher.batchesPerEpoch {
                let r = batcher.range(ofBatch: b)
                order.withUnsafeBufferPointer { data.gather(from: train, indices: UnsafeBufferPointer(rebasing: $0[r])) }
                let loss = data.images.withUnsafeBufferPointer { x in data.labels.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        model.gradient(estimator, x: x.baseAddress!, labels: y.baseAddress!, rows: r.count, step: step,
                                       into: g.baseAddress!)
                    }
                } }
                guard loss.isFinite else { throw ArchitectureError("training diverged at step \(step) (loss \(loss)); lower --lr or --sigma") }
                if let trace, trace.samples(step: step, total: totalSteps) {
                    // Parameters before the update, the batch, the estimate and what it observed.
                    let captured = model.capturedLosses
                    try data.images.withUnsafeBufferPointer { x in try data.labels.withUnsafeBufferPointer { y in
                        try trace.record(step: step, epoch: epoch, parameters: model.parameters, input: x.baseAddress!,
                                         labels: y.baseAddress!, rows: r.count, gradient: gradient, loss: loss, losses: captured)
                    } }
                }
                lossSum += Double(loss) * Double(r.count)
                if !exact.isEmpty && step % gradCheckEvery == 0 {
                    // The baseline's gradient on the same batch (and, for the SNN, the same input spikes).
                    data.images.withUnsafeBufferPointer { x in data.labels.withUnsafeBufferPointer { y in
                        exact.withUnsafeMutableBufferPointer { g in
                            _ = model.gradient(.bp, x: x.baseAddress!, labels: y.baseAddress!, rows: r.count, step: step,
                                               into: g.baseAddress!)
                        }
                    } }
                    report.recordGradientCheck(step: step, cosine: groupCosines(gradient, exact, groups: model.parameterGroups))
                }
                gradient.withUnsafeBufferPointer { optimizer.apply(gradient: $0.baseAddress!, to: &model.parameters) }
                step += 1
            }
            let seconds = Date().timeIntervalSince(t0)
            let (acc, testLoss) = evaluate(model, on: test)
            let e = ArchitectureReport.Epoch(epoch: epoch + 1, testAccuracy: acc, testLoss: testLoss,
                                             trainLoss: lossSum / Double(train.count), seconds: seconds,
                                             samplesPerSecond: Double(train.count) / max(seconds, 1e-9))
            report.epochs.append(e)
            progress(String(format: "epoch %d: test accuracy %.4f, train loss %.4f, test loss %.4f, %.2f s (%.0f samples/s)",
                            e.epoch, acc, e.trainLoss, testLoss, seconds, e.samplesPerSecond))
        }
        try trace?.finish()
        report.wallSeconds = Date().timeIntervalSince(start)
        if let last = report.epochs.last {
            report.final = .init(testAccuracy: last.testAccuracy, trainLoss: last.trainLoss, testLoss: last.testLoss)
        }
        let trainSeconds = report.epochs.reduce(0) { $0 + $1.seconds }
        report.samplesPerSecond = Double(train.count * epochs) / max(trainSeconds, 1e-9)
    }
}
