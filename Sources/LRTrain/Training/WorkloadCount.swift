import LRCore

/// Floating-point operation counts of a training step (2 flops per MAC), for GFLOP/s figures.
public enum WorkloadCount {
    /// MACs of one sample's forward pass through layers `from...`.
    public static func forwardMACs(_ spec: NetworkSpec, from start: Int = 0) -> Double {
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

    public static func flopsPerSample(_ spec: NetworkSpec, _ settings: EstimatorSettings) -> Double {
        let forward = forwardMACs(spec)
        if settings.kind == .bp { return 2 * 3 * forward }
        var macs = forward
        for (p, li) in spec.parametricLayers.enumerated() {
            let K = Double(settings.copies[p])
            let layerMACs = forwardMACs(spec, from: li) - forwardMACs(spec, from: li + 1)
            if settings.usesWeightNoise(layer: p) {
                macs += K * forwardMACs(spec, from: li)
            } else {
                macs += K * forwardMACs(spec, from: li + 1)
            }
            macs += layerMACs   // the gradient GEMM
        }
        return 2 * macs
    }
}
