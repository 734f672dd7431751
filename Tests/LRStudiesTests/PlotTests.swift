import Foundation
import LRReport
import LRTestSupport
import XCTest

@testable import LRStudies

final class PlotTests: XCTestCase {
    func testParetoFrontByHand() {
        // (throughput, accuracy): 0 (1,0.9) 1 (2,0.8) 2 (2,0.7) dominated by 1; 3 (3,0.5); 4 (0.5,0.85) dominated by 0.
        let x = [1.0, 2, 2, 3, 0.5], y = [0.9, 0.8, 0.7, 0.5, 0.85]
        XCTAssertEqual(ParetoFront.indices(x: x, y: y, xBetter: .higher, yBetter: .higher), [0, 1, 3])
        // Energy (lower better): point 4 is cheapest, then 0 beats 1 and 2 ... 3 costs most.
        XCTAssertEqual(ParetoFront.indices(x: x, y: y, xBetter: .lower, yBetter: .higher), [4, 0])
        XCTAssertEqual(ParetoFront.indices(x: [1, .nan], y: [1, 2], xBetter: .higher, yBetter: .higher), [0])
    }

    func testNiceTicks() {
        let s = PlotScale(values: [0.61, 0.83], pixels: (300, 0))
        XCTAssertEqual(s.ticks.first!, 0.6, accuracy: 1e-12); XCTAssertEqual(s.ticks.last!, 0.85, accuracy: 1e-12)
        XCTAssertEqual(s.ticks.count, 6)  // (0.83 - 0.61) / 5 = 0.044 -> step 0.05
        XCTAssertEqual(s(0.6), 300, accuracy: 1e-9); XCTAssertEqual(s(s.upper), 0, accuracy: 1e-9)
        let l = PlotScale(values: [3, 2000], pixels: (0, 100), logarithmic: true)
        XCTAssertEqual(l.ticks, [1, 10, 100, 1000, 10000])
        XCTAssertEqual(l(100), 50, accuracy: 1e-9)
        // Two decades or less: 1-2-5 ticks, bounds at the nearest of them (ratios around parity).
        let r = PlotScale(values: [0.34, 1.9], pixels: (0, 100), logarithmic: true)
        XCTAssertEqual(r.ticks, [0.2, 0.5, 1, 2])
        XCTAssertEqual(r(1), 100 * log10(5) / log10(10), accuracy: 1e-9)
        XCTAssertEqual(PlotScale.label(2500000), "2.5M")
        XCTAssertEqual(PlotScale.label(0.125), "0.125")
    }

    /// A chart rendered by librsvg: the right size, mostly white, with the series colour where its points are.
    func testLineChartRendersToPNG() throws {
        guard
            let rsvg = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first(
                where: FileManager.default.isExecutableFile)
        else {
            throw XCTSkip("rsvg-convert is not installed (Debian: apt-get install librsvg2-bin)")
        }
        var chart = LineChart(
            title: "Accuracy vs activation bits", xLabel: "formats.activations.bits", yLabel: "test accuracy")
        chart.series = [
            .init(name: "acc=32", points: [(4, 0.5), (8, 0.8), (16, 0.82)]),
            .init(name: "acc=16", points: [(4, 0.3), (8, 0.6), (16, 0.61)]),
        ]
        chart.pareto = (.higher, .higher)
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        try chart.svg().write(toFile: tmp.path("c.svg"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: rsvg)
        p.arguments = ["-o", tmp.path("c.png"), tmp.path("c.svg")]
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let png = try PNGImage(data: Data(contentsOf: URL(fileURLWithPath: tmp.path("c.png"))))
        XCTAssertEqual(png.width, 660); XCTAssertGreaterThanOrEqual(png.height, 420)
        var white = 0, dark = 0, blue = 0
        for y in 0..<png.height {
            for x in 0..<png.width {
                let c = png.pixel(x, y)
                if c.r > 250 && c.g > 250 && c.b > 250 { white += 1 }
                if c.r < 80 && c.g < 80 && c.b < 80 { dark += 1 }
                if abs(c.r - 0x1f) < 30 && abs(c.g - 0x77) < 30 && abs(c.b - 0xb4) < 30 { blue += 1 }
            }
        }
        let total = png.width * png.height
        XCTAssertGreaterThan(white, total / 2, "a white background")
        XCTAssertGreaterThan(dark, 1500, "axes and text are drawn")
        XCTAssertGreaterThan(blue, 300, "the first series is drawn in its colour")
        // The marker of (8, 0.8): locate it with the same scales the chart used, and find the series colour there.
        let box = chart.plotBox
        let xs = PlotScale(values: [4, 8, 16, 4, 8, 16], pixels: (box.left, box.right))
        let ys = PlotScale(values: [0.5, 0.8, 0.82, 0.3, 0.6, 0.61], pixels: (box.bottom, box.top))
        let c = png.pixel(Int(xs(8).rounded()), Int(ys(0.8).rounded()))
        XCTAssertTrue(abs(c.r - 0x1f) < 40 && abs(c.b - 0xb4) < 40, "marker colour at (8, 0.8): \(c)")
    }

    func testReportPageHasEveryChartInline() throws {
        let spec = SweepSpec(
            hw: "edge.toml",
            axes: [
                .init(key: "formats.activations.bits", values: ["4", "8"]),
                .init(key: "formats.accumulators.bits", values: ["16", "32"]),
            ],
            kinds: ["sim", "train"])
        var results: [PointResult] = []
        for (i, o) in try SweepGrid(axes: spec.axes).points.enumerated() {
            results.append(
                PointResult(
                    point: o, status: .ok,
                    metrics: [
                        "train.test_accuracy": 0.5 + 0.1 * Double(i),
                        "sim.iterations_per_second": 1000 - 10 * Double(i),
                        "sim.energy_uj_per_iteration": 40 + Double(i), "sim.utilization.stage0.pe": 0.5,
                    ]))
        }
        let b = SweepReportBuilder(table: SweepTable(spec: spec, results: results))
        let names = b.charts().map(\.name)
        XCTAssertEqual(
            names,
            [
                "train.test_accuracy-vs-formats.activations.bits", "train.test_accuracy-vs-formats.accumulators.bits",
                "sim.iterations_per_second-vs-formats.activations.bits",
                "sim.iterations_per_second-vs-formats.accumulators.bits",
                "sim.energy_uj_per_iteration-vs-formats.activations.bits",
                "sim.energy_uj_per_iteration-vs-formats.accumulators.bits",
                "pareto-energy", "pareto-throughput", "utilization",
            ])
        let html = b.html()
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 9)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("href=\"http"))
        XCTAssertTrue(
            html.contains("Pareto front (4, numbered)"),
            "every point is on the front when accuracy rises as throughput falls")
        XCTAssertTrue(
            html.contains("<h2>Pareto fronts</h2>") && html.contains("<h2>Throughput, energy and memory</h2>"))
    }

    /// Two series with the same points: different marker shapes and dash patterns, and a note that names both.
    func testCoincidingSeriesStayDistinguishable() {
        var chart = LineChart(title: "t", xLabel: "bits", yLabel: "cosine")
        chart.yIncludesZero = true
        let pts: [(x: Double, y: Double)] = [(4, 0.4), (8, 0.9), (16, 0.99)]
        chart.series = [
            .init(name: "acc=24", points: pts), .init(name: "acc=32", points: pts),
            .init(name: "acc=16", points: [(4, 0), (8, 0), (16, 0)]),
        ]
        chart.notes = SweepReportBuilder.coincidenceNotes(chart.series)
        XCTAssertEqual(
            chart.notes, ["acc=24 and acc=32 coincide at every point (drawn with different markers and dashes)."])
        let svg = chart.svg()
        XCTAssertTrue(svg.contains("acc=24 and acc=32 coincide at every point"))
        // Three lines: solid, and two distinct dash patterns.
        let polylines = svg.components(separatedBy: "\n").filter { $0.hasPrefix("<polyline") }
        XCTAssertEqual(polylines.count, 3)
        XCTAssertEqual(
            Set(
                polylines.map {
                    $0.components(separatedBy: "stroke-dasharray=").count > 1
                        ? $0.components(separatedBy: "stroke-dasharray=\"")[1].prefix(while: { $0 != "\"" }) : "solid"
                }
            ).count, 3)
        // Markers: 3 points x 3 series plus one legend sample each: circles (series 0), squares and triangles (polygons).
        let circles = svg.components(separatedBy: "<circle").count - 1,
            polygons = svg.components(separatedBy: "<polygon").count - 1
        XCTAssertEqual(circles, 4)
        XCTAssertEqual(polygons, 8)
        XCTAssertTrue(svg.contains(">bits</text>") && svg.contains(">cosine</text>"), "axis labels")
        XCTAssertFalse(svg.contains("not at 0"), "this y axis includes 0: nothing to note")
    }

    /// An axis that starts away from 0 gets a break mark on the axis and a note with its start.
    func testCutAxisIsMarkedAndNoted() {
        var chart = LineChart(title: "Accuracy", xLabel: "bits", yLabel: "accuracy")
        chart.series = [.init(name: "a", points: [(4, 0.61), (8, 0.83)])]
        chart.xTicks = [4, 8]
        XCTAssertEqual(chart.axisNotes, ["The y axis starts at 0.6, not at 0 (marked on the axis)."])
        let svg = chart.svg()
        XCTAssertTrue(svg.contains("The y axis starts at 0.6, not at 0"))
        // The break mark: a white gap and two slanted strokes across the y axis (x = 78) near the bottom.
        XCTAssertTrue(svg.contains("<rect x=\"71\""), svg)
        XCTAssertEqual(svg.components(separatedBy: "<line x1=\"71\"").count - 1, 2)
        // x ticks exactly at the swept values.
        XCTAssertTrue(svg.contains(">4</text>") && svg.contains(">8</text>"))
        chart.yIncludesZero = true
        XCTAssertEqual(chart.axisNotes, [])
        var pareto = LineChart(title: "p", xLabel: "energy", yLabel: "acc")
        pareto.series = [.init(name: "s", points: [(1.47, 0.5), (1.52, 0.9)], connect: false)]
        XCTAssertEqual(
            pareto.axisNotes,
            [
                "The y axis starts at 0.5, not at 0 (marked on the axis).",
                "The x axis starts at 1.47, not at 0 (marked on the axis).",
            ])
    }

    /// A sim-only sweep: throughput, energy, memory and DRAM charts against every axis; a metric that does not vary is
    /// stated in a sentence instead of charted.
    func testSimOnlySweepChartsThroughputEnergyAndMemory() throws {
        let spec = SweepSpec(
            hw: "edge.toml",
            axes: [
                .init(key: "pe.rows", values: ["8", "16"]),
                .init(key: "formats.all.rounding", values: ["TRN", "RND_CONV", "STOCHASTIC"]),
            ],
            kinds: ["sim"])
        var results: [PointResult] = []
        for (i, o) in try SweepGrid(axes: spec.axes).points.enumerated() {
            results.append(
                PointResult(
                    point: o, status: .ok,
                    metrics: [
                        "sim.iterations_per_second": 1000 + 100 * Double(i / 3),
                        "sim.energy_uj_per_iteration": 40 + Double(i),
                        "sim.memory_peak_bytes": 102_400 + 1024 * Double(i), "sim.dram_bytes_per_iteration": 2_500_000,
                    ]))
        }
        let b = SweepReportBuilder(table: SweepTable(spec: spec, results: results))
        let charts = b.charts()
        XCTAssertEqual(
            charts.map(\.name),
            [
                "sim.iterations_per_second-vs-pe.rows", "sim.iterations_per_second-vs-formats.all.rounding",
                "sim.energy_uj_per_iteration-vs-pe.rows", "sim.energy_uj_per_iteration-vs-formats.all.rounding",
                "sim.memory_peak_bytes-vs-pe.rows", "sim.memory_peak_bytes-vs-formats.all.rounding",
            ])
        let memory = try XCTUnwrap(charts.first { $0.name == "sim.memory_peak_bytes-vs-pe.rows" })
        XCTAssertTrue(memory.svg.contains("peak on-chip memory in use (KiB)"))
        XCTAssertTrue(memory.svg.contains(">100</text>") || memory.svg.contains(">101</text>"), "bytes shown in KiB")
        // The rounding axis is categorical: its modes label the ticks, in the order given.
        let rounding = try XCTUnwrap(charts.first { $0.name == "sim.energy_uj_per_iteration-vs-formats.all.rounding" })
        for mode in ["TRN", "RND_CONV", "STOCHASTIC"] { XCTAssertTrue(rounding.svg.contains(">\(mode)</text>"), mode) }
        XCTAssertEqual(rounding.svg.components(separatedBy: "<polyline").count - 1, 2, "one line per pe.rows value")
        XCTAssertTrue(
            b.html().contains("DRAM traffic per iteration (MB) is 2.5 at every point of the sweep (not charted)."))
    }

    /// A sweep over a hardware axis and a precision axis: one Pareto chart of accuracy against energy over all points,
    /// coloured by the hardware axis, its front (computed here independently) numbered and listed.
    func testParetoAcrossHardwareAndPrecision() throws {
        let spec = SweepSpec(
            hw: "edge.toml",
            axes: [
                .init(key: "pe.rows", values: ["8", "32"]),
                .init(key: "formats.activations.bits", values: ["4", "8", "16"]),
            ],
            kinds: ["sim", "train"])
        let accuracy = [0.50, 0.80, 0.81, 0.52, 0.82, 0.83], energy = [40.0, 44, 52, 38, 45, 50]
        var results: [PointResult] = []
        for (i, o) in try SweepGrid(axes: spec.axes).points.enumerated() {
            results.append(
                PointResult(
                    point: o, status: .ok,
                    metrics: [
                        "train.test_accuracy": accuracy[i],
                        "sim.energy_uj_per_iteration": energy[i],
                    ]))
        }
        let chart = try XCTUnwrap(
            SweepReportBuilder(table: SweepTable(spec: spec, results: results)).charts().first {
                $0.name == "pareto-energy"
            })
        // By hand: 3 (38, 0.52) is cheapest; 1 (44, 0.80) beats 0; 4 (45, 0.82); 5 (50, 0.83); 2 (52, 0.81) is dominated.
        let front = ParetoFront.indices(x: energy, y: accuracy, xBetter: .lower, yBetter: .higher)
        XCTAssertEqual(front, [3, 1, 4, 5])
        let table = try XCTUnwrap(chart.table)
        XCTAssertEqual(table.rows.map(\.[0]), ["1", "2", "3", "4"])
        XCTAssertEqual(
            table.rows.map(\.[1]),
            [
                "activations.bits=4 pe.rows=32", "activations.bits=8 pe.rows=8",
                "activations.bits=8 pe.rows=32", "activations.bits=16 pe.rows=32",
            ])
        XCTAssertEqual(table.rows.map(\.[2]), ["0.52", "0.8", "0.82", "0.83"])
        XCTAssertTrue(
            chart.svg.contains(">pe.rows=8</text>") && chart.svg.contains(">pe.rows=32</text>"),
            "coloured by the hardware axis")
        XCTAssertTrue(chart.svg.contains("Pareto front (4, numbered)"))
        for n in 1...4 {
            XCTAssertTrue(chart.svg.contains("fill=\"#000000\" font-weight=\"bold\">\(n)</text>"), "label \(n)")
        }
    }
}
