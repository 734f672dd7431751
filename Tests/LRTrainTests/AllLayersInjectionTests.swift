import Foundation
import LRCore
import XCTest

@testable import LRTrain

/// All-layer injection (`--injection all-layers`): the estimate against an independent double-precision evaluation of
/// its formula from the regenerated noise, against backprop and the smoothed gradient, determinism, and refusals.
final class AllLayersInjectionTests: XCTestCase {
    func settings(
        _ kind: EstimatorKind = .lr, K: Int, sigma: [Float] = [0.1], antithetic: Bool = true,
        baseline: Baseline = .clean, noise: NoiseKind = .gaussian
    ) -> EstimatorSettings {
        EstimatorSettings(
            kind: kind, copies: [K], sigma: sigma, antithetic: antithetic, baseline: baseline, noise: noise,
            injection: .allLayers)
    }

    /// dW_l = (1/BK) sum_n (L_n - baseline_n) s(z_{n,l}) (outer) x_{n,l}, written out in Double for an MLP: every copy
    /// runs its own forward with noise on every dense layer's output; x_{n,l} is the noisy pass's input of layer l.
    func reference(_ bed: EstimatorTestbed, _ unresolved: EstimatorSettings, seed: UInt64, step: Int) -> [Double] {
        let s = try! unresolved.resolved(parametricLayers: bed.network.layout.slots.count)
        let spec = bed.network.spec, layout = bed.network.layout, p = bed.network.parameters.map(Double.init)
        let K = s.copies[0], B = bed.rows, nd = s.antithetic ? K / 2 : K
        let source = NoiseSource(seed: seed, kind: s.noise, stream: .logitNoise)
        var g = [Double](repeating: 0, count: layout.count)
        func forward(_ x0: [Double], noise: (Int, Int) -> Double?) -> (logits: [Double], inputs: [Int: [Double]]) {
            var x = x0, inputs: [Int: [Double]] = [:]
            for (i, layer) in spec.layers.enumerated() {
                switch layer {
                case let .dense(nIn, nOut):
                    let slot = layout.slot(forLayer: i)!
                    inputs[i] = x
                    x = (0..<nOut).map { j in
                        var v = p[slot.biasOffset + j]
                        for k in 0..<nIn { v += p[slot.weightOffset + j * nIn + k] * x[k] }
                        return v + (noise(i, j) ?? 0)
                    }
                case let .activation(a):
                    x = x.map { v in
                        switch a {
                        case .tanh: return Foundation.tanh(v)
                        case .sigmoid: return 1 / (1 + Foundation.exp(-v))
                        case .relu: return max(v, 0)
                        case .step: return v > 0 ? 1 : 0
                        case .identity: return v
                        }
                    }
                default: XCTFail("reference covers MLPs")
                }
            }
            return (x, inputs)
        }
        func loss(_ z: [Double], _ y: Int) -> Double {
            let m = z.max()!
            return log(z.reduce(0) { $0 + exp($1 - m) }) + m - z[y]
        }
        for b in 0..<B {
            let x0 = (0..<spec.inputCount).map { Double(bed.input[b * spec.inputCount + $0]) }
            let y = Int(bed.labels[b])
            let l0 = loss(forward(x0) { _, _ in nil }.logits, y)
            // Unit noise of sample b's draws, per layer.
            var e: [Int: [[Float]]] = [:]
            for slot in layout.slots {
                let d = spec.shapes[slot.layer].reduce(1, *)
                e[slot.layer] = (0..<nd).map { m in
                    var row = [Float](repeating: 0, count: d)
                    row.withUnsafeMutableBufferPointer {
                        source.fill(step: step, layer: slot.layer, row: b * nd + m, into: $0)
                    }
                    return row
                }
            }
            let sigmaOf = Dictionary(
                uniqueKeysWithValues: layout.slots.enumerated().map { ($1.layer, Double(s.sigma[$0])) })
            func unit(_ layer: Int, _ k: Int, _ j: Int) -> Double {
                let m = s.antithetic ? k / 2 : k
                let v = Double(e[layer]![m][j])
                return s.antithetic && k % 2 == 1 ? -v : v
            }
            var losses: [Double] = [], inputs: [[Int: [Double]]] = []
            for k in 0..<K {
                let pass = forward(x0) { layer, j in sigmaOf[layer]! * unit(layer, k, j) }
                losses.append(loss(pass.logits, y))
                inputs.append(pass.inputs)
            }
            let base: Double = s.baseline == .clean ? l0 : s.baseline == .mean ? losses.reduce(0, +) / Double(K) : 0
            for k in 0..<K {
                let c = (losses[k] - base) / Double(B * K)
                for slot in layout.slots {
                    let sigma = sigmaOf[slot.layer]!, x = inputs[k][slot.layer]!
                    for j in 0..<slot.biasCount {
                        let u = unit(slot.layer, k, j)
                        let score: Double
                        switch (s.noise, s.kind) {
                        case (.laplace, _): score = (u < 0 ? -1 : 1) / sigma
                        case (.gaussian, .alr): score = (u < 0 ? -1 : 1) * (Double.pi / 2).squareRoot() / sigma
                        default: score = u / sigma
                        }
                        g[slot.biasOffset + j] += c * score
                        for i in 0..<x.count { g[slot.weightOffset + j * x.count + i] += c * score * x[i] }
                    }
                }
            }
        }
        return g
    }

    func testEstimateEqualsItsFormulaEvaluatedIndependently() {
        let cases: [(String, Activation, EstimatorSettings)] = [
            ("mlp:6-5-4-3", .tanh, settings(K: 4)),
            (
                "mlp:6-5-4-3", .sigmoid,
                settings(K: 6, sigma: [0.5, 0.2, 1.0], antithetic: false, baseline: .none, noise: .laplace)
            ),
            ("mlp:6-5-3", .step, settings(.alr, K: 5, sigma: [0.3], antithetic: false, baseline: .mean)),
            ("mlp:6-5-3", .relu, settings(.alr, K: 8, sigma: [0.2], baseline: .clean, noise: .laplace)),
        ]
        for (model, activation, s) in cases {
            let bed = EstimatorTestbed(model: model, activation: activation, rows: 3, seed: 9)
            let mine = bed.estimate(s, step: 7, seed: 21)
            let ref = reference(bed, s, seed: 21, step: 7)
            for slot in bed.network.layout.slots {
                let a = mine[slot.range].map(Double.init), r = Array(ref[slot.range])
                let diff = zip(a, r).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                let norm = r.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
                XCTAssertGreaterThan(norm, 0, "\(model) \(activation) layer \(slot.layer): zero reference")
                XCTAssertLessThan(diff / norm, 1e-4, "\(model) \(activation) \(s.kind) layer \(slot.layer)")
            }
        }
    }

    /// On a single-layer network the only noise is the logits', so all-layer and layer-wise injection use the same
    /// noise rows and must give the same estimate.
    func testOneLayerNetworkEqualsLayerwise() {
        let bed = EstimatorTestbed(model: "mlp:20-5", activation: .tanh, rows: 8, seed: 4)
        var s = settings(K: 8)
        let all = bed.estimate(s, seed: 3)
        s.injection = .layerwise
        let layerwise = bed.estimate(s, seed: 3)
        XCTAssertEqual(VectorMath.cosine(all, layerwise), 1, accuracy: 1e-6)
        XCTAssertEqual(VectorMath.norm(all) / VectorMath.norm(layerwise), 1, accuracy: 1e-5)
    }

    /// The calibration toy (20-32-32-5, tanh, sigma 0.1): the estimate approaches backprop as K grows.
    func testCosineToBackpropRisesWithCopies() {
        let bed = EstimatorTestbed()
        let seeds: Range<UInt64> = 0..<4
        let c10 = bed.meanCosines(settings(K: 10), seeds: seeds)
        let c100 = bed.meanCosines(settings(K: 100), seeds: seeds)
        let c1000 = bed.meanCosines(settings(K: 1000), seeds: seeds)
        for l in 0..<3 {
            XCTAssertLessThan(c10[l], c100[l], "layer \(l): \(c10) \(c100)")
            XCTAssertLessThan(c100[l], c1000[l], "layer \(l): \(c100) \(c1000)")
        }
        // Every layer's estimate carries the other layers' noise too, so the first layer needs more copies than
        // under layer-wise injection (0.81 at K = 1000 against 0.97).
        let large = bed.estimate(settings(K: 8000))
        let cosines = bed.layerCosines(large, bed.backprop())
        XCTAssertGreaterThan(cosines.min()!, 0.9, "\(cosines)")
        for r in bed.layerNormRatios(large, bed.backprop()) { XCTAssertEqual(r, 1, accuracy: 0.15, "\(cosines)") }
    }

    /// At a large sigma the estimate's expectation is the gradient of the smoothed loss E_z[L(theta; z)], which is the
    /// mean of the noisy network's backprop gradients (BP+ with the same noise law), not the clean gradient.
    func testLargeSigmaEstimatesTheSmoothedGradientThatNoisyBackpropAverages() {
        let bed = EstimatorTestbed(model: "mlp:20-16-5", activation: .tanh, rows: 16, seed: 5)
        let sigma: Float = 1.0
        let lr = bed.estimate(settings(K: 20000, sigma: [sigma]), seed: 1)
        var smoothed = [Float](repeating: 0, count: bed.network.layout.count)
        var g = smoothed
        let engine = BackpropEngine(spec: bed.network.spec)
        let source = NoiseSource(seed: 77, kind: .gaussian, stream: .logitNoise)
        let passes = 4000
        bed.input.withUnsafeBufferPointer { x in
            bed.labels.withUnsafeBufferPointer { y in
                for step in 0..<passes {
                    g.withUnsafeMutableBufferPointer { gp in
                        _ = engine.gradient(
                            network: bed.network, input: x.baseAddress!, labels: y.baseAddress!, rows: bed.rows,
                            into: gp.baseAddress!, accumulate: false,
                            trainingNoise: TrainingNoise(source: source, sigma: sigma, step: step))
                    }
                    for i in smoothed.indices { smoothed[i] += g[i] / Float(passes) }
                }
            }
        }
        let clean = bed.backprop()
        let toSmoothed = bed.layerCosines(lr, smoothed), toClean = bed.layerCosines(lr, clean)
        let smoothedVsClean = bed.layerCosines(smoothed, clean)
        for l in 0..<2 {
            // Measured: 0.997 / 0.999 to the smoothed gradient, 0.964 / 0.971 to the clean one.
            XCTAssertGreaterThan(toSmoothed[l], 0.99, "layer \(l): \(toSmoothed)")
            XCTAssertGreaterThan(toSmoothed[l], toClean[l], "layer \(l): smoothed \(toSmoothed) clean \(toClean)")
        }
        // The check has teeth: at this sigma the smoothed and clean gradients differ.
        XCTAssertLessThan(smoothedVsClean.min()!, 0.97, "\(smoothedVsClean)")
    }

    func testEstimateIsIndependentOfThreadCount() {
        let bed = EstimatorTestbed()
        let s = settings(.alr, K: 16, noise: .laplace)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = bed.estimate(s)
        Parallel.threads = 2
        let two = bed.estimate(s)
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
        XCTAssertNotEqual(one, bed.estimate(s, seed: 99))
    }

    func testRefusesWhatAllLayerInjectionCannotDo() {
        func message(_ s: EstimatorSettings, layers: Int = 3) -> String {
            do { _ = try s.resolved(parametricLayers: layers); return "" } catch { return error.description }
        }
        XCTAssertTrue(message(settings(.es, K: 8)).contains("perturbs weights"))
        var mixed = settings(K: 8); mixed.copies = [8, 16, 8]
        XCTAssertTrue(message(mixed).contains("one K"), message(mixed))
        var qmc = settings(K: 8); qmc.qmc = true
        XCTAssertTrue(message(qmc).hasPrefix("qmc:"), message(qmc))
        var weights = settings(K: 8); weights.weightNoiseLayers = [0]
        XCTAssertTrue(message(weights).contains("weight-noise"), message(weights))
        // 'auto' resolves to logit noise everywhere on a CNN.
        let cnn = try! NetworkSpec.parse("cnn:small")
        var auto = settings(K: 8); auto.weightNoiseLayers = nil
        XCTAssertEqual(try auto.resolved(spec: cnn).weightNoiseLayers, [])
        XCTAssertThrowsError(try ArchitectureLRSettings(settings(K: 8), for: "rnn"))
    }
}
