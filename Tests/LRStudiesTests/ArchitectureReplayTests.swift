import FixedPoint
import Foundation
import HWModel
import LRCore
import LRStudies
import LRTestSupport
import LRTrace
import XCTest

@testable import LRTrain

/// `lrsim replay` of rnn, snn and gnn traces (`ArchitectureDatapath`): exact against GMP on a wide datapath, the float
/// trainer's gradient on a 32-bit datapath, measurably different on a narrow one, deterministic, one-line errors.
final class ArchitectureReplayTests: XCTestCase {
    enum Arch: String, CaseIterable { case rnn, snn, gnn }

    static func config(_ arch: Arch) -> TrainingConfiguration {
        var c = TrainingConfiguration(
            estimator: EstimatorSettings(
                kind: .lr, copies: [4], sigma: [arch == .snn ? 0.3 : 0.1],
                weightNoiseLayers: []))
        switch arch {
        case .rnn:
            c.model = "rnn:112x8-3xT7"; c.data = "synthetic:features=784,classes=3,train=64,test=32"; c.batch = 16
        case .snn:
            c.model = "snn:784-16-3xT4"; c.data = "synthetic:features=784,classes=3,train=64,test=32"; c.batch = 16
        case .gnn: c.model = "gnn:120-8-12-4"; c.data = "sbm:p_in=0.1,p_out=0.01,train=60,seed=5"; c.batch = 60
        }
        c.seed = 3; c.epochs = arch == .gnn ? 3 : 1; c.learningRate = 1e-2; c.traceEvery = 2; c.traceBackprop = true
        return c
    }

    /// Trains `arch` with a trace (every 2nd step and the last, with backprop's gradient) into `dir`.
    static func trace(_ arch: Arch, in dir: TemporaryDirectory) throws -> String {
        let c = config(arch)
        let (train, test) = try DatasetCatalog.load(
            name: c.data, dataDir: nil, model: c.modelSpec(), trainLimit: nil, testLimit: nil)
        let t = try Trainer(config: c, train: train, test: test)
        t.showProgress = false
        let path = dir.path("\(arch).lrt")
        try t.run(tracingTo: path)
        return path
    }

    func hardware(_ name: String, _ overrides: [String] = []) throws -> HardwareModel {
        try HardwareModel.load(path: DatapathFixtures.path("hwmodels/\(name)"), overrides: overrides)
    }

    func replay(_ path: String, _ hw: HardwareModel, exact: Bool = true) throws -> ReplayReport {
        try ReplayRun(hardware: hw, tracePath: path, exact: exact, wallClock: false).run(log: { _ in })
    }

    /// Wide products and accumulators (edge-wide): every tensor of every layer of every recorded step equals the exact
    /// GMP sum rounded once, with zero error; the recorded float gradient is matched only approximately (s4.4 forward).
    func testWideDatapathIsBitExactVsGMP() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let hw = try hardware("edge-wide.toml")
        for arch in Arch.allCases {
            let r = try replay(try Self.trace(arch, in: dir), hw)
            XCTAssertEqual(r.summary.stepsReplayed, arch == .gnn ? 2 : 3, "\(arch): steps 0, 2 and the last")
            XCTAssertEqual(r.summary.allBitExactVsExact, true, "\(arch)")
            XCTAssertEqual(r.summary.maxAbsErrorVsExact, 0, "\(arch)")
            for s in r.steps {
                XCTAssertEqual(s.layers.map(\.layer), arch == .gnn ? [0, 2] : [0, 1])
                for l in s.layers {
                    XCTAssertEqual(l.bitExactValues, l.values, "\(arch) step \(s.step) layer \(l.layer)")
                    XCTAssertNotNil(l.cosineVsBp, "the traces hold backprop's gradient")
                    let bound = try XCTUnwrap(l.accumulatorBoundBits)
                    XCTAssertLessThanOrEqual(bound.outer, l.accumulatorBits, "edge-wide's accumulators hold every sum")
                }
            }
            XCTAssertEqual(
                r.workload.model, arch == .gnn ? "gnn:120-8-12-4e\(try graphEdges())" : Self.config(arch).model)
            XCTAssertGreaterThan(r.cycles, 0, "the sim timing of the same work")
        }
    }

    /// A 32-bit datapath (edge-wide32: s8.24 values, s16.48 products and accumulators) reproduces the float trainer's
    /// gradient, its clean loss and its per-copy losses: an independent check of the noise regeneration, the row
    /// layouts, the antithetic pairs, the recurrence, the membranes and the graph aggregation.
    func testWide32DatapathMatchesFloatTrainer() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let hw = try hardware("edge-wide32.toml")
        for arch in Arch.allCases {
            let r = try replay(try Self.trace(arch, in: dir), hw)
            for s in r.steps {
                XCTAssertLessThan(abs(try XCTUnwrap(s.lossRelativeErrorVsFloat)), 1e-5, "\(arch) step \(s.step)")
                for l in s.layers {
                    XCTAssertGreaterThan(
                        try XCTUnwrap(l.cosineVsFloat), 0.99999, "\(arch) step \(s.step) layer \(l.layer)")
                    XCTAssertLessThan(
                        try XCTUnwrap(l.copyLossMeanAbsErrorVsFloat), 1e-5, "\(arch) step \(s.step) layer \(l.layer)")
                }
            }
            XCTAssertTrue(
                r.summary.verdict?.hasPrefix("the datapath's gradient follows the float trainer's") == true,
                r.summary.verdict ?? "no verdict")
        }
    }

    /// A narrow datapath (edge's 8-bit values with 4 fraction bits for the activations and 6-bit losses) measurably
    /// departs from the float gradient and from the exact sum, and the summary says where the worst step is.
    func testNarrowDatapathDivergesMeasurably() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let hw = try hardware("edge.toml", ["formats.activations.format=s4.2", "formats.loss.format=s5.3"])
        for arch in Arch.allCases {
            let r = try replay(try Self.trace(arch, in: dir), hw)
            let mean = try XCTUnwrap(r.summary.meanCosineVsFloat), worst = try XCTUnwrap(r.summary.minCosineVsFloat)
            XCTAssertLessThan(mean, 0.99, "\(arch)")
            if arch != .snn {
                // The snn's gradient inputs are spikes (0 or 1): its outer products stay exact even here.
                XCTAssertEqual(r.summary.allBitExactVsExact, false, "\(arch): edge's s16.16 TRN accumulators round")
            }
            let at = try XCTUnwrap(r.steps.first { $0.step == r.summary.worstCosineVsFloatStep })
            XCTAssertEqual(at.layers.first { $0.layer == r.summary.worstCosineVsFloatLayer }?.cosineVsFloat, worst)
            XCTAssertTrue(
                r.summary.verdict?.contains(String(format: "worst %.4f at step %d", worst, at.step)) == true,
                r.summary.verdict ?? "")
        }
    }

    /// The same replay on 1 and 2 threads gives the same report, bit for bit.
    func testReplayIsThreadCountIndependent() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let hw = try hardware("edge.toml")
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for arch in Arch.allCases {
            let path = try Self.trace(arch, in: dir)
            Parallel.threads = 1
            let one = try replay(path, hw)
            Parallel.threads = 2
            XCTAssertEqual(try replay(path, hw), one, "\(arch)")
        }
    }

    /// gnn runs are traced with the whole graph per step and `trace verify` recomputes them bit for bit.
    func testGNNTraceRecordsTheGraphAndVerifies() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let path = try Self.trace(.gnn, in: dir)
        let reader = try TraceReader(path: path)
        XCTAssertEqual(reader.header.model.spec, "gnn:120-8-12-4e\(try graphEdges())")
        XCTAssertEqual(reader.header.estimator.perturbedLayers, [0, 2])
        XCTAssertEqual(reader.header.estimator.noiseKeyLayout, 3)
        XCTAssertEqual(reader.header.notes[GraphModelTrainer.trainNodesNote], "60")
        XCTAssertEqual(
            reader.steps.map(\.step), [0, 2], "3 epochs of one full-graph step: steps 0, 2 (every 2nd, the last)")
        let s = try reader.readStep(step: 0)
        XCTAssertEqual(s.tensor(TraceNames.input)?.shape, [120, 8])
        XCTAssertEqual(s.tensor(TraceNames.labels)?.shape, [120])
        XCTAssertEqual(s.tensor(TraceNames.losses(2))?.shape, [4, 120])
        XCTAssertEqual(s.tensor(GraphModelTrainer.rowStartTensor)?.shape, [121])
        let v = TraceVerification.verify(path: path, stepVerifier: GradientRecomputation())
        XCTAssertTrue(v.ok, "\(v.problems) \(v.recomputation.messages)")
        XCTAssertEqual(v.recomputation.stepsChecked, 2)
    }

    /// The membrane by hand: s16.16 register, beta 0.9 held as 58982 / 2^16, sigma 0.5 as 2^15 / 2^16.
    func testMembraneByHand() throws {
        let acc = FixedConfig(try FixedFormat.parse("s16.16"), rounding: .truncate, overflow: .wrap)
        let noise = try FixedFormat.parse("s3.5")
        let act = FixedConfig(try FixedFormat.parse("s4.4"), rounding: .roundHalfToEven, overflow: .saturate)
        let inj = try NoiseInjection(sigma: 0.5, accumulator: acc.format, noise: noise, activations: act)
        let m = try FixedMembrane(beta: 0.9, register: acc, sigma: inj, noise: noise)
        XCTAssertEqual(m.betaRaw, 58982)
        XCTAssertEqual(m.threshold, 65536)
        // v = 1.25, I = 0.25: 58982 * 81920 / 2^16 + 16384 = 90111.5 -> TRN 90111, RND_CONV (tie to even) 90112.
        let v: Int128 = 81920, i: Int128 = 16384
        XCTAssertEqual(m.potential(v, current: i, eps: nil, random: 0), 90111)
        // eps = 1.0 (raw 32 in s3.5): + 0.5 = 32768 raw -> 122879.5 -> 122879.
        XCTAssertEqual(m.potential(v, current: i, eps: 32, random: 0), 122879)
        let rounded = try FixedMembrane(
            beta: 0.9, register: FixedConfig(acc.format, rounding: .roundHalfToEven, overflow: .wrap),
            sigma: inj, noise: noise)
        XCTAssertEqual(rounded.potential(v, current: i, eps: nil, random: 0), 90112)
        XCTAssertTrue(m.fires(65536)); XCTAssertFalse(m.fires(65535))
        XCTAssertEqual(m.reset(104857), 104857 - 65536)
    }

    /// Bad inputs are one-line errors naming what is wrong.
    func testBadInputsAreOneLineErrors() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        // A spike (1) must be an input value, and the threshold (1) a membrane value.
        let snn = try Self.trace(.snn, in: dir)
        for (override, expected) in [
            ("formats.inputs.format=s1.7", "a spike (1) is not a value of the inputs format s1.7"),
            ("formats.accumulators.format=s1.15", "the threshold 1 is not a value of the accumulators format s1.15"),
        ] {
            XCTAssertThrowsError(try replay(snn, try hardware("edge.toml", [override]))) { e in
                XCTAssertTrue("\(e)".contains(expected), "\(e)")
                XCTAssertTrue("\(e)".hasPrefix(snn), "names the trace: \(e)")
                XCTAssertFalse("\(e)".contains("\n"))
            }
        }
        // The datapath checks what it is handed.
        let c = Self.config(.rnn)
        let (resolved, _) = try c.resolved()
        let d = try ArchitectureDatapaths.make(
            model: try c.modelSpec(), settings: resolved.estimator, seed: 3,
            formats: try DatapathFormats(try hardware("edge.toml")))
        let params = [Float](repeating: 0.1, count: d.parameterCount)
        XCTAssertThrowsError(try d.run(parameters: params, input: [0.5], labels: [0], step: 0)) { e in
            XCTAssertEqual("\(e)", "input: expected 1 x 784 values, got 1")
        }
        XCTAssertThrowsError(
            try d.run(parameters: params, input: [Float](repeating: 0, count: 784), labels: [7], step: 0)
        ) { e in
            XCTAssertEqual("\(e)", "labels[0] = 7: expected a class in 0...2")
        }
        XCTAssertThrowsError(try d.run(parameters: [1], input: [Float](repeating: 0, count: 784), labels: [0], step: 0))
        { e in
            XCTAssertEqual("\(e)", "parameters: expected \(d.parameterCount) values, got 1")
        }
        // A step too large to hold is refused before anything is allocated.
        var big = c
        big.model = "rnn:1x4096-2xT4095"; big.estimator.copies = [64]
        let huge = try ArchitectureDatapaths.make(
            model: try big.modelSpec(), settings: try big.resolved().0.estimator, seed: 3,
            formats: try DatapathFormats(try hardware("edge.toml")))
        XCTAssertThrowsError(
            try huge.run(parameters: [], input: [Float](repeating: 0, count: 4095), labels: [0], step: 0)
        ) { e in
            XCTAssertEqual(
                "\(e)",
                "the rnn step's noisy trajectories (T+1) x B x K x H = 4096 x 1 x 64 x 4096 values; the replay datapath holds at most 2^28 (2 GiB) per step"
            )
        }
        var bp = c
        bp.estimator.kind = .bp
        XCTAssertThrowsError(
            try ArchitectureDatapaths.make(
                model: try c.modelSpec(), settings: try bp.resolved().0.estimator, seed: 3,
                formats: try DatapathFormats(try hardware("edge.toml")))
        ) { e in
            XCTAssertTrue("\(e)".contains("replays the lr estimator"), "\(e)")
        }
        // A gnn trace whose graph is not the one its configuration generates.
        let gnn = try Self.trace(.gnn, in: dir)
        let r = try TraceReader(path: gnn)
        let tampered = dir.path("gnn-tampered.lrt")
        let w = try TraceWriter(path: tampered, header: r.header)
        for i in r.steps.indices {
            var s = try r.readStep(at: i)
            let k = try XCTUnwrap(s.tensors.firstIndex { $0.name == GraphModelTrainer.columnsTensor })
            var cols = try XCTUnwrap(s.tensors[k].int32)
            cols.swapAt(0, 1)
            s.tensors[k] = try TraceTensor(name: s.tensors[k].name, shape: s.tensors[k].shape, int32: cols)
            try w.appendStep(s)
        }
        try w.finish()
        XCTAssertThrowsError(try replay(tampered, try hardware("edge.toml"))) { e in
            XCTAssertTrue(
                "\(e)".contains(
                    "step 0: tensor 'graph.columns' differs from the graph the configuration's data 'sbm:p_in=0.1,p_out=0.01,train=60,seed=5' generates"
                ), "\(e)")
        }
    }

    func graphEdges() throws -> Int {
        let c = Self.config(.gnn)
        guard case .graph(let g) = try c.modelSpec() else { throw XCTSkip("not a gnn") }
        return try GraphDataSpec.parse(c.data).graph(for: g).edgeCount
    }
}
