import Foundation
import LRCore
import LRIO
import LRTrain

/// `lrsim eval`: a checkpoint's clean test accuracy and its accuracy under attacks — white-box (crafted on the model
/// itself), transfer (crafted on a `source` checkpoint, the substitute, and scored on the target: the LR authors'
/// protocol, reference/authors-protocol.md), or a saved adversarial set scored as it is.
public struct EvaluationSession {
    /// The model scored.
    public var checkpoint: String
    /// The data set for the checkpoint's model spelling (the command line's default rule, or a fixed name).
    public var data: (String) -> String
    public var dataDir: String?
    public var testLimit: Int?
    /// Craft the attacks on this checkpoint instead of the target (transfer); nil: white-box.
    public var source: String?
    /// Craft the attacks on the target's own weights with every step activation replaced by sigmoid(k z) (BPDA, the
    /// adaptive attack of threshold networks; `Network.smoothSurrogate`).
    public var surrogateSharpness: Float?
    public var fgsm: Float?
    public var pgd: PGDSettings?
    public var spsa: SPSASettings?
    /// Score the target on this saved set (`AdversarialSet`).
    public var adversarial: String?
    /// Save the images of the one attack crafted here.
    public var saveAdversarial: String?

    public init(checkpoint: String, data: @escaping (String) -> String, dataDir: String? = nil, testLimit: Int? = nil) {
        self.checkpoint = checkpoint; self.data = data; self.dataDir = dataDir; self.testLimit = testLimit
    }

    var attacks: Int { (fgsm != nil ? 1 : 0) + (pgd != nil ? 1 : 0) + (spsa != nil ? 1 : 0) }

    func validate() throws(SettingError) {
        if let e = fgsm, !(e >= 0 && e <= 1) { throw SettingError("fgsm", "expected an epsilon in 0...1, got \(e)") }
        try pgd?.validate()
        try spsa?.validate()
        if source != nil && attacks == 0 {
            throw SettingError("source", "crafts the attacks on a substitute: give --fgsm, --pgd or --spsa too")
        }
        if surrogateSharpness != nil && (attacks == 0 || source != nil) {
            throw SettingError(
                "surrogate-sharpness",
                "crafts the attacks on the target's smoothed copy: give --fgsm, --pgd or --spsa, and no --source")
        }
        if saveAdversarial != nil && attacks != 1 {
            throw SettingError(
                "save-adversarial",
                "saves the images of one attack: give exactly one of --fgsm, --pgd, --spsa (got \(attacks))")
        }
    }

    public func run() throws -> EvaluationReport {
        try validate()
        let target = try Checkpoint.read(from: checkpoint)
        let (config, spec) = try target.config.resolved()
        let data = self.data(config.model)
        let (_, test) = try DatasetCatalog.load(
            name: data, dataDir: dataDir, model: config.modelSpec(), trainLimit: nil,
            testLimit: testLimit)
        var report = EvaluationReport(
            checkpoint: checkpoint, model: config.model, estimator: config.estimator.kind.rawValue,
            testAccuracy: 0, testLoss: 0, samples: test.count)
        guard case .feedforward = try config.modelSpec() else {
            // rnn, snn, gnn: the model's own evaluation; the attacks need an mlp or cnn forward.
            if attacks > 0 || adversarial != nil {
                throw SettingError("fgsm", "the attacks run on mlp and cnn checkpoints; \(config.model) is not one")
            }
            let model = try TrainableModels.make(config, train: test, datapath: nil)
            guard target.parameters.count == model.parameters.count else {
                throw TrainingError.checkpoint(path: checkpoint, "parameter count does not match model \(config.model)")
            }
            model.parameters = target.parameters
            (report.testAccuracy, report.testLoss) = model.evaluate(test)
            return report
        }
        let network = try Self.network(target, spec: spec, features: test.featureCount, data: data)
        let evaluator = Evaluator(spec: spec)
        (report.testAccuracy, report.testLoss) = Self.score(evaluator, network, test.images, test.labels)
        if let adversarial {
            let set = try AdversarialSet.read(from: adversarial)
            guard set.metadata.features == spec.inputCount else {
                throw TrainingError.io(
                    path: adversarial,
                    "holds images of \(set.metadata.features) features; \(config.model) takes \(spec.inputCount)")
            }
            var r = AttackResult(
                set.metadata, accuracy: Self.score(evaluator, network, set.images, set.labels).accuracy)
            r.path = adversarial
            report.adversarialSet = r
        }
        guard attacks > 0 else { return report }

        // The crafting network: the substitute (transfer) or the target itself (white-box).
        var crafter = network, crafterSpec = spec
        if let source {
            let s = try Checkpoint.read(from: source)
            let (sc, sspec) = try s.config.resolved()
            guard case .feedforward = try sc.modelSpec() else {
                throw TrainingError.checkpoint(path: source, "the substitute must be an mlp or cnn, not \(sc.model)")
            }
            crafter = try Self.network(s, spec: sspec, features: test.featureCount, data: data)
            crafterSpec = sspec
            report.source = source
            report.sourceModel = sc.model
            report.sourceTestAccuracy = Self.score(Evaluator(spec: sspec), crafter, test.images, test.labels).accuracy
        }
        if let k = surrogateSharpness {
            crafter = try network.smoothSurrogate(sharpness: k)
            crafterSpec = crafter.spec
            report.surrogateSharpness = k
        }
        let crafted = source != nil || surrogateSharpness != nil
        report.threatModel = surrogateSharpness != nil ? "surrogate" : source == nil ? "white-box" : "transfer"
        let craftEvaluator = crafted ? Evaluator(spec: crafterSpec) : evaluator
        func attack(
            _ name: String, epsilon: Float, settings: [String: Double],
            _ craft: (UnsafePointer<Float>, UnsafePointer<Int32>) -> [Float]
        ) throws -> AttackResult {
            let images = test.images.withUnsafeBufferPointer { x in
                test.labels.withUnsafeBufferPointer { y in craft(x.baseAddress!, y.baseAddress!) }
            }
            var r = AttackResult(
                attack: name, epsilon: epsilon, settings: settings,
                accuracy: Self.score(evaluator, network, images, test.labels).accuracy)
            if crafted { r.sourceAccuracy = Self.score(craftEvaluator, crafter, images, test.labels).accuracy }
            if let path = saveAdversarial {
                let meta = AdversarialSet.Metadata(
                    attack: name, epsilon: epsilon, settings: settings,
                    source: source ?? checkpoint, sourceModel: report.sourceModel ?? config.model,
                    dataset: test.name, datasetDigest: test.digestHex, count: test.count,
                    features: test.featureCount)
                try AdversarialSet(metadata: meta, labels: test.labels, images: images).write(to: path)
            }
            return r
        }
        if let e = fgsm {
            report.fgsm = try attack("fgsm", epsilon: e, settings: [:]) { x, y in
                craftEvaluator.fgsm(crafter, epsilon: e, images: x, labels: y, count: test.count)
            }
        }
        if let p = pgd {
            report.pgd = try attack(
                "pgd", epsilon: p.epsilon,
                settings: [
                    "steps": Double(p.steps), "step_size": Double(p.alpha),
                    "random_start": p.randomStart ? 1 : 0, "seed": Double(p.seed),
                ]
            ) { x, y in
                craftEvaluator.pgd(crafter, settings: p, images: x, labels: y, count: test.count)
            }
        }
        if let s = spsa {
            report.spsa = try attack(
                "spsa", epsilon: s.epsilon,
                settings: [
                    "steps": Double(s.steps), "samples": Double(s.samples),
                    "delta": Double(s.delta), "step_size": Double(s.alpha),
                    "seed": Double(s.seed),
                ]
            ) { x, y in
                SPSAAttack(network: crafter).craft(settings: s, images: x, labels: y, count: test.count)
            }
        }
        return report
    }

    static func network(_ c: Checkpoint, spec: NetworkSpec, features: Int, data: String) throws -> Network {
        guard c.parameters.count == ParameterLayout(spec).count else {
            throw TrainingError.checkpoint(path: c.path, "parameter count does not match model \(c.config.model)")
        }
        guard features == spec.inputCount else {
            throw SettingError(
                "data", "\(data): samples have \(features) features, the model of \(c.path) takes \(spec.inputCount)")
        }
        return Network(spec: spec, parameters: c.parameters)
    }

    static func score(_ e: Evaluator, _ n: Network, _ images: [Float], _ labels: [Int32]) -> (
        accuracy: Double, loss: Double
    ) {
        images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                e.accuracy(n, images: x.baseAddress!, labels: y.baseAddress!, count: labels.count)
            }
        }
    }
}

/// One attack's outcome: the target's accuracy on the adversarial images (clean errors count as wrong), and for a
/// transfer or surrogate attack the crafting model's own accuracy on them (how well it fooled the model it was crafted
/// on).
public struct AttackResult: Codable, Equatable, Sendable {
    public var attack: String
    public var epsilon: Float
    public var settings: [String: Double]?
    public var accuracy: Double
    public var sourceAccuracy: Double?
    /// A saved set: its file and the checkpoint it was crafted on.
    public var path: String?
    public var source: String?

    public init(attack: String, epsilon: Float, settings: [String: Double]? = nil, accuracy: Double) {
        self.attack = attack; self.epsilon = epsilon; self.settings = settings?.isEmpty == true ? nil : settings
        self.accuracy = accuracy
    }

    init(_ m: AdversarialSet.Metadata, accuracy: Double) {
        self.init(attack: m.attack, epsilon: m.epsilon, settings: m.settings, accuracy: accuracy)
        source = m.source
    }
}

/// `lrsim eval --report`.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public var command = "eval"
    public var checkpoint: String
    public var model: String
    public var estimator: String
    public var testAccuracy: Double
    public var testLoss: Double
    /// white-box, transfer or surrogate (nil: no attack crafted here).
    public var threatModel: String?
    /// The sharpness k of a surrogate attack's sigmoid(k z).
    public var surrogateSharpness: Float?
    /// The substitute of a transfer attack, its model and clean accuracy.
    public var source: String?
    public var sourceModel: String?
    public var sourceTestAccuracy: Double?
    public var fgsm: AttackResult?
    public var pgd: AttackResult?
    public var spsa: AttackResult?
    public var adversarialSet: AttackResult?
    public var samples: Int

    public init(
        checkpoint: String, model: String, estimator: String, testAccuracy: Double, testLoss: Double, samples: Int
    ) {
        self.checkpoint = checkpoint; self.model = model; self.estimator = estimator; self.testAccuracy = testAccuracy
        self.testLoss = testLoss; self.samples = samples
    }
}
