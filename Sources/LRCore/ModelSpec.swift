/// A model as every command spells it (`--model`): the one owner of the mlp, cnn, rnn, snn and gnn spellings.
///
/// - `mlp:IN-H1-...-OUT` and `cnn:small` / `cnn:cifar`: feed-forward networks (`NetworkSpec`), hidden activation chosen
///   by the caller;
/// - `rnn:DxH-C[xT<steps>]`, `snn:D-H-C[xT<steps>]`: recurrent and spiking networks over time steps (`SequenceModel`);
/// - `gnn:N-F-H-C[e<E>]`: a graph convolutional network on the full graph (`GraphModel`).
public enum ModelSpec: Sendable, Hashable {
    case feedforward(NetworkSpec)
    case sequence(SequenceModel)
    case graph(GraphModel)

    /// The families, for messages.
    public static let families = "mlp, cnn, rnn, snn or gnn"

    /// Parses any spelling; `activation` is the hidden activation of mlp/cnn models (rnn, snn and gnn fix their own).
    public static func parse(_ text: String, activation: Activation = .relu) throws(NetworkSpecError) -> ModelSpec {
        if let s = try SequenceModel.parse(text) { return .sequence(s) }
        if let g = try GraphModel.parse(text) { return .graph(g) }
        let family = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        guard family == "mlp" || family == "cnn" || NetworkSpec.presetNames.contains(family) else {
            throw NetworkSpecError(
                "model '\(text)': expected a \(families) spelling, like mlp:784-256-10, cnn:small, rnn:28x128-10, snn:784-256-10xT16 or gnn:1000-32-64-5e3540, or a simulator network (\(NetworkSpec.presetNames.joined(separator: ", ")))"
            )
        }
        do { return .feedforward(try NetworkSpec.parse(text, activation: activation)) } catch let e as NetworkSpecError
        {
            throw e
        } catch {
            throw NetworkSpecError("model '\(text)': \(error)")
        }
    }

    /// The layers of one time step (sequence) or one node (graph), or the whole network (feed-forward): what the
    /// simulator maps onto stages and what per-layer settings (K, sigma) count.
    public var network: NetworkSpec {
        switch self {
        case .feedforward(let n): return n
        case .sequence(let s): return s.network
        case .graph(let g): return g.network
        }
    }

    /// The canonical spelling (`rnn:28x128-10xT28`: defaults written out; mlp/cnn as given).
    public var spelling: String {
        switch self {
        case .feedforward(let n): return n.name
        case .sequence(let s): return s.spelling
        case .graph(let g): return g.spelling
        }
    }

    /// Parametric layers, which per-layer settings (copies, sigma) are counted against.
    public var parametricLayerCount: Int { network.parametricLayers.count }
}
