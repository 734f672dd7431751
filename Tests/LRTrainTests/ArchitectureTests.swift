import Foundation
import LRCore
import LRTestSupport
import XCTest

@testable import LRTrain

/// Issue 8: LR for recurrent, graph and spiking networks, checked against their backprop baselines.
final class ArchitectureTests: XCTestCase {
    // MARK: helpers

    func randomInputs(_ count: Int, seed: UInt64, range: ClosedRange<Float> = 0...1) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in Float.random(in: range, using: &rng) }
    }

    func gradient(_ m: BatchClassifier, _ e: EstimatorKind, x: [Float], labels: [Int32], step: Int = 0) -> [Float] {
        var g = [Float](repeating: 0, count: m.parameters.count)
        x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { yp in
                g.withUnsafeMutableBufferPointer { gp in
                    _ = m.gradient(
                        e, x: xp.baseAddress!, labels: yp.baseAddress!, rows: labels.count, step: step,
                        into: gp.baseAddress!)
                }
            }
        }
        return g
    }

    func cosine(_ a: [Float], _ b: [Float], _ r: Range<Int>) -> Double {
        a[r].withContiguousStorageIfAvailable { ap in
            b[r].withContiguousStorageIfAvailable { bp in VectorMath.cosine(ap, bp) }!
        }!
    }

    // MARK: RNN

    /// Double-precision loss of the Elman RNN, written independently of the model's GEMM path.
    func rnnLoss(_ p: [Double], _ m: ElmanRNN, x: [Float], labels: [Int32]) -> Double {
        let D = m.inputSize, T = m.steps, H = m.hidden, C = m.classes, B = labels.count
        var total = 0.0
        for b in 0..<B {
            var h = [Double](repeating: 0, count: H)
            for t in 0..<T {
                var a = [Double](repeating: 0, count: H)
                for j in 0..<H {
                    var s = p[m.offB + j]
                    for i in 0..<D { s += p[m.offWin + j * D + i] * Double(x[b * T * D + t * D + i]) }
                    for i in 0..<H { s += p[m.offWhh + j * H + i] * h[i] }
                    a[j] = Foundation.tanh(s)
                }
                h = a
            }
            var z = [Double](repeating: 0, count: C)
            for c in 0..<C {
                z[c] = p[m.offBo + c]
                for j in 0..<H { z[c] += p[m.offWo + c * H + j] * h[j] }
            }
            let mx = z.max()!
            total += Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - mx) }) + mx - z[Int(labels[b])]
        }
        return total / Double(B)
    }

    func testRNNBackpropThroughTimeMatchesFiniteDifferences() throws {
        let m = try ElmanRNN(inputSize: 3, steps: 4, hidden: 5, classes: 3, seed: 11, lr: nil)
        let x = randomInputs(2 * 12, seed: 3, range: -1...1)
        let labels: [Int32] = [2, 0]
        let g = gradient(m, .bp, x: x, labels: labels)
        var p = m.parameters.map(Double.init)
        let h = 1e-5
        var worst = 0.0, scale = 0.0
        for i in 0..<p.count {
            let saved = p[i]
            p[i] = saved + h; let up = rnnLoss(p, m, x: x, labels: labels)
            p[i] = saved - h; let down = rnnLoss(p, m, x: x, labels: labels)
            p[i] = saved
            let fd = (up - down) / (2 * h)
            worst = max(worst, abs(fd - Double(g[i]))); scale = max(scale, abs(fd))
        }
        XCTAssertGreaterThan(scale, 1e-3, "the gradient should not vanish on this net")
        XCTAssertLessThan(
            worst, 1e-4 + 1e-3 * scale, "BPTT differs from central differences by \(worst) (max |g| \(scale))")
    }

    func testRNNLikelihoodRatioAgreesWithBPTT() throws {
        let lr = try ArchitectureLRSettings(copies: 4000, sigma: 0.05)
        let m = try ElmanRNN(inputSize: 4, steps: 6, hidden: 8, classes: 3, seed: 5, lr: lr)
        let B = 6
        let x = randomInputs(B * 24, seed: 9)
        let labels: [Int32] = [0, 1, 2, 1, 0, 2]
        let exact = gradient(m, .bp, x: x, labels: labels)
        let est = gradient(m, .lr, x: x, labels: labels, step: 3)
        let cIn = cosine(est, exact, m.offWin..<m.offWhh), cHH = cosine(est, exact, m.offWhh..<m.offB)
        let cB = cosine(est, exact, m.offB..<m.offWo), cHead = cosine(est, exact, m.offWo..<m.parameters.count)
        XCTAssertGreaterThan(cIn, 0.9, "W_in cosine \(cIn)")
        XCTAssertGreaterThan(cHH, 0.9, "W_hh cosine \(cHH)")
        XCTAssertGreaterThan(cB, 0.9, "b cosine \(cB)")
        XCTAssertGreaterThan(cHead, 0.95, "head cosine \(cHead)")
        // Few copies: a much noisier estimate (the test can tell the estimator apart from the exact gradient).
        m.lr = try ArchitectureLRSettings(copies: 4, sigma: 0.05)
        let few = gradient(m, .lr, x: x, labels: labels, step: 3)
        XCTAssertLessThan(cosine(few, exact, m.offWhh..<m.offB), cHH)
        // Deterministic: the same step gives the same estimate, another step another one.
        XCTAssertEqual(few, gradient(m, .lr, x: x, labels: labels, step: 3))
        XCTAssertNotEqual(few, gradient(m, .lr, x: x, labels: labels, step: 4))
    }

    /// The rnn's variance-reduction variants (docs/results-architectures.md, "Closing the RNN gap") estimate the same
    /// gradient: per-step injection, independent copies with the mean or no baseline, QMC noise.
    func testRNNEstimatorVariantsAgreeWithBPTT() throws {
        let B = 6
        let x = randomInputs(B * 24, seed: 9)
        let labels: [Int32] = [0, 1, 2, 1, 0, 2]
        func variant(_ edit: (inout ArchitectureLRSettings) -> Void, copies: Int = 4000) throws -> ElmanRNN {
            var lr = try ArchitectureLRSettings(copies: copies, sigma: 0.05)
            edit(&lr)
            return try ElmanRNN(inputSize: 4, steps: 6, hidden: 8, classes: 3, seed: 5, lr: lr)
        }
        let exact = gradient(try variant { _ in }, .bp, x: x, labels: labels)
        let cases: [(String, (inout ArchitectureLRSettings) -> Void, Double)] = [
            ("per-step", { $0.perStep = true }, 0.9),
            (
                "mean baseline, independent copies",
                {
                    $0.antithetic = false; $0.baseline = .mean
                }, 0.9
            ),
            ("qmc", { $0.qmc = true }, 0.9),
            ("no baseline", { $0.baseline = .none }, 0.5),
        ]
        for (name, edit, bound) in cases {
            let m = try variant(edit)
            let est = gradient(m, .lr, x: x, labels: labels, step: 3)
            for (tensor, range) in [
                ("W_in", m.offWin..<m.offWhh), ("W_hh", m.offWhh..<m.offB), ("b", m.offB..<m.offWo),
                ("head", m.offWo..<m.parameters.count),
            ] {
                let c = cosine(est, exact, range)
                XCTAssertGreaterThan(c, bound, "\(name): \(tensor) cosine \(c)")
            }
        }
        // Per-step injection at equal copies: each copy's noise has H values instead of T x H.
        let allSteps = try variant({ _ in }, copies: 16), perStep = try variant({ $0.perStep = true }, copies: 16)
        var a = 0.0, p = 0.0
        for step in 0..<20 {
            a += cosine(
                gradient(allSteps, .lr, x: x, labels: labels, step: step), exact, allSteps.offWhh..<allSteps.offB)
            p += cosine(gradient(perStep, .lr, x: x, labels: labels, step: step), exact, perStep.offWhh..<perStep.offB)
        }
        XCTAssertGreaterThan(p, a, "W_hh mean cosine per-step \(p / 20) vs all-steps \(a / 20) at K 16")
    }

    func testRNNVariantsIndependentOfThreadCount() throws {
        var lr = try ArchitectureLRSettings(copies: 16, sigma: 0.1)
        lr.perStep = true; lr.qmc = true; lr.baseline = .mean
        let m = try ElmanRNN(inputSize: 7, steps: 4, hidden: 16, classes: 4, seed: 2, lr: lr)
        let x = randomInputs(40 * 28, seed: 4)
        let labels = (0..<40).map { Int32($0 % 4) }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = gradient(m, .lr, x: x, labels: labels, step: 1)
        Parallel.threads = 2
        XCTAssertEqual(one, gradient(m, .lr, x: x, labels: labels, step: 1))
        XCTAssertNotEqual(one, gradient(m, .lr, x: x, labels: labels, step: 2))
    }

    func testRNNLikelihoodRatioIndependentOfThreadCount() throws {
        let m = try ElmanRNN(
            inputSize: 7, steps: 4, hidden: 16, classes: 4, seed: 2, lr: ArchitectureLRSettings(copies: 64, sigma: 0.1))
        let x = randomInputs(40 * 28, seed: 4)
        let labels = (0..<40).map { Int32($0 % 4) }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = gradient(m, .lr, x: x, labels: labels, step: 1)
        Parallel.threads = 2
        XCTAssertEqual(one, gradient(m, .lr, x: x, labels: labels, step: 1))
    }

    func testSNNAndGNNLikelihoodRatioIndependentOfThreadCount() throws {
        let snn = try SpikingNetwork(
            inputs: 64, hidden: 32, classes: 4, steps: 5, seed: 2, lr: ArchitectureLRSettings(copies: 32, sigma: 0.2))
        let x = randomInputs(40 * 64, seed: 6)
        let labels = (0..<40).map { Int32($0 % 4) }
        let gcn = try GraphConvNetwork(
            graph: try smallGraph(), hidden: 16, seed: 3, lr: ArchitectureLRSettings(copies: 16, sigma: 0.1))
        func graphGradient() -> [Float] {
            var g = [Float](repeating: 0, count: gcn.parameters.count)
            _ = g.withUnsafeMutableBufferPointer { gcn.gradient(.lr, step: 2, into: $0.baseAddress!) }
            return g
        }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let (s1, g1) = (gradient(snn, .lr, x: x, labels: labels, step: 1), graphGradient())
        Parallel.threads = 2
        XCTAssertEqual(s1, gradient(snn, .lr, x: x, labels: labels, step: 1))
        XCTAssertEqual(g1, graphGradient())
    }

    // MARK: SNN

    func testSNNReadoutLRGradientMatchesExact() throws {
        let m = try SpikingNetwork(
            inputs: 20, hidden: 12, classes: 3, steps: 6, seed: 3,
            lr: ArchitectureLRSettings(copies: 2000, sigma: 0.1))
        let B = 8
        let x = randomInputs(B * 20, seed: 12)
        let labels = (0..<B).map { Int32($0 % 3) }
        // The readout is not spiking, so the surrogate BPTT gradient of W2 and b2 is exact there.
        let exact = gradient(m, .bp, x: x, labels: labels, step: 5)
        let est = gradient(m, .lr, x: x, labels: labels, step: 5)
        XCTAssertGreaterThan(m.lastHiddenRate, 0.01, "hidden neurons should spike")
        XCTAssertLessThan(m.lastHiddenRate, 0.99, "hidden neurons should not spike at every step")
        let c = cosine(est, exact, m.offW2..<m.parameters.count)
        XCTAssertGreaterThan(c, 0.9, "readout cosine \(c)")
        // The hidden layer's LR estimate is nonzero although the spike is a hard threshold.
        XCTAssertGreaterThan(est[m.offW1..<m.offB1].map { abs($0) }.max()!, 0)
    }

    /// Through the one `Trainer` (as `lrsim train --model snn:...` runs it).
    func testSNNTrainsWithHardThresholdByLR() throws {
        let data = "synthetic:features=64,classes=4,train=800,test=400,separation=6,seed=5"
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: .lr, copies: [16], sigma: [0.3]))
        c.model = "snn:64-32-4xT8"; c.data = data; c.epochs = 3; c.batch = 32; c.learningRate = 1e-2; c.seed = 1
        let (train, test) = try DatasetCatalog.load(name: data, dataDir: nil, trainLimit: nil, testLimit: nil)
        let t = try Trainer(config: c, train: train, test: test)
        t.showProgress = false
        let before = t.evaluate().accuracy
        let report = try t.run()
        let after = report.final.testAccuracy
        XCTAssertGreaterThan(
            after, 0.6, "LR-trained SNN test accuracy \(after) (chance 0.25, before training \(before))")
        XCTAssertGreaterThan(after, before + 0.1)
        let snn = try XCTUnwrap((t.model as? SequenceModelTrainer)?.model as? SpikingNetwork)
        XCTAssertGreaterThan(snn.lastHiddenRate, 0.0)
    }

    // MARK: GNN

    func smallGraph(nodes: Int = 200, classes: Int = 3, features: Int = 8, train: Int = 100) throws
        -> StochasticBlockGraph
    {
        var o = StochasticBlockGraph.Options()
        o.nodes = nodes; o.classes = classes; o.features = features; o.trainCount = train
        o.pIn = 0.06; o.pOut = 0.01; o.seed = 7
        return try StochasticBlockGraph(o)
    }

    func testGeneratedGraphIsDeterministicSymmetricAndHomophilous() throws {
        let a = try smallGraph(), b = try smallGraph()
        XCTAssertEqual(a.columns, b.columns); XCTAssertEqual(a.features, b.features); XCTAssertEqual(a.labels, b.labels)
        XCTAssertGreaterThan(a.edgeCount, 100)
        XCTAssertGreaterThan(a.homophily, 0.5, "pIn >> pOut should give mostly same-class edges")
        // A_hat is symmetric: entry (i, j) equals entry (j, i).
        var entries = [Int: Float]()
        for i in 0..<a.nodes {
            for e in a.rowStart[i]..<a.rowStart[i + 1] { entries[i * a.nodes + Int(a.columns[e])] = a.values[e] }
        }
        for (ij, v) in entries { XCTAssertEqual(entries[(ij % a.nodes) * a.nodes + ij / a.nodes], v) }
        var o = a.options; o.seed = 8
        XCTAssertNotEqual(try StochasticBlockGraph(o).columns, a.columns)
        o.trainCount = o.nodes
        XCTAssertThrowsError(try StochasticBlockGraph(o))
    }

    func testGNNLikelihoodRatioAgreesWithBackprop() throws {
        let graph = try smallGraph()
        let m = try GraphConvNetwork(
            graph: graph, hidden: 16, seed: 3, lr: ArchitectureLRSettings(copies: 1000, sigma: 0.05))
        var exact = [Float](repeating: 0, count: m.parameters.count), est = exact
        _ = exact.withUnsafeMutableBufferPointer { m.gradient(.bp, step: 0, into: $0.baseAddress!) }
        _ = est.withUnsafeMutableBufferPointer { m.gradient(.lr, step: 0, into: $0.baseAddress!) }
        let c1 = cosine(est, exact, m.offW1..<m.offW2), c2 = cosine(est, exact, m.offW2..<m.parameters.count)
        XCTAssertGreaterThan(c1, 0.9, "layer-1 cosine \(c1)")
        XCTAssertGreaterThan(c2, 0.95, "layer-2 cosine \(c2)")
    }

    /// Through the one `Trainer` (as `lrsim train --model gnn:... --data sbm:...` runs it): one full-graph step per
    /// epoch, checks against backprop every 10 steps.
    func testGNNTrainsByLikelihoodRatio() throws {
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: .lr, copies: [32], sigma: [0.1]))
        c.model = "gnn:400-16-16-4"; c.data = "sbm:p_in=0.06,p_out=0.01,train=200,seed=7"
        c.epochs = 40; c.batch = 200; c.learningRate = 0.02; c.gradCheckEvery = 10; c.seed = 1
        let (train, test) = try DatasetCatalog.load(
            name: c.data, dataDir: nil, model: c.modelSpec(), trainLimit: nil, testLimit: nil)
        XCTAssertEqual(train.count, 200)
        let t = try Trainer(config: c, train: train, test: test)
        t.showProgress = false
        let report = try t.run()
        XCTAssertGreaterThan(report.final.testAccuracy, 0.6, "chance is 0.25")
        // The in-training checks against backprop: one per 10 steps, both layers clearly aligned at K = 32.
        XCTAssertEqual(report.gradientChecks.map(\.step), [0, 10, 20, 30])
        XCTAssertEqual(report.gradientGroups, ["layer1", "layer2"])
        XCTAssertGreaterThan(report.gradientCosineVsBp?[0] ?? 0, 0.5)
        XCTAssertGreaterThan(report.gradientCosineVsBp?[1] ?? 0, 0.7)
        XCTAssertLessThan(report.final.trainLoss, report.epochs[0].trainLoss)
        // The full graph is the batch.
        c.batch = 128
        XCTAssertThrowsError(try Trainer(config: c, train: train, test: test)) { e in
            XCTAssertEqual((e as? SettingError)?.setting, "batch", "\(e)")
        }
    }

    func testBadSettingsThrow() {
        XCTAssertThrowsError(try ArchitectureLRSettings(copies: 3, sigma: 0.1))
        XCTAssertThrowsError(try ArchitectureLRSettings(copies: 8, sigma: 0))
        XCTAssertThrowsError(try ArchitectureLRSettings(copies: 8, sigma: .nan))
        XCTAssertThrowsError(try ElmanRNN(inputSize: 0, steps: 28, hidden: 8, classes: 10, seed: 0, lr: nil))
    }
}
