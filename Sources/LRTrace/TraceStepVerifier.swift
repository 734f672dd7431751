/// A check run on every complete, undamaged step during `TraceVerification.verify`, for properties the trace module
/// cannot check by itself. The trainer provides the one that recomputes the float gradient from the recorded weights,
/// batch and regenerated noise and compares it bit for bit with `layer{l}.grad.*`.
public protocol TraceStepVerifier {
    /// What is checked, as shown in reports, e.g. "float gradient recomputed from regenerated noise".
    var checkName: String { get }
    /// Checks one step. Throwing counts as a failure of that step (with the error's description).
    func verify(step: TraceStep, header: TraceHeader) throws -> TraceStepCheck
    /// Problems of the header the verifier can see and the trace module cannot (the trainer: fields that contradict
    /// `config_json`), one line each. Any problem fails the verification, and no step is then recomputed.
    func check(header: TraceHeader) -> [String]
}

extension TraceStepVerifier {
    public func check(header: TraceHeader) -> [String] { [] }
}

/// The outcome of a `TraceStepVerifier` on one step.
public struct TraceStepCheck: Equatable, Sendable, Codable {
    public var passed: Bool
    /// One line: what was compared and how it came out (e.g. "3 tensors, 203530 values, all bit-identical").
    public var detail: String
    public init(passed: Bool, detail: String) { self.passed = passed; self.detail = detail }
}

/// A `TraceStepVerifier` made of a closure.
public struct ClosureStepVerifier: TraceStepVerifier {
    public let checkName: String
    let body: (TraceStep, TraceHeader) throws -> TraceStepCheck
    public init(checkName: String, _ body: @escaping (TraceStep, TraceHeader) throws -> TraceStepCheck) {
        self.checkName = checkName; self.body = body
    }
    public func verify(step: TraceStep, header: TraceHeader) throws -> TraceStepCheck { try body(step, header) }
}
