import LRCore

/// A node-classification task generated from a seed: a stochastic-block-model (SBM) graph whose blocks are the classes,
/// with node features that are noisy class prototypes. No graph data set is available offline; this one is a pure
/// function of its options (documented in docs/results-architectures.md).
///
/// - labels: uniform over `classes` (Philox, stream `.synthetic`, layer 10, one 32-bit word per node);
/// - edges: each unordered pair {i, j}, i < j, is joined with probability `pIn` when the labels agree, else `pOut`
///   (the uniform of pair (i, j) is lane j%4 of Philox block j/4 of row i, layer 11); no self loops in A;
/// - features: `x_i = signal * mu_{y_i} + n_i` with prototypes `mu_c ~ N(0, I)` (layer 12, row c) and `n_i ~ N(0, I)`
///   (layer 13, row i), via `FastGaussian`;
/// - split: nodes `0..<trainCount` train, the rest test (labels are i.i.d., so this split is random).
/// The GCN propagation matrix is `A_hat = D^-1/2 (A + I) D^-1/2` (Kipf & Welling 2017), stored as CSR.
public struct StochasticBlockGraph: Sendable {
    public struct Options: Sendable, Codable, Equatable {
        public var nodes = 1000
        public var classes = 5
        public var features = 32
        public var pIn: Double = 0.02
        public var pOut: Double = 0.004
        public var signal: Float = 0.3
        public var trainCount = 500
        public var seed: UInt64 = 2024
        public init() {}
    }

    public let options: Options
    public let labels: [Int32]
    /// `nodes x features`, row-major.
    public let features: [Float]
    /// CSR of `A_hat` (self loops included): row i's neighbours are `columns[rowStart[i]..<rowStart[i+1]]`.
    public let rowStart: [Int]
    public let columns: [Int32]
    public let values: [Float]
    /// Undirected edges of A (without self loops).
    public var edgeCount: Int { (columns.count - options.nodes) / 2 }
    public var nodes: Int { options.nodes }
    public var trainCount: Int { options.trainCount }

    public init(_ o: Options) throws {
        // Each field checked on its own, so the message names the one that is wrong (`sbm:` data options and the
        // gnn model spelling set them).
        func check(_ ok: Bool, _ field: String, _ expected: String, _ got: Any) throws(SettingError) {
            guard ok else { throw SettingError(field, "expected \(expected), got \(got)") }
        }
        try check((2...20_000).contains(o.nodes), "nodes", "2...20000 graph nodes", o.nodes)
        try check((2...256).contains(o.classes), "classes", "2...256 graph classes", o.classes)
        try check((1...4096).contains(o.features), "features", "1...4096 node features", o.features)
        try check(
            o.trainCount >= 1 && o.trainCount < o.nodes, "train",
            "1...\(o.nodes - 1) training nodes (fewer than the nodes)", o.trainCount)
        try check(o.pIn >= 0 && o.pIn <= 1, "p_in", "a probability in [0, 1]", o.pIn)
        try check(o.pOut >= 0 && o.pOut <= 1, "p_out", "a probability in [0, 1]", o.pOut)
        try check(o.signal.isFinite && o.signal >= 0, "signal", "a finite number >= 0", o.signal)
        options = o
        let N = o.nodes, F = o.features
        let key = { (layer: UInt32) in NoiseKey(seed: o.seed, step: 0, layer: layer, stream: .synthetic) }
        var labels = [Int32](repeating: 0, count: N)
        let lk = key(10)
        for i in 0..<N {
            let w = lk.generator.block(lk.counter(row: 0, block: UInt32(i >> 2)))[i & 3]
            labels[i] = Int32((UInt64(w) &* UInt64(o.classes)) >> 32)
        }
        // Edges, symmetric adjacency lists.
        var adjacency = [[Int32]](repeating: [], count: N)
        let ek = key(11), gen = ek.generator
        let thresholdIn = UInt64(o.pIn * 4294967296.0), thresholdOut = UInt64(o.pOut * 4294967296.0)
        for i in 0..<N {
            var j = i + 1
            while j < N {
                let w = gen.block(ek.counter(row: UInt32(i), block: UInt32(j >> 2)))
                let end = min(N, (j | 3) + 1)
                while j < end {
                    let t = labels[i] == labels[j] ? thresholdIn : thresholdOut
                    if UInt64(w[j & 3]) < t { adjacency[i].append(Int32(j)); adjacency[j].append(Int32(i)) }
                    j += 1
                }
            }
        }
        var rowStart = [Int](repeating: 0, count: N + 1), columns = [Int32](), values = [Float]()
        var invSqrtDegree = [Float](repeating: 0, count: N)
        for i in 0..<N { invSqrtDegree[i] = 1 / Float(adjacency[i].count + 1).squareRoot() }
        for i in 0..<N {
            let neighbours = (adjacency[i] + [Int32(i)]).sorted()
            for j in neighbours {
                columns.append(j); values.append(invSqrtDegree[i] * invSqrtDegree[Int(j)])
            }
            rowStart[i + 1] = columns.count
        }
        var prototypes = [Float](repeating: 0, count: o.classes * F)
        prototypes.withUnsafeMutableBufferPointer {
            FastGaussian.fill(key(12), rows: 0..<UInt32(o.classes), columns: F, into: $0)
        }
        var features = [Float](repeating: 0, count: N * F)
        features.withUnsafeMutableBufferPointer {
            FastGaussian.fill(key(13), rows: 0..<UInt32(N), columns: F, into: $0)
        }
        for i in 0..<N { for f in 0..<F { features[i * F + f] += o.signal * prototypes[Int(labels[i]) * F + f] } }
        self.labels = labels; self.features = features
        self.rowStart = rowStart; self.columns = columns; self.values = values
    }

    /// out[N x n] = A_hat * x[N x n].
    public func propagate(_ x: UnsafePointer<Float>, columns n: Int, into out: UnsafeMutablePointer<Float>) {
        rowStart.withUnsafeBufferPointer { rs in
            columns.withUnsafeBufferPointer { cs in
                values.withUnsafeBufferPointer { vs in
                    Parallel.forRanges(count: nodes, grain: max(1, 16384 / max(1, n))) { r in
                        for i in r {
                            let o = out + i * n
                            o.update(repeating: 0, count: n)
                            for e in rs[i]..<rs[i + 1] {
                                let a = vs[e], src = x + Int(cs[e]) * n
                                for j in 0..<n { o[j] += a * src[j] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Fraction of edges of A joining nodes of the same class.
    public var homophily: Double {
        var same = 0, all = 0
        for i in 0..<nodes {
            for e in rowStart[i]..<rowStart[i + 1] where Int(columns[e]) != i {
                all += 1; if labels[Int(columns[e])] == labels[i] { same += 1 }
            }
        }
        return all == 0 ? 0 : Double(same) / Double(all)
    }
}
