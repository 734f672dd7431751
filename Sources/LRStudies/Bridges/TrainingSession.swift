import Foundation
import HWModel
import LRCore
import LRIO
import LRTrace
import LRTrain

/// `lrsim train`: a training run from its inputs as the user gives them (a data set by name, an optional hardware
/// model, a checkpoint to resume) to its outputs (the trace, the checkpoints, the report). The hardware model reaches
/// the trainer as a value (`TrainingDatapath`).
public struct TrainingSession {
    public var config: TrainingConfiguration
    /// Quantized-in-the-loop training on this model's datapath (nil: float).
    public var hardware: HardwareModel?
    /// A checkpoint to continue from (same model and settings; see `Trainer.restore`).
    public var resume: String?
    public var traceCompression: TraceCompression = .none
    /// Where the JSON report goes (nil: not written).
    public var report: String?
    /// The training and test data when the caller has loaded them already (nil: loaded from `config.data`).
    public var datasets: (train: Dataset, test: Dataset)?

    public init(config: TrainingConfiguration, hardware: HardwareModel? = nil) {
        self.config = config
        self.hardware = hardware
    }

    /// Loads the data, trains, writes the outputs; `log` receives a line describing the run and one per epoch.
    public func run(log: @escaping (String) -> Void) throws -> TrainingReport {
        let datapath = try hardware.map { try TrainingDatapath(hardware: $0) }
        let (train, test) =
            try datasets
            ?? DatasetCatalog.load(
                name: config.data, dataDir: config.dataDir,
                model: config.modelSpec(), trainLimit: config.trainLimit,
                testLimit: config.testLimit)
        let trainer = try Trainer(config: config, train: train, test: test, datapath: datapath)
        if let resume { try trainer.restore(Checkpoint.read(from: resume)) }
        log(
            "training \(config.model) (\(trainer.model.parameters.count) parameters) with "
                + "\(config.estimator.kind.rawValue) on \(train.name): \(train.count) train / \(test.count) test "
                + "samples, BLAS \(BLAS.configure().coreName), \(Parallel.threads) threads"
        )
        trainer.epochObserver = { e in
            let floatNote =
                e.floatForwardAccuracy.map { String(format: " (fixed-point forward; float forward %.4f)", $0) } ?? ""
            log(
                String(
                    format: "epoch %d: test accuracy %.4f%@, train loss %.4f, %.2f s (%.0f samples/s, %.2f CPU s)",
                    e.epoch, e.testAccuracy, floatNote, e.trainLoss, e.seconds, e.samplesPerSecond, e.cpuSeconds))
        }
        let result = try trainer.run(tracingTo: config.trace, compression: traceCompression)
        if let report { try JSONReport.write(result, to: report) }
        return result
    }
}
