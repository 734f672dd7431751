import Foundation
import LRIO

/// A Chrome trace-event timeline (Perfetto UI, chrome://tracing): `{"traceEvents":[...], "displayTimeUnit":"ns",
/// "otherData":{...}}` with `ts`/`dur` in microseconds, one `tid` per track, named by `thread_name` metadata events.
public struct ChromeTrace: Sendable {
    public enum Arg: Sendable, Encodable, Equatable {
        case int(Int), double(Double), string(String)
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .int(let v): try c.encode(v)
            case .double(let v): try c.encode(v)
            case .string(let v): try c.encode(v)
            }
        }
    }

    public struct Event: Sendable, Encodable {
        public var name: String
        public var cat: String
        public var ph: String
        public var ts: Double
        public var dur: Double?
        public var pid: Int
        public var tid: Int
        public var args: [String: Arg]?
    }

    public var events: [Event] = []
    public var otherData: [String: Arg] = [:]
    public var pid = 1

    public init() {}

    /// Names a track (`tid`) and fixes its sort position.
    public mutating func nameTrack(_ tid: Int, _ name: String) {
        events.append(
            Event(
                name: "thread_name", cat: "__metadata", ph: "M", ts: 0, dur: nil, pid: pid, tid: tid,
                args: ["name": .string(name)]))
        events.append(
            Event(
                name: "thread_sort_index", cat: "__metadata", ph: "M", ts: 0, dur: nil, pid: pid, tid: tid,
                args: ["sort_index": .int(tid)]))
    }

    public mutating func nameProcess(_ name: String) {
        events.append(
            Event(
                name: "process_name", cat: "__metadata", ph: "M", ts: 0, dur: nil, pid: pid, tid: 0,
                args: ["name": .string(name)]))
    }

    /// A complete ("X") event.
    public mutating func span(
        _ name: String, category: String, track: Int, start: Double, duration: Double,
        args: [String: Arg]? = nil
    ) {
        events.append(
            Event(name: name, cat: category, ph: "X", ts: start, dur: duration, pid: pid, tid: track, args: args))
    }

    /// A counter ("C") sample: `series` values from `time` on.
    public mutating func counter(_ name: String, at time: Double, _ series: [String: Arg]) {
        events.append(Event(name: name, cat: "counter", ph: "C", ts: time, dur: nil, pid: pid, tid: 0, args: series))
    }

    struct Document: Encodable {
        var traceEvents: [Event]
        var displayTimeUnit: String
        var otherData: [String: Arg]
    }

    public func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var d = try encoder.encode(Document(traceEvents: events, displayTimeUnit: "ns", otherData: otherData))
        d.append(0x0A)
        return d
    }

    public func write(to path: String) throws { try AtomicFile.write(try data(), to: path) }
}
