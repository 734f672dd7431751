import Foundation
import HWModel

/// Runs the points of one shard in canonical order: skips points already finished (resume), evaluates the rest with
/// every evaluator, records failures without stopping, then writes the table of every point the directory holds.
///
///     let runner = SweepRunner(spec: spec, grid: grid, hardware: base, evaluators: [SimPointEvaluator(options: o)],
///                              store: SweepStore(directory: "out"), shard: .all, log: { print($0) })
///     let summary = try runner.run()
public struct SweepRunner {
    public var spec: SweepSpec
    public var grid: SweepGrid
    public var hardware: HardwareModel
    public var evaluators: [PointEvaluator]
    public var store: SweepStore
    public var shard: SweepShard
    /// Progress lines (the CLI sends them to stderr).
    public var log: (String) -> Void

    public init(
        spec: SweepSpec, grid: SweepGrid, hardware: HardwareModel, evaluators: [PointEvaluator],
        store: SweepStore, shard: SweepShard = .all, log: @escaping (String) -> Void = { _ in }
    ) {
        self.spec = spec; self.grid = grid; self.hardware = hardware; self.evaluators = evaluators
        self.store = store; self.shard = shard; self.log = log
    }

    public struct Summary: Sendable, Equatable {
        public var points: Int
        public var skipped: Int
        public var ran: Int
        public var failed: Int
        public var seconds: Double
    }

    public func run() throws -> Summary {
        if let existing = try store.readSpec() {
            guard existing == spec else {
                throw SweepError(
                    "\(store.specPath): this directory holds a different sweep (another hardware model, other axes or settings); "
                        + "use a new output directory"
                )
            }
        } else {
            try store.writeSpec(spec)
        }
        let mine = grid.points(in: shard)
        let started = Date()
        var summary = Summary(points: mine.count, skipped: 0, ran: 0, failed: 0, seconds: 0)
        log(
            "sweep: \(grid.points.count) points" + (shard.count > 1 ? ", shard \(shard) runs \(mine.count)" : "")
                + "; kinds \(spec.kinds.joined(separator: ", ")); output \(store.directory)")
        for (n, point) in mine.enumerated() {
            let tag = "[\(n + 1)/\(mine.count)] \(point.overrides.joined(separator: " "))"
            do {
                if let done = try store.storedResult(point, spec: spec), done.status == .ok {
                    summary.skipped += 1
                    log("\(tag): done before, skipped")
                    continue
                }
            } catch {
                log("\(tag): \(error); evaluating it again")
            }
            let result = evaluate(point)
            try store.writeResult(result, spec: spec)
            summary.ran += 1
            let elapsed = Date().timeIntervalSince(started)
            let remaining = summary.ran > 0 ? elapsed / Double(summary.ran) * Double(mine.count - n - 1) : 0
            if result.status == .failed {
                summary.failed += 1
                log("\(tag): FAILED: \(result.error ?? "")")
            } else {
                log(
                    "\(tag): ok in "
                        + "\(Self.seconds(result.wallSeconds.values.reduce(0, +)))\(Self.highlights(result.metrics))"
                        + (n + 1 < mine.count ? ", about \(Self.seconds(remaining)) left" : ""))
            }
        }
        try SweepTable(spec: spec, results: store.results(for: grid.points, spec: spec)).write(to: store.directory)
        summary.seconds = Date().timeIntervalSince(started)
        log(
            "sweep: \(summary.ran) run, \(summary.skipped) skipped, \(summary.failed) failed in "
                + "\(Self.seconds(summary.seconds)); table \(store.directory)/sweep.csv"
        )
        return summary
    }

    /// Evaluates one point with every evaluator; the first error ends the point as failed.
    public func evaluate(_ point: SweepPoint) -> PointResult {
        var metrics: [String: Double] = [:]
        var wall: [String: Double] = [:]
        do {
            let hw = try hardware.applying(overrides: WorkloadOverrides.split(point.overrides).hardware)
            let dir = store.pointDirectory(point.id)
            try store.createDirectory(dir)
            for e in evaluators {
                let t0 = Date()
                let m = try e.evaluate(hw, point: point, directory: dir)
                wall[e.kind] = Date().timeIntervalSince(t0)
                metrics.merge(m) { _, new in new }
            }
            return PointResult(point: point, status: .ok, metrics: metrics, wallSeconds: wall)
        } catch {
            return PointResult(
                point: point, status: .failed, error: SweepStore.describe(error), metrics: metrics,
                wallSeconds: wall)
        }
    }

    static func seconds(_ s: Double) -> String {
        s < 60 ? String(format: "%.1f s", s) : String(format: "%.1f min", s / 60)
    }

    static func highlights(_ m: [String: Double]) -> String {
        var parts: [String] = []
        if let a = m["train.test_accuracy"] { parts.append(String(format: "accuracy %.4f", a)) }
        if let c = m["replay.mean_cosine_vs_float"] { parts.append(String(format: "cos %.5f", c)) }
        if let t = m["sim.iterations_per_second"] { parts.append(String(format: "%.0f it/s", t)) }
        if let e = m["sim.energy_uj_per_iteration"] { parts.append(String(format: "%.2f uJ/it", e)) }
        return parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")
    }
}
