import LRCore
import LRTrace

/// An mlp or cnn network with the estimator that trains it (float, or the fixed-point datapath of `train --hw`).
public final class FeedForwardModel: TrainableModel {
    public private(set) var network: Network
    public let settings: EstimatorSettings
    let estimator: any GradientEstimator
    let backprop: BackpropEngine
    let evaluator: Evaluator

    /// `settings` resolved against `network.spec`; `datapath` nil for float training.
    public init(network: Network, config: TrainingConfiguration, datapath: TrainingDatapath?) throws {
        self.network = network
        settings = config.estimator
        estimator = try EstimatorFactory.make(config, spec: network.spec, datapath: datapath)
        backprop = BackpropEngine(spec: network.spec)
        evaluator = Evaluator(spec: network.spec)
    }

    public var parameters: [Float] {
        get { network.parameters }
        // In place: the optimizer updates the network's own vector (no copy of the parameters per step).
        _modify { yield &network.parameters }
    }

    public var spec: NetworkSpec { network.spec }
    public var writesEveryParameter: Bool { estimator.writesEveryParameter }
    public var flopsPerSample: Double { WorkloadCount.flopsPerSample(network.spec, settings) }

    public var tensors: [ModelTensor] {
        network.layout.slots.flatMap { slot -> [ModelTensor] in
            let (w, b) = Self.parameterShapes(network.spec.layers[slot.layer])
            return [
                ModelTensor(
                    layer: slot.layer, name: "weight", shape: w,
                    range: slot.weightOffset..<(slot.weightOffset + slot.weightCount)),
                ModelTensor(
                    layer: slot.layer, name: "bias", shape: b,
                    range: slot.biasOffset..<(slot.biasOffset + slot.biasCount)),
            ]
        }
    }

    public var checkGroups: [ParameterGroup] {
        network.layout.slots.map { ParameterGroup("layer\($0.layer)", $0.range) }
    }

    public func estimate(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord {
        try estimator.estimate(
            network: network, input: input, labels: labels, rows: rows, step: step, into: gradient,
            recordLosses: recordLosses)
    }

    public func referenceGradient(
        input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        backprop.gradient(network: network, input: input, labels: labels, rows: rows, into: gradient)
    }

    public func afterUpdate() { estimator.afterUpdate(parameters: &network.parameters) }

    public func evaluate(_ data: Dataset) -> (accuracy: Double, loss: Double) {
        data.images.withUnsafeBufferPointer { x in
            data.labels.withUnsafeBufferPointer { y in
                evaluator.accuracy(network, images: x.baseAddress!, labels: y.baseAddress!, count: data.count)
            }
        }
    }

    /// With `train --hw`: the fixed-point datapath's forward on the weights the hardware holds.
    public func datapathAccuracy(_ data: Dataset, step: Int) throws -> Double? {
        guard let q = estimator as? QuantizedEstimator else { return nil }
        let w = try q.weights(for: network.parameters, step: step)
        return try q.datapath.accuracy(weights: w, images: data.images, labels: data.labels)
    }

    /// The estimator a test or tool wants to look at (the fixed-point one of `train --hw`).
    public var gradientEstimator: any GradientEstimator { estimator }

    public var traceLayout: TraceModelLayout {
        let spec = network.spec, shapes = spec.shapes
        let layers = spec.layers.enumerated().map { i, l -> TraceLayer in
            let (w, b) = Self.parameterShapes(l)
            let params =
                l.isParametric
                ? [TraceParameter(name: "weight", shape: w), TraceParameter(name: "bias", shape: b)] : []
            return TraceLayer(
                index: i, kind: l.kindName, summary: l.summary, inputShape: spec.inputShape(of: i),
                outputShape: shapes[i], parameters: params)
        }
        // Perturbed: the parametric layers with K > 0 (K = 0: not trained); backprop perturbs none.
        let perturbed = settings.kind == .bp ? [] : spec.parametricLayers.indices.filter { settings.copies[$0] > 0 }
        return TraceModelLayout(
            layers: layers, inputShape: spec.inputShape, activation: nil,
            perturbedLayers: perturbed.map { spec.parametricLayers[$0] }, perturbedPositions: perturbed,
            noiseKeyLayout: settings.kind != .bp && settings.injection == .allLayers ? 4 : 1,
            notes: ["weight_noise_layers": (settings.weightNoiseLayers ?? []).map(String.init).joined(separator: ",")])
    }

    static func parameterShapes(_ layer: LayerSpec) -> ([Int], [Int]) {
        switch layer {
        case let .dense(inputs, outputs): return ([outputs, inputs], [outputs])
        case let .conv2d(c): return ([c.outChannels, c.inChannels, c.kernel, c.kernel], [c.outChannels])
        default: return ([], [])
        }
    }
}
