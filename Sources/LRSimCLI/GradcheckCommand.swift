import ArgumentParser
import Foundation
import LRCore
import LRIO
import LRTrain

/// `lrsim gradcheck`: the variance-reduction study — cosine to backprop vs copies for plain MC, antithetic pairs,
/// baseline, QMC and sign encoding.
struct Gradcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure estimator quality: cosine similarity to backprop's gradient vs the number of copies.",
        discussion: """
            Draws each variant's one-step gradient estimate with several noise seeds on one network and batch and \
            prints \
            the mean cosine to the exact (backprop) gradient per layer. The default reproduces the calibration \
            setting of \
            the LR papers' toy MLP: 20-32-32-5, tanh, sigma 0.1, on a synthetic 5-class task.

            Examples:
              lrsim gradcheck
              lrsim gradcheck --model mlp:784-256-10 --data fashion-mnist --copies 8,32,128 --seeds 3
            """
    )

    @Option(help: "Network spec.")
    var model = "mlp:20-32-32-5"
    @Option(help: "Hidden-layer activation.")
    var activation: Activation = .tanh
    @Option(help: "Dataset the batch is taken from (first --batch training samples).")
    var data = "synthetic:features=20,classes=5,train=256,test=16"
    @Option(help: "Directory holding the dataset files (mnist, cifar10).")
    var dataDir: String?
    @Option(parsing: .unconditional, help: "Samples in the batch.")
    var batch = 32
    @Option(parsing: .unconditional, help: "Noise scale.")
    var sigma: Float = 0.1
    @Option(parsing: .unconditional, help: "Comma-separated copy counts K.")
    var copies = "10,100,1000"
    @Option(parsing: .unconditional, help: "Independent noise seeds averaged per point.")
    var seeds = 5
    @Option(parsing: .unconditional, help: "Seed of the network's initial weights.")
    var seed: UInt64 = 3
    @Option(help: "Write the rows as JSON here.")
    var report: String?

    func run() throws {
        var outputs = OutputPaths()
        outputs.file("report", report)
        try outputs.prepare()
        // Each K studied follows the rule of every command (the variants use antithetic pairs).
        let ks = Array(try CopyCounts(parsing: copies))
        for k in ks { try CopyCounts(k).validate(layers: 1, estimator: .lr, antithetic: true) }
        guard seeds >= 1 && seeds <= 1000 else { throw ValidationError("--seeds: expected 1...1000, got \(seeds)") }
        let spec: NetworkSpec
        do { spec = try NetworkSpec.parse(model, activation: activation) } catch {
            throw ValidationError("--model: \(error)")
        }
        let train = try DatasetCatalog.load(name: data, dataDir: dataDir, split: .train)
        guard train.featureCount == spec.inputCount, train.classes == spec.outputCount else {
            throw ValidationError(
                "--data \(data): \(train.featureCount) features / \(train.classes) classes do not fit \(model)")
        }
        guard batch >= 1 && batch <= train.count else {
            throw ValidationError("--batch: expected 1...\(train.count), got \(batch)")
        }
        let x = Array(train.images[0..<(batch * spec.inputCount)]), y = Array(train.labels[0..<batch])
        let study = GradientStudy(network: Network(spec: spec, seed: seed), input: x, labels: y)
        let rows = try study.run(variants: GradientStudy.standardVariants(sigma: sigma), copies: ks, seeds: seeds)
        Console.out(
            "cosine to backprop per layer (mean of \(seeds) seeds), \(model) \(activation.rawValue), sigma "
                + "\(sigma), batch \(batch)"
        )
        Console.out("| variant | " + ks.map { "K=\($0)" }.joined(separator: " | ") + " |")
        Console.out("|---|" + ks.map { _ in "---|" }.joined())
        for v in GradientStudy.standardVariants(sigma: sigma) {
            let cells = rows.filter { $0.variant == v.name }.map {
                $0.cosine.map { String(format: "%.2f", $0) }.joined(separator: " / ")
            }
            Console.out("| \(v.name) | " + cells.joined(separator: " | ") + " |")
        }
        if let report { try JSONReport.write(rows, to: report) }
    }
}
