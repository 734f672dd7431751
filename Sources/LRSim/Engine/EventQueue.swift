/// A binary min-heap of timed events; ties are broken by insertion order, which keeps runs deterministic.
struct EventQueue {
    enum Action: UInt8 {
        /// Re-examine unit `target`.
        case wake
        /// `amount` words reach the consumer side of FIFO `target`.
        case arrive
        /// Task `target` completes (its latency has passed).
        case complete
    }
    struct Event { var time: Int; var seq: Int; var action: Action; var target: Int; var amount: Int }

    private var heap: [Event] = []
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }
    var nextTime: Int? { heap.first?.time }
    var count: Int { heap.count }

    @inline(__always) private static func less(_ a: Event, _ b: Event) -> Bool {
        a.time < b.time || (a.time == b.time && a.seq < b.seq)
    }

    mutating func push(_ time: Int, _ action: Action, _ target: Int, amount: Int = 0) {
        heap.append(Event(time: time, seq: seq, action: action, target: target, amount: amount)); seq &+= 1
        var i = heap.count &- 1
        let e = heap[i]
        while i > 0 {
            let p = (i &- 1) >> 1
            if Self.less(e, heap[p]) { heap[i] = heap[p]; i = p } else { break }
        }
        heap[i] = e
    }

    mutating func pop() -> Event? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            var i = 0
            let n = heap.count
            while true {
                let l = 2 &* i &+ 1, r = l &+ 1
                var m = l
                if l >= n { break }
                if r < n && Self.less(heap[r], heap[l]) { m = r }
                if Self.less(heap[m], last) { heap[i] = heap[m]; i = m } else { break }
            }
            heap[i] = last
        }
        return top
    }
}
