/// The hardware datapath a run trains on (`train --hw`), handed to `Trainer` as a value: the trainer never opens a
/// hardware-model file. `LRStudies` builds one from a loaded `HardwareModel` (`TrainingDatapath(hardware:)`).
public struct TrainingDatapath: Sendable, Equatable {
    /// The number formats, rounding and overflow of every signal.
    public var formats: DatapathFormats
    /// The hardware model's name (messages, reports).
    public var name: String
    /// The resolved model as TOML. The trace header records it (`notes.hw_model`), so `trace verify` recomputes the
    /// datapath's gradients without the file.
    public var resolvedModel: String

    public init(formats: DatapathFormats, name: String, resolvedModel: String) {
        self.formats = formats
        self.name = name
        self.resolvedModel = resolvedModel
    }

    /// `NAME fnv1a64:HEX` of the resolved model: what reports and checkpoints record as the run's datapath
    /// (`TrainingConfiguration.datapath`), so a resume on another datapath is refused.
    public var identity: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in resolvedModel.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return "\(name) fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
