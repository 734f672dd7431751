import ArgumentParser
import Foundation
import LRCore
import LRIO
import LRStudies
import LRTrain

/// `lrsim eval`: test accuracy of a checkpoint, clean and under attacks (white-box, transfer, gradient-free).
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a checkpoint: clean test accuracy and accuracy under FGSM, PGD and SPSA attacks.",
        discussion: """
            Attacks move every test image within an L-infinity ball of radius EPS (pixels in [0, 1], clipped to [0, 1]) to \
            raise the loss. FGSM (Goodfellow et al., 2015) takes one step of EPS along the sign of the input gradient; PGD \
            (Madry et al., 2018) takes --pgd-steps steps of --pgd-step-size, projecting back into the ball; both get the \
            gradient by backprop. SPSA (Uesato et al., 2018) needs no gradient: it estimates one from --spsa-samples pairs \
            of random probes of size --spsa-delta per step, so step (threshold) networks, whose input gradient is zero, \
            get a real test instead of a masked gradient.

            By default the attacks are white-box: crafted on the evaluated model. With --source they are crafted on \
            another checkpoint (the substitute) and the target is scored on the same images: a transfer attack, the \
            protocol of the LR papers' FGSM table. With --surrogate-sharpness K they are crafted on the checkpoint's own \
            weights with its step activations replaced by sigmoid(K z) (BPDA). --save-adversarial keeps the crafted \
            images; --adversarial scores a saved set. Every attack is deterministic for --seed.

            Examples:
              lrsim train --estimator lr --copies 32 --sigma 0.1 --checkpoint lr.ckpt
              lrsim eval --checkpoint lr.ckpt --fgsm 0.1 --pgd 0.1 --report eval.json
              lrsim eval --checkpoint target.ckpt --source substitute.ckpt --fgsm 0.13 --save-adversarial adv.lradv
              lrsim eval --checkpoint other.ckpt --adversarial adv.lradv
              lrsim eval --checkpoint step.ckpt --spsa 0.1 --spsa-delta 0.05
            """
    )

    @Option(help: "Checkpoint written by `lrsim train --checkpoint`.")
    var checkpoint: String
    @OptionGroup var data: DataOptions
    @Option(
        parsing: .unconditional, help: "FGSM perturbation size in pixel units (0..1); omit for clean accuracy only.")
    var fgsm: Float?
    @Option(help: "PGD perturbation size (0..1).")
    var pgd: Float?
    @Option(help: "PGD iterations.")
    var pgdSteps = 10
    @Option(help: "PGD step size (default 2.5 x eps / steps).")
    var pgdStepSize: Float?
    @Flag(help: "Start PGD from a uniform random point of the eps-ball instead of the image.")
    var pgdRandomStart = false
    @Option(help: "SPSA perturbation size (0..1).")
    var spsa: Float?
    @Option(help: "SPSA iterations.")
    var spsaSteps = 20
    @Option(help: "SPSA probe pairs per iteration and image.")
    var spsaSamples = 64
    @Option(help: "SPSA probe size (raise it for step networks, whose outputs change only when a unit flips).")
    var spsaDelta: Float = 0.01
    @Option(help: "SPSA step size (default eps / 4).")
    var spsaStepSize: Float?
    @Option(help: "Seed of the attacks' random numbers (PGD random start, SPSA probes).")
    var seed: UInt64 = 0
    @Option(
        help:
            "Craft the attacks on this checkpoint (the substitute) and score --checkpoint on the same images (transfer)."
    )
    var source: String?
    @Option(
        help:
            "Craft the attacks on the checkpoint's own weights with every step activation replaced by sigmoid(K z) (BPDA: the adaptive white-box attack of threshold networks)."
    )
    var surrogateSharpness: Float?
    @Option(help: "Save the crafted adversarial images (of exactly one attack) to this file.")
    var saveAdversarial: String?
    @Option(help: "Score the checkpoint on adversarial images saved by --save-adversarial.")
    var adversarial: String?
    @Option(help: "Write the JSON report here.")
    var report: String?

    typealias Report = EvaluationReport

    func run() throws {
        var session = EvaluationSession(
            checkpoint: checkpoint, data: data.name(for:), dataDir: data.dataDir,
            testLimit: data.testSamples)
        session.source = source
        session.surrogateSharpness = surrogateSharpness
        session.fgsm = fgsm
        session.pgd = pgd.map {
            PGDSettings(epsilon: $0, steps: pgdSteps, stepSize: pgdStepSize, randomStart: pgdRandomStart, seed: seed)
        }
        session.spsa = spsa.map {
            SPSASettings(
                epsilon: $0, steps: spsaSteps, samples: spsaSamples, delta: spsaDelta,
                stepSize: spsaStepSize, seed: seed)
        }
        session.adversarial = adversarial
        session.saveAdversarial = saveAdversarial
        let r = try session.run()
        Console.out(
            String(format: "test accuracy %.4f (loss %.4f) on %d samples", r.testAccuracy, r.testLoss, r.samples))
        if let k = r.surrogateSharpness {
            Console.out(String(format: "attacks crafted on the sigmoid(%g z) surrogate of the step activations", k))
        }
        if let s = r.source, let acc = r.sourceTestAccuracy {
            Console.out(
                String(format: "transfer attacks crafted on %@ (%@, test accuracy %.4f)", s, r.sourceModel ?? "?", acc))
        }
        for a in [r.fgsm, r.pgd, r.spsa, r.adversarialSet].compactMap({ $0 }) {
            let from = a.path.map { " (saved set \($0), crafted on \(a.source ?? "?"))" } ?? ""
            let sourceNote = a.sourceAccuracy.map { String(format: "; crafting model %.4f", $0) } ?? ""
            Console.out(
                String(
                    format: "%@ eps %.3f accuracy %.4f%@%@", a.attack.uppercased(), a.epsilon, a.accuracy, sourceNote,
                    from))
        }
        if let path = report { try JSONReport.write(r, to: path) }
    }
}
