// Replay and quantized-training measurements (release): `swift run -c release ReplayMeasure COMMAND` from Benchmarks/.
//   step DIR          one MLP step (784-256-10, B=128, K=32) replayed with the exact GMP check, timed
//   sweep TRACE       cosine vs bits for activations, loss and accumulators (docs/results.md, section 7)
//   accuracy HW EPOCHS   train --hw on Fashion-MNIST (784-256-10, K=32, sigma 0.1, Adam 1e-3, batch 128)
//   record TRACE KIND EPOCHS EVERY   a float-trainer trace of that MLP
import FixedPoint
import Foundation
import HWModel
import LRCore
import LRStudies
import LRTrace
import LRTrain

func mlpConfig(_ kind: EstimatorKind, epochs: Int) -> TrainingConfiguration {
    var c = TrainingConfiguration(estimator: EstimatorSettings(kind: kind, copies: [32], sigma: [0.1]))
    c.data = "fashion-mnist"
    c.model = "mlp:784-256-10"
    c.optimizer = .adam
    c.learningRate = 1e-3
    c.epochs = epochs
    c.batch = 128
    c.seed = 0
    return c
}

func datasets(_ c: TrainingConfiguration) throws -> (Dataset, Dataset) {
    var train = try DatasetCatalog.load(name: c.data, dataDir: c.dataDir, split: .train)
    var test = try DatasetCatalog.load(name: c.data, dataDir: c.dataDir, split: .test)
    if let n = c.trainLimit { train = try train.subset(0..<n) }
    if let n = c.testLimit { test = try test.subset(0..<n) }
    return (train, test)
}

func record(_ c: TrainingConfiguration, to path: String) throws -> Trainer {
    let (train, test) = try datasets(c)
    let trainer = try Trainer(config: c, train: train, test: test)
    trainer.showProgress = false
    try trainer.run(tracingTo: path)
    return trainer
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func replaySteps(trace: String, hw: HardwareModel, exact: Bool) throws -> [(step: Int, cos: [Double], exact: [ExactLayerCheck], seconds: Double)] {
    let reader = try TraceReader(path: trace)
    let config = try RecordedStep.configuration(from: reader.header)
    let (resolved, spec) = try config.resolved()
    let d = try FixedPointDatapath(config: resolved, spec: spec, hardware: hw)
    var out: [(Int, [Double], [ExactLayerCheck], Double)] = []
    for e in reader.steps {
        let s = try reader.readStep(step: e.step)
        let t0 = now()
        let r = try RecordedStep(step: s, header: reader.header)
        let rep = try d.replay(r, exact: exact)
        let t = now() - t0
        let cos = r.network.layout.slots.map { slot -> Double in
            let g = (s.tensor(TraceNames.gradient(slot.layer, "weight"))?.float32 ?? []) + (s.tensor(TraceNames.gradient(slot.layer, "bias"))?.float32 ?? [])
            return VectorMath.cosine(Array(rep.gradient[slot.range]), g)
        }
        out.append((Int(e.step), cos, rep.checks, t))
    }
    return out
}

let args = CommandLine.arguments
guard args.count >= 2 else { print("usage: ReplayMeasure step DIR | sweep TRACE | accuracy HW EPOCHS | record TRACE KIND EPOCHS EVERY"); exit(2) }
let root = FileManager.default.currentDirectoryPath + "/.."
do {
    switch args[1] {
    case "record":
        var c = mlpConfig(EstimatorKind(rawValue: args[3])!, epochs: Int(args[4])!)
        c.traceEvery = Int(args[5])!
        c.traceBackprop = true
        let t0 = now()
        let trainer = try record(c, to: args[2])
        print(String(format: "recorded %@: final test accuracy %.4f, %.1f s", args[2], trainer.report.final.testAccuracy, now() - t0))
    case "step":
        let dir = args[2]
        for kind in [EstimatorKind.alr, .lr] {
            var c = mlpConfig(kind, epochs: 1)
            c.trainLimit = 128
            c.traceBackprop = true
            let path = "\(dir)/step-\(kind.rawValue).lrt"
            _ = try record(c, to: path)
            for model in ["edge-wide.toml", "edge.toml"] {
                let hw = try HardwareModel.load(path: "\(root)/hwmodels/\(model)")
                for (step, cos, ex, t) in try replaySteps(trace: path, hw: hw, exact: true) {
                    print(String(format: "%@ %@ step %d: replay + exact check %.3f s; cosine vs float %@; bit-exact %@", kind.rawValue, model, step, t,
                                 cos.map { String(format: "%.6f", $0) }.joined(separator: "/"), ex.map { $0.bitExact ? "yes" : "no" }.joined(separator: "/")))
                }
                let t0 = now()
                _ = try replaySteps(trace: path, hw: hw, exact: false)
                print(String(format: "   without the exact check: %.3f s", now() - t0))
            }
        }
    case "phases":
        let reader = try TraceReader(path: args[2])
        let hw = try HardwareModel.load(path: "\(root)/hwmodels/\(args[3])")
        let config = try RecordedStep.configuration(from: reader.header)
        let (resolved, spec) = try config.resolved()
        let d = try FixedPointDatapath(config: resolved, spec: spec, hardware: hw)
        let r = try RecordedStep(step: try reader.readStep(step: reader.steps[0].step), header: reader.header)
        var t0 = now()
        let w = try d.quantizeParameters(r.network.parameters, step: r.step)
        let res = try d.run(weights: w, input: r.input, labels: r.labels, step: r.step)
        print(String(format: "run %.3f s", now() - t0))
        for l in res.layers {
            t0 = now()
            let c = try d.exactCheck(l, rows: res.rows)
            print(String(format: "exact layer %d: %.3f s (bit-exact %@)", l.layer, now() - t0, c.bitExact ? "yes" : "no"))
        }
    case "sweep":
        let trace = args[2]
        let base = ["formats.all.overflow=SAT", "formats.all.rounding=RND_CONV",
                    "formats.weights.format=s8.24", "formats.activations.format=s8.24", "formats.inputs.format=s8.24",
                    "formats.noise.format=s8.24", "formats.loss.format=s8.24", "formats.products.format=s16.48",
                    "formats.accumulators.format=s16.48", "formats.gradients.format=s16.48", "formats.updates.format=s8.24"]
        func run(_ extra: [String]) throws -> [Double] {
            let hw = try HardwareModel.load(path: "\(root)/hwmodels/edge.toml", overrides: base + extra)
            let r = try replaySteps(trace: trace, hw: hw, exact: false)
            let layers = r[0].cos.count
            return (0..<layers).map { l in r.map { $0.cos[l] }.reduce(0, +) / Double(r.count) }
        }
        if args.count > 3 {
            for point in args[3...] {
                let c = try run(point.split(separator: ";").map(String.init))
                FileHandle.standardOutput.write(Data((point + ": " + c.map { String(format: "%.5f", $0) }.joined(separator: " / ") + "\n").utf8))
            }
            break
        }
        print("32-bit wide datapath: " + (try run([])).map { String(format: "%.5f", $0) }.joined(separator: " / "))
        for (signal, int, widths) in [("activations", 4, [16, 12, 10, 8, 6, 5]), ("loss", 6, [16, 12, 10, 8, 6]),
                                      ("accumulators", 16, [32, 28, 24, 20, 18, 16])] {
            for w in widths {
                let c = try run(["formats.\(signal).format=s\(int).\(w - int)"])
                print("\(signal) s\(int).\(w - int) (\(w) bits): " + c.map { String(format: "%.5f", $0) }.joined(separator: " / "))
            }
        }
    case "accuracy":
        var c = mlpConfig(.lr, epochs: Int(args[3])!)
        let (train, test) = try datasets(c)
        let hw = try HardwareModel.load(path: args[2])
        let trainer = try Trainer(config: c, train: train, test: test, datapath: TrainingDatapath(hardware: hw))
        trainer.showProgress = false
        let d = try FixedPointDatapath(config: trainer.config, spec: trainer.spec, hardware: hw)
        let t0 = now()
        trainer.epochObserver = { [unowned trainer] e in
            let w = (try? d.quantizeParameters(trainer.network.parameters, step: 0)) ?? []
            let acc = (try? d.accuracy(weights: w, images: test.images, labels: test.labels)) ?? -1
            FileHandle.standardOutput.write(Data((String(format: "epoch %d: test accuracy float forward %.4f, fixed-point forward %.4f; train loss %.4f; %.1f s (total %.1f s)",
                         e.epoch, e.testAccuracy, acc, e.trainLoss, e.seconds, now() - t0) + "\n").utf8))
        }
        try trainer.run()
    default:
        print("unknown command \(args[1])"); exit(2)
    }
} catch {
    print("error: \(error)")
    exit(1)
}
