import LRCore
import LRTrain

/// Sweep axes that vary the workload instead of the hardware model: keys `workload.model`, `workload.estimator`,
/// `workload.copies`, `workload.batch`, `workload.injection`, `workload.schedule` and `workload.microbatches`.
///
/// A point's overrides split into hardware-model overrides (applied to the base model) and these, which the sim and
/// train evaluators apply to the workload they were given (`lrsim sweep --vary workload.estimator=lr,alr,bp`). A
/// replayed trace fixes its workload, so a sweep with `--trace` cannot vary it.
public struct WorkloadOverrides: Sendable, Equatable {
    public static let prefix = "workload."

    public enum Key: String, Sendable, CaseIterable {
        case model, estimator, copies, batch, injection, schedule, microbatches
    }

    public var model: String?
    public var estimator: EstimatorKind?
    public var copies: CopyCounts?
    public var batch: Int?
    public var injection: Injection?
    public var schedule: BackpropSchedule?
    public var microbatches: Int?

    public init() {}

    public var isEmpty: Bool { self == WorkloadOverrides() }

    /// Whether an override (or axis) key names the workload rather than a hardware-model field.
    public static func isWorkloadKey(_ key: some StringProtocol) -> Bool { key.hasPrefix(prefix) }

    /// Splits `KEY=VALUE` overrides: the hardware model's (in order) and the workload's (parsed).
    public static func split(_ overrides: [String]) throws(SettingError) -> (hardware: [String], workload: Self) {
        var hardware: [String] = []
        var w = Self()
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), isWorkloadKey(o[..<eq]) else { hardware.append(o); continue }
            try w.set(String(o[..<eq]), String(o[o.index(after: eq)...]))
        }
        return (hardware, w)
    }

    /// Sets one `workload.KEY` to its spelled value, checking the spelling.
    public mutating func set(_ key: String, _ value: String) throws(SettingError) {
        let name = String(key.dropFirst(Self.prefix.count))
        guard let k = Key(rawValue: name) else {
            throw SettingError(
                "vary",
                "\(key): expected a workload key among "
                    + Key.allCases.map { Self.prefix + $0.rawValue }.joined(separator: ", "))
        }
        func number(_ range: ClosedRange<Int>) throws(SettingError) -> Int {
            guard let n = Int(value), range.contains(n) else {
                throw SettingError(
                    "vary", "\(key)=\(value): expected an integer in \(range.lowerBound) ... \(range.upperBound)")
            }
            return n
        }
        func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws(SettingError) -> T
        where T.RawValue == String {
            guard let v = T(rawValue: value) else {
                throw SettingError(
                    "vary", "\(key)=\(value): expected one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return v
        }
        switch k {
        case .model:
            do { _ = try ModelSpec.parse(value) } catch {
                throw SettingError("vary", "\(key)=\(value): \(error)")
            }
            model = value
        case .estimator: estimator = try choice(EstimatorKind.self)
        case .copies: copies = CopyCounts(try number(1...65536))
        case .batch: batch = try number(1...(1 << 20))
        case .injection: injection = try choice(Injection.self)
        case .schedule: schedule = try choice(BackpropSchedule.self)
        case .microbatches: microbatches = try number(1...65536)
        }
    }

    /// The simulated workload of a point: `base` with these values in place.
    public func applied(to base: SimWorkloadOptions) -> SimWorkloadOptions {
        var o = base
        if let model { o.model = model }
        if let estimator { o.estimator = estimator }
        if let copies { o.copies = copies }
        if let batch { o.batch = batch }
        if let injection { o.injection = injection }
        if let schedule { o.schedule = schedule }
        if let microbatches { o.microbatches = microbatches }
        // A serial backprop point of a sweep that varies micro-batches for its pipelined ones runs one batch.
        if o.schedule == .serial && schedule != nil { o.microbatches = nil }
        return o
    }

    /// The training configuration of a point. Backprop's schedules and micro-batches are simulator notions (the
    /// trainer's arithmetic does not depend on them), and so is the injection until the trainer has it.
    public func applied(to base: TrainingConfiguration) throws(SettingError) -> TrainingConfiguration {
        var c = base
        if let model { c.model = model }
        if let estimator { c.estimator.kind = estimator }
        if let copies { c.estimator.copies = copies }
        if let batch { c.batch = batch }
        if injection != nil {
            throw SettingError("vary", "workload.injection: the trainer injects layer by layer; vary it with sim only")
        }
        return c
    }
}
