/// Values per iteration, of which only the recent ones are kept (a workload emitted one iteration at a time only looks
/// a few iterations back).
struct IterationLog<Value> {
    private var first = 0
    private var values: [Value?] = []

    subscript(t: Int) -> Value {
        get { values[t &- first]! }
        set {
            while first &+ values.count <= t { values.append(nil) }
            values[t &- first] = newValue
        }
    }

    /// Forgets iterations before `t`.
    mutating func forget(before t: Int) {
        let n = min(values.count, t &- first)
        guard n > 0 else { return }
        values.removeFirst(n); first &+= n
    }
}
