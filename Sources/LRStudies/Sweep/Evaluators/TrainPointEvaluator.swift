import Foundation
import HWModel
import LRIO
import LRTrain

/// Kind `train`: quantized-in-the-loop training (`lrsim train --hw`) on the datapath of the point's hardware model,
/// handed over as a value; `train.json` holds the report. Training is deterministic for a seed whatever the thread
/// count, so accuracy is a function of the inputs. The point's `workload.*` values (model, estimator, copies, batch)
/// replace the configuration's.
public struct TrainPointEvaluator: PointEvaluator {
    public let kind = "train"
    public var config: TrainingConfiguration
    public var train: Dataset
    public var test: Dataset

    public init(config: TrainingConfiguration, train: Dataset, test: Dataset) {
        self.config = config; self.train = train; self.test = test
    }

    public func evaluate(_ hardware: HardwareModel, point: SweepPoint, directory: String) throws -> [String: Double] {
        let trainer = try Trainer(
            config: WorkloadOverrides.split(point.overrides).workload.applied(to: config), train: train, test: test,
            datapath: try TrainingDatapath(hardware: hardware))
        trainer.showProgress = false
        var report = try trainer.run()
        try JSONReport.write(report, to: (directory as NSString).appendingPathComponent("train.json"))
        report.wallSeconds = 0
        var m: [String: Double] = [
            "train.test_accuracy": report.final.testAccuracy,
            "train.test_loss": report.final.testLoss,
            "train.train_loss": report.final.trainLoss,
        ]
        if let cos = report.gradientCosineVsBp, !cos.isEmpty {
            m["train.gradient_cosine_vs_bp"] = cos.reduce(0, +) / Double(cos.count)
        }
        return m
    }
}
