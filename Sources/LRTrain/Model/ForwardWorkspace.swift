import LRCore

/// Buffers for running a network (or its tail from some layer on) over a batch of rows, reused across steps.
///
/// `output(i)` is layer i's output for the last `forward` call; the inputs of every layer therefore stay available
/// for gradient computation (backprop's stored activations, LR's stored layer inputs).
public final class ForwardWorkspace {
    public let spec: NetworkSpec
    let shapes: [[Int]]
    let sizes: [Int]
    let geometries: [ConvGeometry?]
    var outputs: [FloatBuffer]
    var cols: [FloatBuffer]
    var tmp: FloatBuffer
    var argmax: [Int32Buffer]
    public private(set) var rows = 0

    public init(spec: NetworkSpec) {
        self.spec = spec
        shapes = spec.shapes
        sizes = shapes.map { $0.reduce(1, *) }
        geometries = spec.layers.indices.map { i in
            if case let .conv2d(c) = spec.layers[i] { return ConvGeometry(c, inputShape: spec.inputShape(of: i)) }
            return nil
        }
        outputs = spec.layers.map { _ in FloatBuffer() }
        cols = spec.layers.map { _ in FloatBuffer() }
        tmp = FloatBuffer()
        argmax = spec.layers.map { _ in Int32Buffer() }
    }

    /// Features per sample at the output of layer i (i = -1: the network input).
    public func size(after i: Int) -> Int { i < 0 ? spec.inputCount : sizes[i] }

    public func output(_ i: Int) -> UnsafeMutablePointer<Float> { outputs[i].pointer }
    public func columns(_ i: Int) -> UnsafeMutablePointer<Float> { cols[i].pointer }
    public func geometry(_ i: Int) -> ConvGeometry? { geometries[i] }

    /// Runs layers `start...` on `rows` rows whose input (the output of layer start-1) is `input`; returns the logits.
    @discardableResult
    public func forward(
        parameters: UnsafePointer<Float>, layout: ParameterLayout, from start: Int,
        input: UnsafePointer<Float>, rows: Int
    ) -> UnsafePointer<Float> {
        forward(
            parameters: parameters, layout: layout, from: start, through: spec.layers.count - 1, input: input,
            rows: rows)
    }

    /// Runs layers `start...end` only and returns layer `end`'s output (`output(end)`), so a caller can change it
    /// (add noise) before the next segment reads it.
    @discardableResult
    public func forward(
        parameters: UnsafePointer<Float>, layout: ParameterLayout, from start: Int, through end: Int,
        input: UnsafePointer<Float>, rows: Int
    ) -> UnsafePointer<Float> {
        self.rows = rows
        var x = input
        for i in stride(from: start, through: end, by: 1) {
            let y = outputs[i].reserve(rows &* sizes[i])
            let inShape = spec.inputShape(of: i)
            switch spec.layers[i] {
            case let .dense(inputs, outs):
                let slot = layout.slot(forLayer: i)!
                DenseKernels.forward(
                    x: x, rows: rows, inputs: inputs, outputs: outs,
                    weight: parameters + slot.weightOffset, bias: parameters + slot.biasOffset, y: y)
            case .conv2d:
                let g = geometries[i]!
                let slot = layout.slot(forLayer: i)!
                let c = cols[i].reserve(rows &* g.pixels &* g.patch)
                let t = tmp.reserve(rows &* g.pixels &* g.spec.outChannels)
                ConvKernels.forward(
                    g, x: x, rows: rows, weight: parameters + slot.weightOffset,
                    bias: parameters + slot.biasOffset, cols: c, tmp: t, y: y)
            case let .pool(kind, size, stride):
                let am = kind == .max ? argmax[i].reserve(rows &* sizes[i]) : nil
                PoolKernels.forward(
                    kind: kind, size: size, stride: stride, channels: inShape[0], height: inShape[1],
                    width: inShape[2], x: x, rows: rows, y: y, argmax: am)
            case .flatten:
                y.update(from: x, count: rows &* sizes[i])
            case .batchNorm, .residual, .projection:
                preconditionFailure("simulator-only layer: rejected when the training configuration is resolved")
            case let .activation(a):
                ActivationKernels.forward(a, x: x, y: y, count: rows &* sizes[i])
            }
            x = UnsafePointer(y)
        }
        return x
    }
}

/// Int32 scratch (max-pool argmax indices).
public final class Int32Buffer {
    public private(set) var pointer: UnsafeMutablePointer<Int32>
    public private(set) var capacity: Int
    public init() { capacity = 1; pointer = .allocate(capacity: 1); pointer.initialize(to: 0) }
    deinit { pointer.deallocate() }
    public func reserve(_ n: Int) -> UnsafeMutablePointer<Int32> {
        if n > capacity {
            pointer.deallocate()
            capacity = n
            pointer = .allocate(capacity: n)
            pointer.initialize(repeating: 0, count: n)
        }
        return pointer
    }
}
