import LRTestSupport
import XCTest

@testable import LRTrace

final class RoundTripTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace") }
    override func tearDown() { dir.cleanup() }

    func testWriteThenReadGivesIdenticalValuesForEveryDtype() throws {
        for compression in TraceCompression.allCases {
            let path = try Fixtures.write(
                dir.path("rt-\(compression).lrt"), steps: [0, 5, 10, 13], compression: compression)
            let r = try TraceReader(path: path)
            XCTAssertEqual(r.header, Fixtures.header())
            XCTAssertEqual(r.formatVersion, .current)
            XCTAssertEqual(r.steps.map(\.step), [0, 5, 10, 13])
            XCTAssertEqual(r.steps.map(\.epoch), [0, 1, 2, 3])
            for (i, s) in [UInt64(0), 5, 10, 13].enumerated() {
                let expected = try Fixtures.step(s)
                let got = try r.readStep(at: i)
                XCTAssertEqual(got, expected, "step \(s) (\(compression))")
                XCTAssertEqual(try r.readStep(step: s), expected)
            }
            // Typed accessors give back the exact values, bit for bit.
            let s5 = try r.readStep(step: 5)
            XCTAssertEqual(
                s5.tensor("layer2.grad.bias")?.float32?.map(\.bitPattern),
                [Float.nan.bitPattern, (-Float.infinity).bitPattern])
            XCTAssertEqual(
                s5.tensor("extra.f64")?.float64?.map(\.bitPattern),
                [(1.0 / 3.0).bitPattern, (-0.0).bitPattern, Double.greatestFiniteMagnitude.bitPattern])
            XCTAssertEqual(
                s5.tensor("extra.bits")?.bits, [true, false, true, true, false, false, false, true, true, false, true])
            XCTAssertEqual(s5.tensor("extra.bits")?.bytes, [0b1000_1101, 0b0000_0101])
            XCTAssertEqual(s5.tensor("extra.u8")?.uint8, [0, 1, 127, 128, 255])
            XCTAssertEqual(s5.tensor("extra.scalar")?.int32, [Int32.min])
            XCTAssertEqual(s5.tensor("extra.scalar")?.shape, [])
            XCTAssertEqual(s5.tensor("extra.empty")?.elementCount, 0)
            XCTAssertEqual(s5.info.scalar("loss"), 2.302585)
            XCTAssertTrue(s5.info.scalar("odd")?.isNaN ?? false)
            // One tensor without the rest.
            XCTAssertEqual(
                try r.readTensor(step: 10, name: "layer0.weight"), try Fixtures.step(10).tensor("layer0.weight"))
            XCTAssertEqual(TraceVerification.verify(path: path).problems, [])
        }
    }

    func testCompressionIsKeptOnlyWhereItSavesSpace() throws {
        // A step with a highly compressible tensor and a random one.
        let header = Fixtures.header()
        let path = dir.path("mixed.lrt")
        let w = try TraceWriter(path: path, header: header, options: .init(compression: .zlib))
        var rng = SeededRandom(seed: 7)
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try w.appendStep(
            TraceStep(
                info: TraceStepInfo(step: 0, epoch: 0, noiseSeed: 1, noiseStep: 0),
                tensors: [
                    try TraceTensor(name: "zeros", shape: [4096], float32: [Float](repeating: 0, count: 4096)),
                    try TraceTensor(name: "noise", shape: [4096], uint8: noise),
                ]))
        try w.finish()
        let r = try TraceReader(path: path)
        let storage = try r.tensorStorage(at: 0)
        XCTAssertEqual(storage.map(\.compressed), [true, false])
        XCTAssertLessThan(storage[0].storedBytes, 200)
        XCTAssertEqual(storage[1].storedBytes, storage[1].rawBytes)
        XCTAssertEqual(try r.readStep(at: 0).tensor("noise")?.uint8, noise)
        XCTAssertEqual(try r.readStep(at: 0).tensor("zeros")?.float32, [Float](repeating: 0, count: 4096))
    }

    func testZeroCopyFloatAppendMatchesTensorAppend() throws {
        let values: [Float] = (0..<12).map { Float($0) * 0.25 - 1 }
        let a = dir.path("a.lrt"), b = dir.path("b.lrt")
        for (path, zeroCopy) in [(a, true), (b, false)] {
            let w = try TraceWriter(path: path, header: Fixtures.header())
            try w.beginStep(TraceStepInfo(step: 3, epoch: 0, noiseSeed: 42, noiseStep: 3), tensorCount: 1)
            if zeroCopy {
                try values.withUnsafeBufferPointer {
                    try w.appendTensor(name: "layer0.weight", shape: [3, 4], float32: $0)
                }
            } else {
                try w.appendTensor(TraceTensor(name: "layer0.weight", shape: [3, 4], float32: values))
            }
            try w.finish()
        }
        XCTAssertEqual(try Fixtures.bytes(a), try Fixtures.bytes(b))
        XCTAssertEqual(try TraceReader(path: a).readStep(step: 3).tensor("layer0.weight")?.float32, values)
    }

    func testSameContentGivesByteIdenticalFiles() throws {
        for compression in TraceCompression.allCases {
            let a = try Fixtures.write(dir.path("d1.lrt"), compression: compression)
            let first = try Fixtures.bytes(a)
            try FileManager.default.removeItem(atPath: a)
            XCTAssertEqual(try Fixtures.bytes(try Fixtures.write(dir.path("d2.lrt"), compression: compression)), first)
        }
    }

    func testEmptyTraceAndZeroTensorStep() throws {
        let empty = try Fixtures.write(dir.path("empty.lrt"), steps: [])
        XCTAssertEqual(try TraceReader(path: empty).steps, [])
        XCTAssertTrue(TraceVerification.verify(path: empty).problems.isEmpty)

        let path = dir.path("zero.lrt")
        let w = try TraceWriter(path: path, header: Fixtures.header())
        try w.beginStep(
            TraceStepInfo(step: 7, epoch: 1, noiseSeed: 42, noiseStep: 7, scalars: [TraceScalar("loss", 1)]),
            tensorCount: 0)
        try w.finish()
        let step = try TraceReader(path: path).readStep(step: 7)
        XCTAssertEqual(step.tensors, [])
        XCTAssertEqual(step.info.scalars, [TraceScalar("loss", 1)])
    }

    func testMissingStepAndTensorAreClearErrors() throws {
        let r = try TraceReader(path: try Fixtures.write(dir.path("m.lrt")))
        let e = traceError { _ = try r.readStep(step: 3) }
        XCTAssertEqual(e?.category, .notFound)
        XCTAssertEqual(e?.description, "\(r.path): step 3 is not in the trace; recorded steps: 0, 5")
        XCTAssertEqual(
            traceError { _ = try r.readTensor(step: 5, name: "nope") }?.description,
            "\(r.path): step 5 has no tensor named 'nope'")
    }

    func testHeaderJSONIsCanonicalAndHashIsSHA256OfConfig() throws {
        let h = Fixtures.header()
        XCTAssertEqual(h.configHash, "sha256:" + SHA256.hex(Array(#"{"batch":2,"model":"mlp:4-3-2","seed":42}"#.utf8)))
        let json = try TraceWriter.encode(h, path: "x")
        XCTAssertTrue(json.hasPrefix(#"{"config_hash":"sha256:"#), json)
        XCTAssertFalse(json.contains("\n"))
        // Seeds use all 64 bits.
        var big = h
        big.estimator.seed = UInt64.max
        let path = dir.path("seed.lrt")
        try Fixtures.write(path, steps: [], header: big)
        XCTAssertEqual(try TraceReader(path: path).header.estimator.seed, UInt64.max)
    }
}
