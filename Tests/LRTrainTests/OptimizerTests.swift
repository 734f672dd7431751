import LRCore
import LRTestSupport
import XCTest

@testable import LRTrain

/// The optimizers against independent double-precision evaluations of their textbook definitions, and the
/// determinism of their chunked, vectorized loops.
final class OptimizerTests: XCTestCase {
    /// Long enough for four chunks of `Parallel.forEqualRanges` and a scalar tail after the vector body.
    static let count = (1 << 18) + 13

    static func vectors(_ n: Int, seed: UInt64) -> (params: [Float], gradients: [[Float]]) {
        var rng = SeededRandom(seed: seed)
        let params = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        // Gradients of mixed scales, including exact zeros, as a real network produces.
        let gradients = (0..<5).map { _ in
            (0..<n).map { i -> Float in
                i % 17 == 0 ? 0 : Float.random(in: -1...1, using: &rng) * (i % 3 == 0 ? 1e-4 : 1e-1)
            }
        }
        return (params, gradients)
    }

    /// Adam as PyTorch writes it (bias-corrected moments, epsilon outside the square root), in double precision.
    func testAdamMatchesTheTextbookUpdateInDoublePrecision() {
        let n = 4099
        let (start, gradients) = Self.vectors(n, seed: 3)
        var opt = Optimizer(kind: .adam, learningRate: 1e-3, parameterCount: n)
        var p = start
        var ref = start.map(Double.init), m = [Double](repeating: 0, count: n), v = m
        let (b1, b2, eps, lr) = (0.9, 0.999, 1e-8, 1e-3)
        for (t, g) in gradients.enumerated() {
            g.withUnsafeBufferPointer { opt.apply(gradient: $0.baseAddress!, to: &p) }
            let c1 = 1 - pow(b1, Double(t + 1)), c2 = 1 - pow(b2, Double(t + 1))
            for i in 0..<n {
                let gi = Double(g[i])
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                ref[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
            }
        }
        XCTAssertEqual(opt.steps, gradients.count)
        for i in 0..<n {
            // Each step moves a parameter by at most about lr; float rounding of the update is far below that.
            XCTAssertEqual(Double(p[i]), ref[i], accuracy: 1e-7 + 1e-6 * abs(ref[i]), "parameter \(i)")
        }
        // Adam's first step is lr * g / (|g| + eps): about lr * sign(g), whatever the gradient's scale.
        var first = start
        var fresh = Optimizer(kind: .adam, learningRate: 1e-3, parameterCount: n)
        gradients[0].withUnsafeBufferPointer { fresh.apply(gradient: $0.baseAddress!, to: &first) }
        for i in 0..<n {
            let g = Double(gradients[0][i])
            XCTAssertEqual(
                Double(start[i]) - Double(first[i]), 1e-3 * g / (abs(g) + eps),
                accuracy: Double(start[i].ulp) + 1e-9, "parameter \(i)")
        }
    }

    func testSGDWithMomentumMatchesItsDefinition() {
        let n = 1031
        let (start, gradients) = Self.vectors(n, seed: 5)
        var opt = Optimizer(kind: .sgd, learningRate: 0.05, momentum: 0.9, parameterCount: n)
        var p = start
        var ref = start, vel = [Float](repeating: 0, count: n)
        for g in gradients {
            g.withUnsafeBufferPointer { opt.apply(gradient: $0.baseAddress!, to: &p) }
            for i in 0..<n {
                vel[i] = 0.9 * vel[i] + g[i]
                ref[i] -= 0.05 * vel[i]
            }
        }
        // Same float operations in the same order: bit-identical.
        XCTAssertEqual(p.map(\.bitPattern), ref.map(\.bitPattern))
    }

    /// Weight decay as PyTorch's SGD and Adam apply it (and the LR authors' scripts): g + wd * theta before the step.
    /// Through the trainer: `--weight-decay` reaches the optimizer, and a run with it ends with smaller weights.
    func testWeightDecayIsAddedToTheGradientAsPyTorchDoes() throws {
        let n = 1031
        let (start, gradients) = Self.vectors(n, seed: 7)
        for kind in OptimizerKind.allCases {
            var opt = Optimizer(kind: kind, learningRate: 0.05, momentum: 0.5, parameterCount: n)
            opt.weightDecay = 1e-2
            var plain = Optimizer(kind: kind, learningRate: 0.05, momentum: 0.5, parameterCount: n)
            var p = start, q = start
            for g in gradients {
                g.withUnsafeBufferPointer { opt.apply(gradient: $0.baseAddress!, to: &p) }
                // The same update without decay, fed the decayed gradient by hand.
                let decayed = zip(g, q).map { $0 + 1e-2 * $1 }
                decayed.withUnsafeBufferPointer { plain.apply(gradient: $0.baseAddress!, to: &q) }
            }
            XCTAssertEqual(p.map(\.bitPattern), q.map(\.bitPattern), "\(kind)")
        }
        let data = try SyntheticDataset.make(
            SyntheticSpec(features: 16, classes: 3, trainCount: 256, testCount: 64, seed: 2),
            split: .train)
        var c = TrainingConfiguration(estimator: EstimatorSettings(kind: .bp, copies: [8], sigma: [0.1]))
        c.data = "synthetic"; c.model = "mlp:16-8-3"; c.epochs = 2; c.batch = 32; c.optimizer = .sgd;
        c.learningRate = 0.1
        func norm(_ c: TrainingConfiguration) throws -> Double {
            let t = try Trainer(config: c, train: data, test: data)
            t.showProgress = false
            try t.run()
            XCTAssertEqual(t.optimizer.weightDecay, c.weightDecay ?? 0)
            return VectorMath.norm(t.network.parameters)
        }
        let without = try norm(c)
        c.weightDecay = 0.05
        XCTAssertLessThan(try norm(c), without)
    }

    /// `--init scaled-normal`: N(0, 1) x 2 / sqrt(fan_in + 1) for weights and biases (the LR authors' scripts).
    func testScaledNormalInitialisationHasTheAuthorsScale() throws {
        let spec = try NetworkSpec.parse("mlp:784-50-10", activation: .sigmoid)
        let net = Network(spec: spec, seed: 3, initialization: .scaledNormal)
        for slot in net.layout.slots {
            let w = net.parameters[slot.range].map(Double.init)
            let mean = w.reduce(0, +) / Double(w.count)
            let sd = (w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count)).squareRoot()
            let expected = 2 / Double(slot.fanIn + 1).squareRoot()
            XCTAssertEqual(sd, expected, accuracy: expected * (slot.fanIn > 100 ? 0.02 : 0.1), "layer \(slot.layer)")
            XCTAssertEqual(mean, 0, accuracy: 4 * expected / Double(w.count).squareRoot())
            XCTAssertTrue(net.parameters[slot.biasOffset..<(slot.biasOffset + slot.biasCount)].contains { $0 != 0 })
        }
        XCTAssertEqual(Network(spec: spec, seed: 3, initialization: .scaledNormal).parameters, net.parameters)
        XCTAssertNotEqual(Network(spec: spec, seed: 3).parameters, net.parameters)
    }

    /// The update is chunked over the cores and vectorized with a scalar tail; neither may change a bit.
    func testUpdatesAreBitIdenticalOnAnyThreadCount() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        let (start, gradients) = Self.vectors(Self.count, seed: 7)
        for kind in OptimizerKind.allCases {
            func run(threads: Int) -> [Float] {
                Parallel.threads = threads
                var opt = Optimizer(kind: kind, learningRate: 1e-3, parameterCount: start.count)
                var p = start
                for g in gradients { g.withUnsafeBufferPointer { opt.apply(gradient: $0.baseAddress!, to: &p) } }
                return p + opt.first + opt.second
            }
            let one = run(threads: 1)
            for t in [2, 3] {
                XCTAssertEqual(run(threads: t).map(\.bitPattern), one.map(\.bitPattern), "\(kind), \(t) threads")
            }
        }
    }

    /// Elements updated by the vectorized body and by the scalar tail follow the same arithmetic: a vector whose
    /// length leaves a tail gives, element for element, what a one-element update of that element gives.
    func testVectorBodyAndScalarTailAgree() {
        let n = 67
        let (start, gradients) = Self.vectors(n, seed: 9)
        var whole = start
        var opt = Optimizer(kind: .adam, learningRate: 1e-3, parameterCount: n)
        for g in gradients { g.withUnsafeBufferPointer { opt.apply(gradient: $0.baseAddress!, to: &whole) } }
        for i in [0, 1, 15, 16, 31, 63, 64, 66] {
            var single = [start[i]]
            var o = Optimizer(kind: .adam, learningRate: 1e-3, parameterCount: 1)
            for g in gradients { [g[i]].withUnsafeBufferPointer { o.apply(gradient: $0.baseAddress!, to: &single) } }
            XCTAssertEqual(single[0].bitPattern, whole[i].bitPattern, "element \(i)")
        }
    }

    /// A gradient that stops: Adam's moments decay geometrically and must go to zero without passing through
    /// subnormal values (each costs a microcode assist), while the parameters follow the textbook update.
    func testDecayingMomentsSkipTheSubnormalRangeAndParametersFollowTheTextbook() {
        let n = 37
        var p = [Float](repeating: 0.5, count: n)
        var opt = Optimizer(kind: .adam, learningRate: 1e-3, parameterCount: n)
        var ref = [Double](repeating: 0.5, count: n), m = [Double](repeating: 0, count: n), v = m
        let first = (0..<n).map { Float($0 + 1) * 1e-3 }
        let zero = [Float](repeating: 0, count: n)
        for t in 1...1500 {
            let g = t == 1 ? first : zero
            g.withUnsafeBufferPointer { opt.apply(gradient: $0.baseAddress!, to: &p) }
            let c1 = 1 - pow(0.9, Double(t)), c2 = 1 - pow(0.999, Double(t))
            for i in 0..<n {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                ref[i] -= 1e-3 * (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
            }
            XCTAssertFalse((opt.first + opt.second).contains { $0.isSubnormal }, "step \(t): a subnormal moment")
        }
        // By step 1500 the first moments (0.9^1500) are gone, the second ones (0.999^1500) are not.
        XCTAssertTrue(opt.first.allSatisfy { $0 == 0 })
        XCTAssertTrue(opt.second.allSatisfy { $0 > 0 })
        for i in 0..<n { XCTAssertEqual(Double(p[i]), ref[i], accuracy: 1e-6, "parameter \(i)") }
    }
}
