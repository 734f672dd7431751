/// The trainer's tensor and scalar naming convention (documented in docs/trace-format.md).
///
/// The trace format itself stores any names; `TraceVerification` uses this convention to cross-check tensors against
/// the header's layer table and the batch size.
public enum TraceNames {
    /// The input batch, `[B, ...model.input_shape]`, f32 or u8 (see `dataset.input_transform`).
    public static let input = "input"
    /// Class labels, `[B]` i32.
    public static let labels = "labels"
    /// Per-sample loss of the clean (unperturbed) forward pass, `[B]`.
    public static let cleanLosses = "clean_losses"
    /// Scalars.
    public static let loss = "loss"
    public static let learningRate = "learning_rate"

    /// `layer{l}.{parameter}`: the weights used for this step's forward passes.
    public static func parameter(_ layer: Int, _ name: String) -> String { "layer\(layer).\(name)" }
    /// `layer{l}.grad.{parameter}`: the trainer's estimated (float) gradient.
    public static func gradient(_ layer: Int, _ name: String) -> String { "layer\(layer).grad.\(name)" }
    /// `layer{l}.bp.{parameter}`: the backprop gradient of the same batch (with `--trace-bp`).
    public static func backprop(_ layer: Int, _ name: String) -> String { "layer\(layer).bp.\(name)" }
    /// `layer{l}.losses`: per-copy per-sample losses when layer l is perturbed, `[copies, B]`.
    public static func losses(_ layer: Int) -> String { "layer\(layer).losses" }

    /// What a name means under the convention.
    public enum Role: Equatable, Sendable {
        case input, labels, cleanLosses
        case parameter(layer: Int, name: String)
        case gradient(layer: Int, name: String)
        case backprop(layer: Int, name: String)
        case losses(layer: Int)
        /// `layer{l}.` followed by something the convention does not define.
        case otherLayerTensor(layer: Int)
        /// Not covered by the convention (allowed, not cross-checked).
        case other
    }

    public static func role(of name: String) -> Role {
        switch name {
        case input: return .input
        case labels: return .labels
        case cleanLosses: return .cleanLosses
        default: break
        }
        guard name.hasPrefix("layer") else { return .other }
        let rest = name.dropFirst(5)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let layer = Int(digits),
            rest.dropFirst(digits.count).first == "."
        else { return .other }
        let tail = String(rest.dropFirst(digits.count + 1))
        if tail == "losses" { return .losses(layer: layer) }
        if tail.hasPrefix("grad."), tail.count > 5 { return .gradient(layer: layer, name: String(tail.dropFirst(5))) }
        if tail.hasPrefix("bp."), tail.count > 3 { return .backprop(layer: layer, name: String(tail.dropFirst(3))) }
        if !tail.isEmpty, !tail.contains(".") { return .parameter(layer: layer, name: tail) }
        return .otherLayerTensor(layer: layer)
    }
}
