import FixedPoint
import HWModel
import LRCore
import LRTrain

/// Hardware model -> trainer datapath: the number formats of a loaded `HardwareModel` as the `DatapathFormats` the
/// fixed-point datapath runs on (`replay`, `train --hw`, the sweeps' train and replay points). The trainer never sees
/// a `HardwareModel`; it receives these values.
extension DatapathFormats {
    /// The formats of a loaded hardware model; every value signal must be a value format (not wider than 64 bits).
    public init(_ hw: HardwareModel) throws {
        let f = hw.formats
        self.init(
            weights: try f.weights.fixedConfig(), activations: try f.activations.fixedConfig(),
            inputs: try f.inputs.fixedConfig(), noise: try f.noise.fixedConfig(), loss: try f.loss.fixedConfig(),
            products: try f.products.fixedConfig(), accumulators: try f.accumulators.fixedConfig(),
            gradients: try f.gradients.fixedConfig(), updates: try f.updates.fixedConfig())
        for (name, c) in [
            ("weights", weights), ("activations", activations), ("inputs", inputs), ("noise", noise),
            ("loss", loss), ("gradients", gradients), ("updates", updates),
        ] {
            do { try c.format.requireValueFormat(name) } catch {
                throw DatapathError("hardware model \(hw.name): formats.\(name): \(error)")
            }
        }
    }
}

extension TrainingDatapath {
    /// The datapath `train --hw` trains on: the model's formats, its name and its resolved TOML (which traces record).
    public init(hardware: HardwareModel) throws {
        self.init(formats: try DatapathFormats(hardware), name: hardware.name, resolvedModel: hardware.resolvedTOML())
    }
}

extension FixedPointDatapath {
    /// A datapath for a training configuration on a hardware model (replay, trace verification).
    public convenience init(config: TrainingConfiguration, spec: NetworkSpec, hardware: HardwareModel) throws {
        try self.init(config: config, spec: spec, formats: try DatapathFormats(hardware))
    }
}
