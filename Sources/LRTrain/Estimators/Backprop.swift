import LRCore

/// Exact backpropagation: the reference every estimator is compared with.
public final class BackpropEngine {
    public let workspace: ForwardWorkspace
    var delta = FloatBuffer(), deltaNext = FloatBuffer(), pixelMajor = FloatBuffer(), dcols = FloatBuffer()
    var lossBuffer = FloatBuffer()

    public init(spec: NetworkSpec) { workspace = ForwardWorkspace(spec: spec) }

    /// Adds d(mean loss)/d(parameters) into `gradient` and returns the mean loss. With `accumulate: false` it stores
    /// the gradient instead, writing every parameter (the caller need not zero the vector). If `inputGradient` is given,
    /// it receives d(loss_b)/d(x_b) per sample (not divided by the batch size), for FGSM. With `trainingNoise` (BP+) the
    /// forward adds that noise to every parametric layer's output and the gradient is the noisy network's.
    @discardableResult
    package func gradient(
        network: Network, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
        into gradient: UnsafeMutablePointer<Float>, accumulate: Bool = true,
        inputGradient: UnsafeMutablePointer<Float>? = nil, trainingNoise: TrainingNoise? = nil
    ) -> Double {
        let spec = network.spec, ws = workspace
        let classes = network.classes
        return network.parameters.withUnsafeBufferPointer { pbuf -> Double in
            let params = pbuf.baseAddress!
            let logits =
                trainingNoise.map {
                    noisyForward(network: network, parameters: params, input: input, rows: rows, noise: $0)
                }
                ?? ws.forward(parameters: params, layout: network.layout, from: 0, input: input, rows: rows)
            let losses = lossBuffer.reserve(rows)
            SoftmaxCrossEntropy.losses(
                logits: logits, rows: rows, classes: classes, labels: labels, copiesPerLabel: 1, out: losses)
            var total = 0.0
            for r in 0..<rows { total += Double(losses[r]) }

            // Per-sample deltas; the 1/B of the mean loss is applied in the weight gradients.
            var d = delta.reserve(rows &* classes)
            SoftmaxCrossEntropy.gradient(logits: logits, rows: rows, classes: classes, labels: labels, scale: 1, out: d)
            let scale = 1 / Float(rows)
            for i in stride(from: spec.layers.count - 1, through: 0, by: -1) {
                let x: UnsafePointer<Float> = i == 0 ? input : UnsafePointer(ws.output(i - 1))
                let needInput = i > 0 || inputGradient != nil
                let inSize = ws.size(after: i - 1)
                let dx =
                    i == 0 ? (inputGradient ?? deltaNext.reserve(rows &* inSize)) : deltaNext.reserve(rows &* inSize)
                let inShape = spec.inputShape(of: i)
                switch spec.layers[i] {
                case let .dense(inputs, outputs):
                    let slot = network.layout.slot(forLayer: i)!
                    DenseKernels.weightGradient(
                        x: x, dy: d, rows: rows, inputs: inputs, outputs: outputs, scale: scale,
                        dWeight: gradient + slot.weightOffset, dBias: gradient + slot.biasOffset,
                        accumulate: accumulate)
                    if needInput {
                        DenseKernels.inputGradient(
                            dy: d, rows: rows, inputs: inputs, outputs: outputs,
                            weight: params + slot.weightOffset, dx: dx)
                    }
                case .conv2d:
                    let g = ws.geometry(i)!
                    let slot = network.layout.slot(forLayer: i)!
                    let pm = pixelMajor.reserve(rows &* g.outputSize)
                    ConvKernels.nchwToPixelMajor(d, rows: rows, pixels: g.pixels, channels: g.spec.outChannels, dst: pm)
                    ConvKernels.weightGradient(
                        g, cols: ws.columns(i), deltaPixelMajor: pm, rows: rows, scale: scale,
                        dWeight: gradient + slot.weightOffset, dBias: gradient + slot.biasOffset,
                        accumulate: accumulate)
                    if needInput {
                        let dc = dcols.reserve(rows &* g.pixels &* g.patch)
                        BLAS.sgemm(
                            m: rows &* g.pixels, n: g.patch, k: g.spec.outChannels, a: pm, lda: g.spec.outChannels,
                            b: params + slot.weightOffset, ldb: g.patch, beta: 0, c: dc, ldc: g.patch)
                        ConvKernels.col2im(g, dcols: dc, rows: rows, dx: dx)
                    }
                case let .pool(kind, size, stride):
                    PoolKernels.backward(
                        kind: kind, size: size, stride: stride, channels: inShape[0], height: inShape[1],
                        width: inShape[2], dy: d, rows: rows,
                        argmax: kind == .max ? UnsafePointer(ws.argmax[i].pointer) : nil, dx: dx)
                case .flatten:
                    dx.update(from: d, count: rows &* inSize)
                case .batchNorm, .residual, .projection:
                    preconditionFailure("simulator-only layer: rejected when the training configuration is resolved")
                case let .activation(a):
                    ActivationKernels.backward(a, x: x, y: ws.output(i), dy: d, dx: dx, count: rows &* inSize)
                }
                if i > 0 {
                    swap(&delta, &deltaNext)
                    d = delta.pointer
                }
            }
            return total / Double(rows)
        }
    }
}
