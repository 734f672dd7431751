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
        XCTAssertEqual(s.ticks.count, 6)   // (0.83 - 0.61) / 5 = 0.044 -> step 0.05
        XCTAssertEqual(s(0.6), 300, accuracy: 1e-9); XCTAssertEqual(s(s.upper), 0, accuracy: 1e-9)
        let l = PlotScale(values: [3, 2000], pixels: (0, 100), logarithmic: true)
        XCTAssertEqual(l.ticks, [1, 10, 100, 1000, 10000])
        XCTAssertEqual(l(100), 50, accuracy: 1e-9)
        XCTAssertEqual(PlotScale.label(2500000), "2.5M")
        XCTAssertEqual(PlotScale.label(0.125), "0.125")
    }

    /// A chart rendered by librsvg: the right size, mostly white, with the series colour where its points are.
    func testLineChartRendersToPNG() throws {
        guard let rsvg = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("rsvg-convert is not installed (Debian: apt-get install librsvg2-bin)")
        }
        var chart = LineChart(title: "Accuracy vs activation bits", xLabel: "formats.activations.bits", yLabel: "test accuracy")
        chart.series = [.init(name: "acc=32", points: [(4, 0.5), (8, 0.8), (16, 0.82)]),
                        .init(name: "acc=16", points: [(4, 0.3), (8, 0.6), (16, 0.61)])]
        chart.pareto = (.higher, .higher)
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        try chart.svg().write(toFile: tmp.path("c.svg"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: rsvg)
        p.arguments = ["-o", tmp.path("c.png"), tmp.path("c.svg")]
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let png = try PNGImage(data: Data(contentsOf: URL(fileURLWithPath: tmp.path("c.png"))))
        XCTAssertEqual(png.width, 680); XCTAssertEqual(png.height, 420)
        var white = 0, dark = 0, blue = 0
        for y in 0..<png.height { for x in 0..<png.width {
            let c = png.pixel(x, y)
            if c.r > 250 && c.g > 250 && c.b > 250 { white += 1 }
            if c.r < 80 && c.g < 80 && c.b < 80 { dark += 1 }
            if abs(c.r - 0x1f) < 30 && abs(c.g - 0x77) < 30 && abs(c.b - 0xb4) < 30 { blue += 1 }
        } }
        let total = png.width * png.height
        XCTAssertGreaterThan(white, total / 2, "a white background")
        XCTAssertGreaterThan(dark, 1500, "axes and text are drawn")
        XCTAssertGreaterThan(blue, 300, "the first series is drawn in its colour")
        // The marker of (8, 0.8): locate it with the same scales the chart used, and find the series colour there.
        let xs = PlotScale(values: [4, 8, 16, 4, 8, 16], pixels: (78, 680 - 190))
        let ys = PlotScale(values: [0.5, 0.8, 0.82, 0.3, 0.6, 0.61], pixels: (420 - 58, 44))
        let c = png.pixel(Int(xs(8).rounded()), Int(ys(0.8).rounded()))
        XCTAssertTrue(abs(c.r - 0x1f) < 40 && abs(c.b - 0xb4) < 40, "marker colour at (8, 0.8): \(c)")
    }

    func testReportPageHasEveryChartInline() throws {
        let spec = SweepSpec(hw: "edge.toml", axes: [.init(key: "formats.activations.bits", values: ["4", "8"]),
                                                     .init(key: "formats.accumulators.bits", values: ["16", "32"])],
                             kinds: ["sim", "train"])
        var results: [PointResult] = []
        for (i, o) in try SweepGrid(axes: spec.axes).points.enumerated() {
            results.append(PointResult(point: o, status: .ok, metrics: [
                "train.test_accuracy": 0.5 + 0.1 * Double(i), "sim.iterations_per_second": 1000 - 10 * Double(i),
                "sim.energy_uj_per_iteration": 40 + Double(i), "sim.utilization.stage0.pe": 0.5]))
        }
        let b = SweepReportBuilder(table: SweepTable(spec: spec, results: results))
        let names = b.charts().map(\.name)
        XCTAssertEqual(names, ["train.test_accuracy-vs-formats.activations.bits", "train.test_accuracy-vs-formats.accumulators.bits",
                               "pareto-throughput", "pareto-energy", "utilization"])
        let html = b.html()
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 5)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("href=\"http"))
        XCTAssertTrue(html.contains("Pareto front (4)"), "every point is on the front when accuracy rises as throughput falls")
    }
}
