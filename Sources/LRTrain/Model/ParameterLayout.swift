import LRCore

/// Where each parametric layer's weights and biases live in one flat parameter vector.
///
/// Keeping all parameters (and gradients, and optimizer moments) in single contiguous vectors makes optimizers a
/// single loop, checkpoints a single write, and gradient comparisons (cosine per layer) simple slices.
public struct ParameterLayout: Sendable, Hashable {
    public struct Slot: Sendable, Hashable {
        /// Index into `NetworkSpec.layers`.
        public let layer: Int
        public let weightOffset: Int, weightCount: Int
        public let biasOffset: Int, biasCount: Int
        /// Fan-in of one output unit (inputs for dense, C*k*k for conv).
        public let fanIn: Int
        public var range: Range<Int> { weightOffset..<(biasOffset + biasCount) }
    }

    public let slots: [Slot]
    public let count: Int

    public init(_ spec: NetworkSpec) {
        var slots: [Slot] = []
        var offset = 0
        for (i, layer) in spec.layers.enumerated() {
            let (w, b, fanIn): (Int, Int, Int)
            switch layer {
            case let .dense(inputs, outputs): (w, b, fanIn) = (inputs * outputs, outputs, inputs)
            case let .conv2d(c):
                let patch = c.inChannels * c.kernel * c.kernel
                (w, b, fanIn) = (c.outChannels * patch, c.outChannels, patch)
            default: continue
            }
            slots.append(
                Slot(layer: i, weightOffset: offset, weightCount: w, biasOffset: offset + w, biasCount: b, fanIn: fanIn)
            )
            offset += w + b
        }
        self.slots = slots
        self.count = offset
    }

    /// The slot of layer `i` (an index into `NetworkSpec.layers`), if it has parameters.
    public func slot(forLayer i: Int) -> Slot? { slots.first { $0.layer == i } }
}
