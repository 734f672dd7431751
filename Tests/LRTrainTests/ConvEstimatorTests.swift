import LRCore
import LRTestSupport
import XCTest

@testable import LRTrain

/// The conv-layer LR gradient against a brute-force loop written independently of the im2col/GEMM path.
final class ConvEstimatorTests: XCTestCase {
    // 1x5x5 input, conv 1->2 k3 s2 p1 (-> 2x3x3), tanh, flatten, dense 18->3.
    let conv = ConvSpec(inChannels: 1, outChannels: 2, kernel: 3, stride: 2, padding: 1)
    lazy var spec = NetworkSpec(
        name: "test-conv", inputShape: [1, 5, 5],
        layers: [
            .conv2d(conv), .activation(.tanh), .flatten, .dense(inputs: 18, outputs: 3),
        ])

    func naiveConv(_ x: [Float], _ w: ArraySlice<Float>, _ bias: ArraySlice<Float>) -> [Float] {
        var y = [Float](repeating: 0, count: 18)
        let w = Array(w), bias = Array(bias)
        for oc in 0..<2 {
            for oy in 0..<3 {
                for ox in 0..<3 {
                    var s = bias[oc]
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 1
                            if iy >= 0 && iy < 5 && ix >= 0 && ix < 5 { s += w[oc * 9 + ky * 3 + kx] * x[iy * 5 + ix] }
                        }
                    }
                    y[oc * 9 + oy * 3 + ox] = s
                }
            }
        }
        return y
    }

    func loss(_ h: [Float], _ net: Network, label: Int) -> Double {
        let slot = net.layout.slots[1]
        var z = [Double](repeating: 0, count: 3)
        for j in 0..<3 {
            var s = Double(net.parameters[slot.biasOffset + j])
            for i in 0..<18 { s += Double(net.parameters[slot.weightOffset + j * 18 + i]) * Double(Float.tanh(h[i])) }
            z[j] = s
        }
        let m = z.max()!
        return log(z.reduce(0) { $0 + exp($1 - m) }) + m - z[label]
    }

    func testConvLRGradientMatchesBruteForce() {
        let net = Network(spec: spec, seed: 5)
        let B = 3, K = 4, sigma: Float = 0.1, step = 2
        var rng = SeededRandom(seed: 17)
        let x = (0..<(B * 25)).map { _ in Float.random(in: -1...1, using: &rng) }
        let labels: [Int32] = [0, 2, 1]
        let settings = EstimatorSettings(
            kind: .lr, copies: [K, K], sigma: [sigma, sigma], antithetic: true, baseline: .clean)
        let est = try! LikelihoodRatioEstimator(spec: spec, settings: settings, seed: 8)
        var g = [Float](repeating: 0, count: net.layout.count)
        x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { yp in
                g.withUnsafeMutableBufferPointer { gp in
                    _ = try! est.estimate(
                        network: net, input: xp.baseAddress!, labels: yp.baseAddress!, rows: B, step: step,
                        into: gp.baseAddress!)
                }
            }
        }

        // Brute force: regenerate the noise by its documented row numbering, run every copy, correlate.
        let slot = net.layout.slots[0]
        var expected = [Double](repeating: 0, count: slot.weightCount + slot.biasCount)
        let source = NoiseSource(seed: 8, kind: .gaussian)
        for b in 0..<B {
            let xb = Array(x[(b * 25)..<((b + 1) * 25)])
            let v = naiveConv(
                xb, net.parameters[slot.weightOffset..<(slot.weightOffset + 18)],
                net.parameters[slot.biasOffset..<(slot.biasOffset + 2)])
            for m in 0..<(K / 2) {
                var e = [Float](repeating: 0, count: 18)
                e.withUnsafeMutableBufferPointer { source.fill(step: step, layer: 0, row: b * (K / 2) + m, into: $0) }
                let plus = loss(zip(v, e).map { $0 + sigma * $1 }, net, label: Int(labels[b]))
                let minus = loss(zip(v, e).map { $0 - sigma * $1 }, net, label: Int(labels[b]))
                let a = (plus - minus) / Double(sigma)
                for oc in 0..<2 {
                    for oy in 0..<3 {
                        for ox in 0..<3 {
                            let d = a * Double(e[oc * 9 + oy * 3 + ox])
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 1
                                    if iy >= 0 && iy < 5 && ix >= 0 && ix < 5 {
                                        expected[oc * 9 + ky * 3 + kx] += d * Double(xb[iy * 5 + ix])
                                    }
                                }
                            }
                            expected[18 + oc] += d
                        }
                    }
                }
            }
        }
        let n = Double(B * K)
        for i in expected.indices {
            let want = expected[i] / n, got = Double(g[slot.weightOffset + i])
            XCTAssertEqual(got, want, accuracy: 1e-4 * max(1, abs(want)), "parameter \(i)")
        }
        XCTAssertGreaterThan(expected.map(abs).max()!, 1e-3, "the test must exercise a nonzero gradient")
    }

    func testConvBackpropMatchesFiniteDifferences() {
        var net = Network(spec: spec, seed: 6)
        var rng = SeededRandom(seed: 21)
        let x = (0..<(2 * 25)).map { _ in Float.random(in: -1...1, using: &rng) }
        let labels: [Int32] = [1, 2]
        let engine = BackpropEngine(spec: spec)
        func meanLoss(_ n: Network) -> Double {
            var g = [Float](repeating: 0, count: n.layout.count)
            return x.withUnsafeBufferPointer { xp in
                labels.withUnsafeBufferPointer { yp in
                    g.withUnsafeMutableBufferPointer { gp in
                        engine.gradient(
                            network: n, input: xp.baseAddress!, labels: yp.baseAddress!, rows: 2, into: gp.baseAddress!)
                    }
                }
            }
        }
        var g = [Float](repeating: 0, count: net.layout.count)
        x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { yp in
                g.withUnsafeMutableBufferPointer { gp in
                    _ = engine.gradient(
                        network: net, input: xp.baseAddress!, labels: yp.baseAddress!, rows: 2, into: gp.baseAddress!)
                }
            }
        }
        let h: Float = 1e-2
        for i in stride(from: 0, to: net.layout.count, by: 3) {
            let saved = net.parameters[i]
            net.parameters[i] = saved + h; let up = meanLoss(net)
            net.parameters[i] = saved - h; let down = meanLoss(net)
            net.parameters[i] = saved
            XCTAssertEqual(Double(g[i]), (up - down) / Double(2 * h), accuracy: 2e-3, "parameter \(i)")
        }
    }
}
