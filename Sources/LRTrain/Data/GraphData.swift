import LRCore

/// The data of a `gnn:` model: a stochastic-block-model graph generated from a seed (`StochasticBlockGraph`), spelled
/// `sbm` or `sbm:p_in=P,p_out=P,signal=S,train=N,seed=S` (defaults 0.02, 0.004, 0.3, 500, 2024). The model spelling
/// `gnn:N-F-H-C` gives the nodes, features and classes; the first `train` nodes are the training set, the rest the test
/// set. As `Dataset`s, a node is a sample of F features with its class as the label.
public struct GraphDataSpec: Sendable, Equatable {
    public var pIn = 0.02
    public var pOut = 0.004
    public var signal: Float = 0.3
    public var trainNodes = 500
    public var seed: UInt64 = 2024

    public init() {}

    /// Whether `name` names graph data.
    public static func isGraph(_ name: String) -> Bool { name == "sbm" || name.hasPrefix("sbm:") }

    /// Parses `sbm` or `sbm:KEY=VALUE,...`; each value is checked when the graph is generated.
    public static func parse(_ name: String) throws(SettingError) -> GraphDataSpec {
        guard isGraph(name) else {
            throw SettingError(
                "data",
                "a gnn model trains on generated graph data: sbm or sbm:p_in=P,p_out=P,signal=S,train=N,seed=S, got "
                    + "'\(name)'"
            )
        }
        var spec = GraphDataSpec()
        for item in name.dropFirst(3).drop(while: { $0 == ":" }).split(separator: ",") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            func bad() -> SettingError {
                SettingError("data", "sbm option '\(item)': expected p_in=P, p_out=P, signal=S, train=N or seed=S")
            }
            guard kv.count == 2 else { throw bad() }
            switch kv[0] {
            case "p_in": guard let v = Double(kv[1]) else { throw bad() }; spec.pIn = v
            case "p_out": guard let v = Double(kv[1]) else { throw bad() }; spec.pOut = v
            case "signal": guard let v = Float(kv[1]) else { throw bad() }; spec.signal = v
            case "train": guard let v = Int(kv[1]) else { throw bad() }; spec.trainNodes = v
            case "seed": guard let v = UInt64(kv[1]) else { throw bad() }; spec.seed = v
            default: throw bad()
            }
        }
        return spec
    }

    /// The graph of `model`'s nodes, features and classes.
    public func graph(for model: GraphModel) throws -> StochasticBlockGraph {
        var o = StochasticBlockGraph.Options()
        o.nodes = model.nodes; o.classes = model.classes; o.features = model.features
        o.pIn = pIn; o.pOut = pOut; o.signal = signal; o.trainCount = trainNodes; o.seed = seed
        let graph: StochasticBlockGraph
        do { graph = try StochasticBlockGraph(o) } catch let e as SettingError {
            // nodes, classes and features come from the model spelling, the rest from the data options.
            let fromModel = ["nodes", "classes", "features"].contains(e.setting)
            throw SettingError(
                fromModel ? "model" : "data", "\(fromModel ? model.spelling : "sbm") \(e.setting): \(e.problem)")
        }
        return graph
    }

    /// Training nodes and test nodes of `graph` as data sets (features and labels).
    public func datasets(_ graph: StochasticBlockGraph, name: String) throws -> (train: Dataset, test: Dataset) {
        let F = graph.options.features, n = graph.trainCount
        func split(_ r: Range<Int>, _ s: DatasetSplit) throws -> Dataset {
            try Dataset(
                name: name, split: s, shape: [F], classes: graph.options.classes,
                images: Array(graph.features[(r.lowerBound * F)..<(r.upperBound * F)]), labels: Array(graph.labels[r]))
        }
        return (try split(0..<n, .train), try split(n..<graph.nodes, .test))
    }
}
