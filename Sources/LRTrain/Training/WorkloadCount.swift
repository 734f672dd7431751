import LRCore

/// Floating-point operation counts of a training step (2 flops per MAC), for GFLOP/s figures.
package enum WorkloadCount {
    /// MACs of one sample's forward pass through layers `from...`.
    package static func forwardMACs(_ spec: NetworkSpec, from start: Int = 0) -> Double {
        var total = 0.0
        for i in start..<spec.layers.count {
            switch spec.layers[i] {
            case let .dense(inputs, outputs): total += Double(inputs * outputs)
            case let .conv2d(c):
                let s = spec.shapes[i]
                total += Double(c.outChannels * s[1] * s[2] * c.inChannels * c.kernel * c.kernel)
            default: break
            }
        }
        return total
    }

    /// MACs of layer `i` alone (zero for layers without parameters).
    package static func layerMACs(_ spec: NetworkSpec, _ i: Int) -> Double {
        forwardMACs(spec, from: i) - forwardMACs(spec, from: i + 1)
    }

    /// The multiply-adds the trainer executes per sample, times 2. Backprop: the forward, every weight gradient, and
    /// the input gradient of every layer but the first (`BackpropEngine` skips that one).
    package static func flopsPerSample(_ spec: NetworkSpec, _ settings: EstimatorSettings) -> Double {
        let forward = forwardMACs(spec)
        if settings.kind == .bp {
            let inputGradients = spec.layers.indices.dropFirst().reduce(0.0) { $0 + layerMACs(spec, $1) }
            return 2 * (2 * forward + inputGradients)
        }
        var macs = forward
        for (p, li) in spec.parametricLayers.enumerated() {
            let K = Double(settings.copies[p])
            let gradientMACs = layerMACs(spec, li)
            if settings.usesWeightNoise(layer: p) {
                macs += K * forwardMACs(spec, from: li)
            } else {
                macs += K * forwardMACs(spec, from: li + 1)
            }
            macs += gradientMACs  // the gradient GEMM
        }
        return 2 * macs
    }
}
