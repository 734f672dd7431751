/// Pareto fronts of two objectives.
public enum ParetoFront {
    public enum Better: Sendable { case higher, lower }

    /// Indices of the points no other point dominates (at least as good in both objectives, better in one), sorted
    /// by x. Non-finite points never belong to the front.
    public static func indices(x: [Double], y: [Double], xBetter: Better, yBetter: Better) -> [Int] {
        precondition(x.count == y.count)
        func atLeast(_ a: Double, _ b: Double, _ d: Better) -> Bool { d == .higher ? a >= b : a <= b }
        func strictly(_ a: Double, _ b: Double, _ d: Better) -> Bool { d == .higher ? a > b : a < b }
        var front: [Int] = []
        for i in x.indices where x[i].isFinite && y[i].isFinite {
            var dominated = false
            for j in x.indices where j != i && x[j].isFinite && y[j].isFinite {
                if atLeast(x[j], x[i], xBetter) && atLeast(y[j], y[i], yBetter)
                    && (strictly(x[j], x[i], xBetter) || strictly(y[j], y[i], yBetter))
                {
                    dominated = true
                    break
                }
            }
            if !dominated { front.append(i) }
        }
        return front.sorted { x[$0] != x[$1] ? x[$0] < x[$1] : $0 < $1 }
    }
}
