import Foundation
import LRCore
import LRIO

/// What a sampled step exposes to observers (the trace recorder, tests): the batch, the estimate, and the record.
public struct SampledStep {
    public let step: Int
    public let epoch: Int
    public let input: UnsafeBufferPointer<Float>
    public let labels: UnsafeBufferPointer<Int32>
    /// Parameters before the update of this step.
    public let parameters: [Float]
    public let gradient: [Float]
    /// Backprop's gradient on the same batch (when requested).
    public let backpropGradient: [Float]?
    public let record: StepRecord
}

/// The training loop of every model (`TrainableModel`: mlp, cnn, rnn, snn, gnn): data order, estimator, optimizer,
/// evaluation, gradient checks, checkpoints and step sampling.
///
/// Every random number is a pure function of (seed, global step, layer, row, element), and the data order of epoch e
/// a pure function of (seed, e); so a run resumed from a checkpoint after epoch e ends with the same weights, bit for
/// bit, as an uninterrupted run.
public final class Trainer {
    public let config: TrainingConfiguration
    /// The layers of the model (of one time step or node for rnn, snn and gnn).
    public let spec: NetworkSpec
    /// What is trained.
    public let model: any TrainableModel
    public private(set) var optimizer: Optimizer
    public private(set) var completedEpochs = 0
    public let train: Dataset
    public let test: Dataset
    public var report: TrainingReport

    let batcher: Batcher
    var batch: Batch
    var gradient: [Float], checkGradient: [Float]

    /// Called for steps 0, every `traceEvery`-th and the last (when set).
    public var sampledStepObserver: ((SampledStep) throws -> Void)?
    /// Called after every epoch with its summary.
    public var epochObserver: ((TrainingReport.Epoch) -> Void)?
    public var showProgress = true

    /// The hardware datapath the run trains on (`train --hw`); nil for float training.
    public let datapath: TrainingDatapath?

    /// `datapath`: train on this hardware datapath's fixed-point formats (the estimator runs on it; reports,
    /// checkpoints and traces record it). nil: float training.
    public init(config: TrainingConfiguration, train: Dataset, test: Dataset, datapath: TrainingDatapath? = nil) throws
    {
        var (c, spec) = try config.resolved()
        c.datapath = datapath?.identity
        self.datapath = datapath
        try TrainingMemory(spec: spec, config: c).check(model: c.model, batch: c.batch)
        self.config = c
        self.spec = spec
        self.train = train
        self.test = test
        model = try TrainableModels.make(c, train: train, datapath: datapath)
        let count = model.parameters.count
        optimizer = Optimizer(
            kind: c.optimizer, learningRate: c.learningRate, momentum: c.momentum, parameterCount: count)
        optimizer.weightDecay = c.weightDecay ?? 0
        batcher = try Batcher(sampleCount: train.count, batchSize: c.batch, seed: c.seed)
        batch = Batch(capacity: c.batch, features: train.featureCount)
        gradient = [Float](repeating: 0, count: count)
        checkGradient = gradient
        report = TrainingReport(config: c, model: spec)
        report.dataset = [
            "name": train.name, "train_samples": "\(train.count)", "test_samples": "\(test.count)",
            "digest": train.digestHex,
        ]
    }

    public var stepsPerEpoch: Int { batcher.batchesPerEpoch }

    /// The network of an mlp or cnn model (its parameters are `model.parameters`).
    public var network: Network {
        guard let m = model as? FeedForwardModel else {
            preconditionFailure("\(config.model) is not a feed-forward network")
        }
        return m.network
    }

    /// Restores parameters, optimizer state and the epoch counter from a checkpoint written with the same settings
    /// (`resumeDifferences`); a checkpoint of other settings is refused, naming each difference.
    public func restore(_ checkpoint: Checkpoint) throws {
        guard checkpoint.config.model == config.model, checkpoint.config.activation == config.activation,
            checkpoint.parameters.count == model.parameters.count
        else {
            throw TrainingError.checkpoint(
                path: checkpoint.path,
                "was written for model \(checkpoint.config.model) (\(checkpoint.config.activation.rawValue)), not \(config.model) (\(config.activation.rawValue))"
            )
        }
        let differences = Self.resumeDifferences(checkpoint: checkpoint.config, run: config)
        guard differences.isEmpty else {
            throw TrainingError.checkpoint(
                path: checkpoint.path,
                "was written with other settings: \(differences.joined(separator: ", ")); resume with the settings of the run that wrote it"
            )
        }
        guard checkpoint.optimizerFirst.count == optimizer.first.count,
            checkpoint.optimizerSecond.count == optimizer.second.count
        else {
            throw TrainingError.checkpoint(
                path: checkpoint.path,
                "holds \(checkpoint.config.optimizer.rawValue) optimizer state, which \(config.optimizer.rawValue) cannot continue from"
            )
        }
        model.parameters = checkpoint.parameters
        optimizer.restore(
            steps: checkpoint.optimizerSteps, first: checkpoint.optimizerFirst, second: checkpoint.optimizerSecond)
        completedEpochs = checkpoint.epoch
        report.epochs = checkpoint.epochs
    }

    /// The settings that decide the weights and differ between a checkpoint's run and this one, as `key value (now
    /// value)`. The epoch count (a resume trains on), outputs, evaluation samples, the data directory and gradient
    /// checks may differ.
    public static func resumeDifferences(checkpoint a: TrainingConfiguration, run b: TrainingConfiguration) -> [String]
    {
        func settings(_ c: TrainingConfiguration) -> [String: String] {
            var c = c
            c.epochs = 0; c.testLimit = nil; c.dataDir = nil; c.gradCheckEvery = 0
            c.trace = nil; c.traceEvery = 1; c.traceBackprop = false; c.checkpoint = nil
            guard let text = try? JSONReport.canonical(c),
                let json = try? JSONSerialization.jsonObject(with: Data(text.utf8))
            else { return [:] }
            var flat: [String: String] = [:]
            func walk(_ v: Any, _ key: String) {
                if let d = v as? [String: Any] {
                    for (k, x) in d { walk(x, key.isEmpty ? k : key + "." + k) }
                } else if let list = v as? [Any] {
                    flat[key] = list.map { "\($0)" }.joined(separator: ",")
                } else {
                    flat[key] = "\(v)"
                }
            }
            walk(json, "")
            return flat
        }
        let old = settings(a), new = settings(b)
        return Set(old.keys).union(new.keys).sorted().compactMap { k in
            old[k] == new[k] ? nil : "\(k) \(old[k] ?? "unset") (now \(new[k] ?? "unset"))"
        }
    }

    public func checkpoint() -> Checkpoint {
        Checkpoint(
            path: config.checkpoint ?? "", config: config, epoch: completedEpochs, parameters: model.parameters,
            optimizerSteps: optimizer.steps, optimizerFirst: optimizer.first, optimizerSecond: optimizer.second,
            epochs: report.epochs)
    }

    /// Trains the remaining epochs and returns the report.
    @discardableResult
    public func run() throws -> TrainingReport {
        let started = Date()
        var samples = 0, seconds = 0.0
        while completedEpochs < config.epochs {
            let epochStart = Date(), cpuStart = Self.processCPUSeconds()
            let loss = try trainEpoch(completedEpochs)
            let elapsed = Date().timeIntervalSince(epochStart), cpu = Self.processCPUSeconds() - cpuStart
            let (floatAcc, testLoss) = evaluate()
            let hardwareAcc = try datapathAccuracy()
            var e = TrainingReport.Epoch(
                epoch: completedEpochs + 1, testAccuracy: hardwareAcc ?? floatAcc, testLoss: testLoss,
                trainLoss: loss, seconds: elapsed, samplesPerSecond: Double(train.count) / elapsed,
                cpuSeconds: cpu)
            if hardwareAcc != nil { e.floatForwardAccuracy = floatAcc }
            report.epochs.append(e)
            samples += train.count; seconds += elapsed
            completedEpochs += 1
            epochObserver?(e)
            if let path = config.checkpoint { try checkpoint().write(to: path) }
        }
        if let last = report.epochs.last {
            report.final = .init(testAccuracy: last.testAccuracy, trainLoss: last.trainLoss, testLoss: last.testLoss)
        }
        if seconds > 0 {
            let sps = Double(samples) / seconds
            report.throughput = .init(
                samplesPerSecond: sps, stepsPerSecond: sps / Double(config.batch),
                gflopsPerSecond: model.flopsPerSample * sps / 1e9)
        }
        if !report.gradientChecks.isEmpty {
            let n = Double(report.gradientChecks.count)
            report.gradientGroups = model.checkGroups.map(\.name)
            report.gradientCosineVsBp = model.checkGroups.indices.map { l in
                report.gradientChecks.reduce(0) { $0 + $1.cosine[l] } / n
            }
        }
        report.wallSeconds = Date().timeIntervalSince(started)
        return report
    }

    /// With `--hw`: the test accuracy of the fixed-point datapath's forward on the weights the hardware holds.
    public func datapathAccuracy() throws -> Double? {
        try model.datapathAccuracy(test, step: (completedEpochs &+ 1) &* stepsPerEpoch)
    }

    public func evaluate() -> (accuracy: Double, loss: Double) { model.evaluate(test) }

    /// One pass over the training set; returns the mean training loss (clean loss of each batch, before its update).
    public func trainEpoch(_ epoch: Int) throws -> Double {
        let order = batcher.order(epoch: epoch)
        let F = train.featureCount
        let steps = stepsPerEpoch
        let lastGlobalStep = config.epochs * steps - 1
        let progress = ProgressBar(
            total: steps, label: "epoch \(epoch + 1)/\(config.epochs)",
            enabled: showProgress && ProgressBar.stderrIsTerminal)
        var lossSum = 0.0
        for i in 0..<steps {
            let step = epoch * steps + i
            batch.gather(from: train, order: order, batcher: batcher, batch: i)
            let n = batch.count
            try batch.images.withUnsafeBufferPointer { xb in
                try batch.labels.withUnsafeBufferPointer { yb in
                    let x = xb.baseAddress!, y = yb.baseAddress!
                    let sampled =
                        sampledStepObserver != nil
                        && (step == 0 || step % config.traceEvery == 0 || step == lastGlobalStep)
                    let checking = config.gradCheckEvery > 0 && step % config.gradCheckEvery == 0
                    let (loss, record) = try estimate(step: step, input: x, labels: y, rows: n, recordLosses: sampled)
                    guard loss.isFinite else { throw TrainingError.diverged(step: step, loss: loss) }
                    lossSum += loss
                    var bpGradient: [Float]? = nil
                    if checking || (sampled && config.traceBackprop) {
                        bpGradient = backpropGradient(input: x, labels: y, rows: n, step: step)
                    }
                    if checking, let g = bpGradient {
                        let groups = model.checkGroups
                        report.gradientChecks.append(
                            .init(
                                step: step,
                                cosine: groups.map { VectorMath.cosine(Array(gradient[$0.range]), Array(g[$0.range])) },
                                normRatio: groups.map {
                                    VectorMath.norm(Array(gradient[$0.range]))
                                        / max(1e-30, VectorMath.norm(Array(g[$0.range])))
                                }))
                    }
                    if sampled, let observer = sampledStepObserver {
                        try observer(
                            SampledStep(
                                step: step, epoch: epoch, input: UnsafeBufferPointer(start: x, count: n * F),
                                labels: UnsafeBufferPointer(start: y, count: n), parameters: model.parameters,
                                gradient: gradient, backpropGradient: bpGradient, record: record))
                    }
                    gradient.withUnsafeBufferPointer {
                        optimizer.apply(gradient: $0.baseAddress!, to: &model.parameters)
                    }
                    model.afterUpdate()
                }
            }
            progress.update(i + 1, detail: String(format: "loss %.4f", lossSum / Double(i + 1)))
        }
        progress.finish()
        return lossSum / Double(steps)
    }

    /// Fills `gradient` with the configured estimator's estimate for one batch.
    func estimate(
        step: Int, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
        recordLosses: Bool
    ) throws -> (Double, StepRecord) {
        let model = self.model
        return try gradient.withUnsafeMutableBufferPointer { g -> (Double, StepRecord) in
            if !model.writesEveryParameter { g.update(repeating: 0) }
            let r = try model.estimate(
                input: input, labels: labels, rows: rows, step: step, into: g.baseAddress!,
                recordLosses: recordLosses)
            return (r.loss, r)
        }
    }

    func backpropGradient(input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int) -> [Float] {
        let model = self.model
        checkGradient.withUnsafeMutableBufferPointer { g in
            g.update(repeating: 0)
            model.referenceGradient(input: input, labels: labels, rows: rows, step: step, into: g.baseAddress!)
        }
        return checkGradient
    }
}

extension Trainer {
    /// CPU time consumed by this process so far (all threads).
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

extension ProgressBar {
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
