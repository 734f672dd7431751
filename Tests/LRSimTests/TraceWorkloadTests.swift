import Foundation
import HWModel
import LRCore
import LRStudies
import LRTestSupport
import LRTrace
import XCTest

/// `lrsim sim --trace FILE` takes the model, batch, copies per layer, estimator and step count from the header
/// (`WorkloadSpec(trace:)`, the LRStudies bridge the command calls).
final class TraceWorkloadTests: XCTestCase {
    func testWorkloadFromTraceHeader() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let model = TraceModel(
            spec: "mlp:8-6-4", activation: "relu", inputShape: [8],
            layers: [
                TraceLayer(
                    index: 0, kind: "dense", summary: "dense 8->6", inputShape: [8], outputShape: [6],
                    parameters: [
                        TraceParameter(name: "weight", shape: [6, 8]), TraceParameter(name: "bias", shape: [6]),
                    ]),
                TraceLayer(index: 1, kind: "relu", summary: "relu", inputShape: [6], outputShape: [6], parameters: []),
                TraceLayer(
                    index: 2, kind: "dense", summary: "dense 6->4", inputShape: [6], outputShape: [4],
                    parameters: [
                        TraceParameter(name: "weight", shape: [4, 6]), TraceParameter(name: "bias", shape: [4]),
                    ]),
            ])
        let estimator = TraceEstimator(
            name: "alr", perturbedLayers: [0, 2], copies: [4, 2], sigma: [0.1, 0.1],
            antithetic: true, baseline: "clean", signEncoding: "sign", noise: "gaussian",
            qmc: false, seed: 7, noiseKeyLayout: 1)
        let header = TraceHeader(
            producer: "test", configJSON: "{}", model: model, estimator: estimator,
            optimizer: TraceOptimizer(name: "sgd", learningRate: 0.1, batchSize: 3, epochs: 1),
            dataset: TraceDataset(
                name: "synthetic", split: "train", samples: 30, digest: "sha256:00",
                inputTransform: "identity"),
            traceEvery: 5)
        let writer = try TraceWriter(path: dir.path("run.lrt"), header: header)
        for step in [UInt64(0), 5, 9] {
            try writer.appendStep(
                TraceStep(info: TraceStepInfo(step: step, epoch: 0, noiseSeed: 7, noiseStep: step), tensors: []))
        }
        try writer.finish()

        var run = SimulationRun(
            hardware: try HardwareModel.load(
                path: OutputFormatTests.repo.appendingPathComponent("hwmodels/edge.toml").path),
            workload: SimWorkloadOptions(trace: dir.path("run.lrt")))
        run.outputs.report = dir.path("r.json")
        _ = try run.run()
        let r =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("r.json")))
            as! [String: Any]
        XCTAssertEqual(r["iterations"] as? Int, 10)
        let w = r["workload"] as! [String: Any]
        XCTAssertEqual(w["estimator"] as? String, "alr")
        XCTAssertEqual(w["batch"] as? Int, 3)
        XCTAssertEqual(w["copies"] as? [Int], [4, 2])
        XCTAssertEqual((r["work"] as! [String: Any])["conserved"] as? Bool, true)
    }

    func testMissingTraceIsOneLineError() throws {
        XCTAssertThrowsError(try SimWorkloadOptions(trace: "/nonexistent/run.lrt").workload()) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/run.lrt"), "\(e)")
        }
    }

    /// A trace names its model: a model given with it is refused, never silently dropped.
    func testModelWithTraceIsRefused() throws {
        XCTAssertThrowsError(try SimWorkloadOptions(trace: "run.lrt", model: "mlp:784-64-10").workload()) { e in
            XCTAssertEqual((e as? SettingError)?.setting, "model", "\(e)")
        }
    }
}
