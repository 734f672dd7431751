/// A two-layer graph convolutional network trained on the full graph: `P1 = (A_hat X) W1 + b1`, `H1 = relu(P1)`,
/// `Z = (A_hat H1) W2 + b2` (the batch is the N nodes).
///
/// Spelling (`--model`, `ModelSpec`): `gnn:N-F-H-C[e<E>]`: N nodes, F features per node, H hidden units, C classes, E
/// undirected edges (without self loops; default 2N, mean degree 4), e.g. `gnn:1000-32-64-5e3540` (the trainer's
/// default generated graph has 3540 edges).
///
/// Work convention: `A_hat = D^-1/2 (A + I) D^-1/2` has N + 2E non-zeros, so one aggregation `A_hat * Y` of an N x w
/// matrix is (N + 2E) x w multiply-adds. Layer 0 aggregates X (width F), layer 1 aggregates H1 (width H).
public struct GraphModel: Sendable, Hashable, Codable {
    public var nodes: Int, features: Int, hidden: Int, classes: Int, edges: Int

    public init(nodes: Int, features: Int, hidden: Int, classes: Int, edges: Int) {
        self.nodes = nodes; self.features = features; self.hidden = hidden; self.classes = classes; self.edges = edges
    }

    /// Non-zeros of `A_hat` (self loops plus both directions of every edge).
    public var nonZeros: Int { nodes &+ 2 &* edges }
    /// Width of the matrix layer `l` aggregates (its input).
    public func aggregationWidth(layer l: Int) -> Int { l == 0 ? features : hidden }
    /// Multiply-adds of one aggregation at layer `l` (one copy).
    public func aggregationMACs(layer l: Int) -> Int { nonZeros &* aggregationWidth(layer: l) }

    /// The per-node layers as a network (shapes for the stage mapping, weights and reports).
    public var network: NetworkSpec {
        NetworkSpec(
            name: spelling, inputShape: [features],
            layers: [
                .dense(inputs: features, outputs: hidden), .activation(.relu), .dense(inputs: hidden, outputs: classes),
            ])
    }

    public var spelling: String { "gnn:\(nodes)-\(features)-\(hidden)-\(classes)e\(edges)" }

    /// `nil` when `text` is not a `gnn:` spelling; throws when it is one but malformed.
    public static func parse(_ text: String) throws(NetworkSpecError) -> GraphModel? {
        guard text.hasPrefix("gnn:") else { return nil }
        func bad() -> NetworkSpecError {
            NetworkSpecError(
                "model '\(text)': expected gnn:N-F-H-C or gnn:N-F-H-Ce<E> (nodes-features-hidden-classes, E "
                    + "undirected edges), like gnn:1000-32-64-5e3540 (sizes 1...1048576, E 0...N(N-1)/2)"
            )
        }
        var body = Substring(text.dropFirst(4))
        var edges: Int? = nil
        if let r = body.firstIndex(of: "e") {
            guard let e = Int(body[body.index(after: r)...]), e >= 0 else { throw bad() }
            edges = e; body = body[..<r]
        }
        let sizes = body.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard sizes.count == 4, sizes.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1 << 20 }) else { throw bad() }
        let n = sizes[0]!
        let e = edges ?? 2 &* n
        guard e <= n &* (n &- 1) / 2 else { throw bad() }
        return GraphModel(nodes: n, features: sizes[1]!, hidden: sizes[2]!, classes: sizes[3]!, edges: e)
    }
}
