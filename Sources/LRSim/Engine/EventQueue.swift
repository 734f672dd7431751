/// A binary min-heap of timed events; ties are broken by insertion order, which keeps runs deterministic.
struct EventQueue {
    enum Action: UInt8 { case wake, computeDone, dramDone, complete }
    struct Event { var time: Int; var seq: Int; var action: Action; var task: Int32 }

    private var heap: [Event] = []
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }
    var nextTime: Int? { heap.first?.time }

    @inline(__always) private static func less(_ a: Event, _ b: Event) -> Bool {
        a.time < b.time || (a.time == b.time && a.seq < b.seq)
    }

    mutating func push(_ time: Int, _ action: Action, _ task: Int32 = -1) {
        heap.append(Event(time: time, seq: seq, action: action, task: task)); seq &+= 1
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if Self.less(heap[i], heap[p]) { heap.swapAt(i, p); i = p } else { break }
        }
    }

    mutating func pop() -> Event? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && Self.less(heap[l], heap[m]) { m = l }
                if r < n && Self.less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m); i = m
            }
        }
        return top
    }
}
