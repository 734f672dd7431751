import LRCore

/// Test-set accuracy and adversarial (FGSM) accuracy.
public final class Evaluator {
    let engine: BackpropEngine
    let chunk = 500
    var inputGradient = FloatBuffer(), adversarial = FloatBuffer()

    public init(spec: NetworkSpec) { engine = BackpropEngine(spec: spec) }

    /// Fraction of samples whose largest logit is the label, and the mean loss.
    public func accuracy(_ network: Network, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int) -> (accuracy: Double, loss: Double) {
        let ws = engine.workspace, F = network.spec.inputCount, C = network.classes
        var correct = 0, loss = 0.0
        let losses = FloatBuffer(capacity: chunk)
        network.parameters.withUnsafeBufferPointer { p in
            var start = 0
            while start < count {
                let n = min(chunk, count - start)
                let z = ws.forward(parameters: p.baseAddress!, layout: network.layout, from: 0, input: images + start * F, rows: n)
                SoftmaxCrossEntropy.losses(logits: z, rows: n, classes: C, labels: labels + start, copiesPerLabel: 1, out: losses.pointer)
                for r in 0..<n {
                    if SoftmaxCrossEntropy.argmax(logits: z, row: r, classes: C) == Int(labels[start + r]) { correct += 1 }
                    loss += Double(losses.pointer[r])
                }
                start += n
            }
        }
        return (Double(correct) / Double(max(1, count)), loss / Double(max(1, count)))
    }

    /// Accuracy on x + epsilon * sign(d loss / d x), clipped to the data range [0, 1] (Goodfellow et al. 2015).
    public func fgsmAccuracy(_ network: Network, epsilon: Float, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                             count: Int) -> Double {
        let F = network.spec.inputCount
        var correct = 0
        var scratch = [Float](repeating: 0, count: network.layout.count)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            let g = inputGradient.reserve(n * F)
            // Only the input gradient is used; the parameter gradient goes to scratch.
            _ = scratch.withUnsafeMutableBufferPointer { s in
                engine.gradient(network: network, input: images + start * F, labels: labels + start, rows: n,
                                into: s.baseAddress!, accumulate: false, inputGradient: g)
            }
            let x = adversarial.reserve(n * F)
            let src = images + start * F
            for i in 0..<(n * F) {
                let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
                x[i] = min(1, max(0, src[i] + epsilon * s))
            }
            let (acc, _) = accuracy(network, images: x, labels: labels + start, count: n)
            correct += Int((acc * Double(n)).rounded())
            start += n
        }
        return Double(correct) / Double(max(1, count))
    }
}
