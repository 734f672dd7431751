import ArgumentParser
import Foundation
import LRCore
import LRIO
import LRTrain

/// `lrsim eval`: test accuracy of a checkpoint, clean and under an FGSM attack.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a checkpoint: clean test accuracy and FGSM adversarial accuracy.",
        discussion: """
            FGSM (Goodfellow et al., 2015) moves every input by --fgsm EPS in the direction of the sign of the loss \
            gradient \
            with respect to the input (computed by backprop on the trained network), clipped to the pixel range [0, 1].

            Example:
              lrsim train --estimator lr --copies 32 --sigma 0.1 --checkpoint lr.ckpt
              lrsim eval --checkpoint lr.ckpt --fgsm 0.1 --report eval.json
            """
    )

    @Option(help: "Checkpoint written by `lrsim train --checkpoint`.")
    var checkpoint: String
    @OptionGroup var data: DataOptions
    @Option(
        parsing: .unconditional, help: "FGSM perturbation size in pixel units (0..1); omit for clean accuracy only.")
    var fgsm: Float?
    @Option(help: "Write the JSON report here.")
    var report: String?

    struct Report: Codable, Equatable {
        struct FGSM: Codable, Equatable { var epsilon: Float; var accuracy: Double }
        var command = "eval"
        var checkpoint: String
        var model: String
        var estimator: String
        var testAccuracy: Double
        var testLoss: Double
        var fgsm: FGSM?
        var samples: Int
    }

    func run() throws {
        if let e = fgsm, !(e >= 0 && e <= 1) { throw ValidationError("--fgsm: expected an epsilon in 0...1, got \(e)") }
        var outputs = OutputPaths()
        outputs.input("checkpoint", checkpoint); outputs.file("report", report)
        try outputs.prepare()
        let ckpt = try Checkpoint.read(from: checkpoint)
        let (config, spec) = try ckpt.config.resolved()
        let (_, test) = try DatasetCatalog.load(
            name: data.name(for: config.model), dataDir: data.dataDir,
            model: config.modelSpec(), trainLimit: nil, testLimit: data.testSamples)
        let (acc, loss, adv): (Double, Double, Double?)
        if case .feedforward = try config.modelSpec() {
            guard ckpt.parameters.count == ParameterLayout(spec).count else {
                throw ValidationError("\(checkpoint): parameter count does not match model \(config.model)")
            }
            guard test.featureCount == spec.inputCount else {
                throw ValidationError(
                    "--data \(data.name(for: config.model)): samples have \(test.featureCount) features, the "
                        + "checkpoint's model takes \(spec.inputCount)"
                )
            }
            let network = Network(spec: spec, parameters: ckpt.parameters)
            let evaluator = Evaluator(spec: spec)
            (acc, loss, adv) = test.images.withUnsafeBufferPointer { x in
                test.labels.withUnsafeBufferPointer { y in
                    let (a, l) = evaluator.accuracy(
                        network, images: x.baseAddress!, labels: y.baseAddress!, count: test.count)
                    let f = fgsm.map {
                        evaluator.fgsmAccuracy(
                            network, epsilon: $0, images: x.baseAddress!, labels: y.baseAddress!, count: test.count)
                    }
                    return (a, l, f)
                }
            }
        } else {
            // rnn, snn, gnn: the model's own evaluation; FGSM needs an input gradient, which only mlp and cnn have
            // here.
            if fgsm != nil {
                throw ValidationError("--fgsm: the attack runs on mlp and cnn checkpoints; \(config.model) is not one")
            }
            let model = try TrainableModels.make(config, train: test, datapath: nil)
            guard ckpt.parameters.count == model.parameters.count else {
                throw ValidationError("\(checkpoint): parameter count does not match model \(config.model)")
            }
            model.parameters = ckpt.parameters
            (acc, loss) = model.evaluate(test)
            adv = nil
        }
        let r = Report(
            checkpoint: checkpoint, model: config.model, estimator: config.estimator.kind.rawValue,
            testAccuracy: acc, testLoss: loss, fgsm: adv.map { Report.FGSM(epsilon: fgsm!, accuracy: $0) },
            samples: test.count)
        Console.out(String(format: "test accuracy %.4f (loss %.4f) on %d samples", acc, loss, test.count))
        if let adv, let e = fgsm { Console.out(String(format: "FGSM eps %.3f accuracy %.4f", e, adv)) }
        if let path = report { try JSONReport.write(r, to: path) }
    }
}
