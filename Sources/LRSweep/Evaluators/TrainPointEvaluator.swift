import Foundation
import HWModel
import LRReport
import LRTrain

/// Kind `train`: quantized-in-the-loop training (`lrsim train --hw`) with the point's number formats. The point's
/// resolved model is written to `hw.toml` in its folder and trained through; `train.json` holds the report.
/// Training is deterministic for a seed whatever the thread count, so accuracy is a function of the inputs.
public struct TrainPointEvaluator: PointEvaluator {
    public let kind = "train"
    public var config: TrainingConfiguration
    public var train: Dataset
    public var test: Dataset

    public init(config: TrainingConfiguration, train: Dataset, test: Dataset) {
        self.config = config; self.train = train; self.test = test
    }

    public func evaluate(_ hardware: HardwareModel, point: SweepPoint, directory: String) throws -> [String: Double] {
        let hwPath = (directory as NSString).appendingPathComponent("hw.toml")
        try ReportFile.write(hardware.resolvedTOML(), to: hwPath)
        var c = config
        c.hardwareModel = hwPath
        let trainer = try Trainer(config: c, train: train, test: test)
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
