import Foundation

/// A recurrent or spiking model: two parametric layers (the cell and the head) run over `steps` time steps.
///
/// Spellings (`--model`, `ModelSpec`):
/// - `rnn:DxH-C[xT<steps>]`: Elman RNN, D inputs per step, H hidden units, C classes, T steps (default 28). The cell is
///   one GEMM per step on `[x_t ; h_{t-1}]` (`W_in | W_hh`, reduction D+H) plus tanh; the head (H -> C) runs once, on
///   the last state.
/// - `snn:D-H-C[xT<steps>]`: leaky integrate-and-fire network, D input spikes per step, H spiking neurons, C output
///   integrators, T steps (default 16). Both layers run every step (a GEMM plus the membrane update).
///
/// The trainer's models are `ElmanRNN` and `SpikingNetwork`; the simulator schedules every time step
/// (`LRSim/Workload/Sequence*.swift`).
public struct SequenceModel: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case rnn, snn }
    public var kind: Kind
    public var inputs: Int, hidden: Int, classes: Int, steps: Int

    public init(kind: Kind, inputs: Int, hidden: Int, classes: Int, steps: Int) {
        self.kind = kind; self.inputs = inputs; self.hidden = hidden; self.classes = classes; self.steps = steps
    }

    /// Whether parametric layer `l` (0: cell, 1: head) runs at step `s`.
    public func runs(layer l: Int, step s: Int) -> Bool { kind == .snn || l == 0 || s == steps - 1 }
    /// Steps at which layer `l` runs.
    public func activeSteps(layer l: Int) -> Int { kind == .snn || l == 0 ? steps : 1 }

    /// The per-step layers as a network (shapes for the stage mapping, weights and reports).
    public var network: NetworkSpec {
        switch kind {
        case .rnn:
            return NetworkSpec(
                name: spelling, inputShape: [inputs + hidden],
                layers: [
                    .dense(inputs: inputs + hidden, outputs: hidden), .activation(.tanh),
                    .dense(inputs: hidden, outputs: classes),
                ])
        case .snn:
            return NetworkSpec(
                name: spelling, inputShape: [inputs],
                layers: [
                    .dense(inputs: inputs, outputs: hidden), .activation(.step),
                    .dense(inputs: hidden, outputs: classes),
                ])
        }
    }

    /// Features of one sample: the rnn reads `steps x inputs`, the snn `inputs` (rate-coded over the steps).
    public var sampleFeatures: Int { kind == .rnn ? steps &* inputs : inputs }

    public var spelling: String {
        kind == .rnn ? "rnn:\(inputs)x\(hidden)-\(classes)xT\(steps)" : "snn:\(inputs)-\(hidden)-\(classes)xT\(steps)"
    }

    /// `nil` when `text` is not an `rnn:` / `snn:` spelling; throws when it is one but malformed.
    public static func parse(_ text: String) throws(NetworkSpecError) -> SequenceModel? {
        guard text.hasPrefix("rnn:") || text.hasPrefix("snn:") else { return nil }
        let kind: Kind = text.hasPrefix("rnn:") ? .rnn : .snn
        let expected =
            kind == .rnn
            ? "rnn:DxH-C or rnn:DxH-CxT<steps>, like rnn:28x128-10xT28"
            : "snn:D-H-C or snn:D-H-CxT<steps>, like snn:784-256-10xT16"
        func bad() -> NetworkSpecError {
            NetworkSpecError("model '\(text)': expected \(expected) (sizes 1...1048576, steps 1...4096)")
        }
        var body = Substring(text.dropFirst(4))
        var steps = kind == .rnn ? 28 : 16
        if let r = body.range(of: "xT") {
            guard let t = Int(body[r.upperBound...]), t >= 1, t <= 4096 else { throw bad() }
            steps = t; body = body[..<r.lowerBound]
        }
        let sizes: [Int?]
        if kind == .rnn {
            let parts = body.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw bad() }
            let dh = parts[0].split(separator: "x", omittingEmptySubsequences: false)
            guard dh.count == 2 else { throw bad() }
            sizes = [Int(dh[0]), Int(dh[1]), Int(parts[1])]
        } else {
            sizes = body.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        }
        guard sizes.count == 3, sizes.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1 << 20 }) else { throw bad() }
        return SequenceModel(kind: kind, inputs: sizes[0]!, hidden: sizes[1]!, classes: sizes[2]!, steps: steps)
    }
}
