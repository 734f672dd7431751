import LRCore

/// Test-set accuracy and adversarial (FGSM) accuracy; the input gradient the gradient attacks (`Attacks/`) use.
public final class Evaluator {
    let engine: BackpropEngine
    let chunk = 500
    var inputGradient = FloatBuffer(), parameterScratch = FloatBuffer()

    public init(spec: NetworkSpec) { engine = BackpropEngine(spec: spec) }

    /// Fraction of samples whose largest logit is the label, and the mean loss.
    public func accuracy(_ network: Network, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int)
        -> (accuracy: Double, loss: Double)
    {
        let ws = engine.workspace, F = network.spec.inputCount, C = network.classes
        var correct = 0, loss = 0.0
        let losses = FloatBuffer(capacity: chunk)
        network.parameters.withUnsafeBufferPointer { p in
            var start = 0
            while start < count {
                let n = min(chunk, count - start)
                let z = ws.forward(
                    parameters: p.baseAddress!, layout: network.layout, from: 0, input: images + start * F, rows: n)
                SoftmaxCrossEntropy.losses(
                    logits: z, rows: n, classes: C, labels: labels + start, copiesPerLabel: 1, out: losses.pointer)
                for r in 0..<n {
                    if SoftmaxCrossEntropy.argmax(logits: z, row: r, classes: C) == Int(labels[start + r]) {
                        correct += 1
                    }
                    loss += Double(losses.pointer[r])
                }
                start += n
            }
        }
        return (Double(correct) / Double(max(1, count)), loss / Double(max(1, count)))
    }

    /// Accuracy on x + epsilon * sign(d loss / d x), clipped to the data range [0, 1] (Goodfellow et al. 2015), the
    /// gradient being this network's own (white-box).
    public func fgsmAccuracy(
        _ network: Network, epsilon: Float, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int
    ) -> Double {
        let x = fgsm(network, epsilon: epsilon, images: images, labels: labels, count: count)
        return x.withUnsafeBufferPointer {
            accuracy(network, images: $0.baseAddress!, labels: labels, count: count).accuracy
        }
    }

    /// The FGSM images of `network` (the attacked network for a white-box attack, a substitute for a transfer attack):
    /// x + epsilon * sign(d loss_b / d x_b) clipped to [0, 1], the gradient from backprop on the clean network.
    public func fgsm(
        _ network: Network, epsilon: Float, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int
    ) -> [Float] {
        let F = network.spec.inputCount
        var out = [Float](repeating: 0, count: count &* F)
        out.withUnsafeMutableBufferPointer { o in
            var start = 0
            while start < count {
                let n = min(chunk, count &- start)
                let g = inputGradient(network, images: images + start &* F, labels: labels + start, rows: n)
                let src = images + start &* F, x = o.baseAddress! + start &* F
                for i in 0..<(n &* F) {
                    let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
                    x[i] = min(1, max(0, src[i] + epsilon * s))
                }
                start &+= n
            }
        }
        return out
    }

    /// d loss_b / d x_b for `rows` samples (backprop on the clean network); valid until the next call.
    func inputGradient(
        _ network: Network, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        rows n: Int
    ) -> UnsafeMutablePointer<Float> {
        let g = inputGradient.reserve(n &* network.spec.inputCount)
        // Only the input gradient is used; the parameter gradient goes to scratch.
        let s = parameterScratch.reserve(network.layout.count)
        engine.gradient(
            network: network, input: images, labels: labels, rows: n, into: s, accumulate: false, inputGradient: g)
        return g
    }
}
