import Foundation
import HWModel
import LRCore
import LRStudies
import LRTrace

@testable import LRTrain

/// Paths and trace builders for the datapath tests.
enum DatapathFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Shipped traces replayed by the tests: the lead's two sample traces (alr and lr, Adam) and this helper's plain-SGD
    /// trace (made with `lrsim train --data fashion-mnist --train-samples 256 --test-samples 200 --model mlp:784-8-10
    /// --estimator lr --copies 8 --sigma 0.1 --optimizer sgd --lr 0.05 --momentum 0 --epochs 1 --batch 32 --seed 7
    /// --trace traces/replay-mlp-lr-sgd.lrt --trace-every 3 --trace-bp --trace-compression zlib`).
    static let shipped = ["traces/mlp32-alr.lrt", "traces/mlp16-lr.lrt", "traces/replay-mlp-lr-sgd.lrt"]

    /// Fashion-MNIST (first 256 training samples), mlp:784-16-10, K = 8, sigma 0.1, batch 32: 8 steps per epoch.
    static func config(_ kind: EstimatorKind, optimizer: OptimizerKind) -> TrainingConfiguration {
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: kind, copies: [8], sigma: [0.1]))
        c.data = "fashion-mnist"
        c.trainLimit = 256
        c.testLimit = 200
        c.model = "mlp:784-16-10"
        c.optimizer = optimizer
        c.momentum = 0
        c.learningRate = optimizer == .sgd ? 0.05 : 1e-3
        c.epochs = 1
        c.batch = 32
        c.seed = 7
        c.traceEvery = 3
        c.traceBackprop = true
        return c
    }

    static func datasets(_ c: TrainingConfiguration) throws -> (Dataset, Dataset) {
        var train = try DatasetCatalog.load(name: c.data, dataDir: c.dataDir, split: .train)
        var test = try DatasetCatalog.load(name: c.data, dataDir: c.dataDir, split: .test)
        if let n = c.trainLimit { train = try train.subset(0..<n) }
        if let n = c.testLimit { test = try test.subset(0..<n) }
        return (train, test)
    }

    /// Trains `c` and records its sampled steps into `path`; returns the trainer.
    @discardableResult
    static func record(_ c: TrainingConfiguration, to path: String, datapath: TrainingDatapath? = nil) throws -> Trainer
    {
        let (train, test) = try datasets(c)
        let trainer = try Trainer(config: c, train: train, test: test, datapath: datapath)
        trainer.showProgress = false
        try trainer.run(tracingTo: path)
        return trainer
    }
}
