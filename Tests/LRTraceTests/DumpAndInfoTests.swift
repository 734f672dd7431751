import LRIO
import LRTestSupport
import XCTest

@testable import LRTrace

final class DumpAndInfoTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace-dump") }
    override func tearDown() { dir.cleanup() }

    func smallTrace() throws -> String {
        let path = dir.path("dump.lrt")
        let w = try TraceWriter(path: path, header: Fixtures.header())
        try w.appendStep(
            TraceStep(
                info: TraceStepInfo(
                    step: 10, epoch: 2, noiseSeed: 42, noiseStep: 10, scalars: [TraceScalar("loss", 0.5)]),
                tensors: [
                    try TraceTensor(name: "layer0.bias", shape: [3], float32: [0.1, -2, 3.5]),
                    try TraceTensor(name: "layer2.bias", shape: [2], float32: [1, .nan]),
                    try TraceTensor(name: "labels", shape: [2], int32: [7, -1]),
                ]))
        try w.finish()
        return path
    }

    func testDumpOfOneLayerAsText() throws {
        let r = try TraceReader(path: try smallTrace())
        let dump = TraceDumpReport(
            file: r.path, step: try r.readStep(step: 10), select: { $0.hasPrefix("layer0.") }, limit: 2)
        XCTAssertEqual(
            dump.text(),
            """
            step 10 (epoch 2), noise key seed 42 step 10
              loss = 0.5
            layer0.bias  f32 [3]  3 values  min -2.0  max 3.5  mean 0.5333333338300387  l2 4.032369030768145
              0.1 -2.0
              ... (1 more)
            """)
        // mean and l2 computed by hand in Double from the f32 values 0.1f, -2, 3.5:
        let a = Double(Float(0.1))
        XCTAssertEqual(dump.tensors[0].mean, (a - 2 + 3.5) / 3)
        XCTAssertEqual(dump.tensors[0].l2, (a * a + 4 + 12.25).squareRoot())
    }

    func testDumpAsJSONKeepsTypesAndNonFiniteValues() throws {
        let r = try TraceReader(path: try smallTrace())
        let json = try JSONReport.text(
            TraceDumpReport(file: "f", step: try r.readStep(step: 10), select: { $0 != "layer0.bias" }, limit: nil))
        XCTAssertEqual(
            json,
            """
            {
              "epoch" : 2,
              "file" : "f",
              "noise_key" : {
                "seed" : 42,
                "step" : 10
              },
              "scalars" : [
                {
                  "name" : "loss",
                  "value" : 0.5
                }
              ],
              "step" : 10,
              "tensors" : [
                {
                  "count" : 2,
                  "dtype" : "f32",
                  "l2" : 1,
                  "max" : 1,
                  "mean" : 1,
                  "min" : 1,
                  "name" : "layer2.bias",
                  "non_finite" : 1,
                  "shape" : [
                    2
                  ],
                  "truncated" : false,
                  "values" : [
                    1,
                    "nan"
                  ]
                },
                {
                  "count" : 2,
                  "dtype" : "i32",
                  "l2" : 7.0710678118654755,
                  "max" : 7,
                  "mean" : 3,
                  "min" : -1,
                  "name" : "labels",
                  "non_finite" : 0,
                  "shape" : [
                    2
                  ],
                  "truncated" : false,
                  "values" : [
                    7,
                    -1
                  ]
                }
              ]
            }
            """)
    }

    func testInfoReportsHeaderStepsAndSizes() throws {
        let path = try Fixtures.write(dir.path("info.lrt"), steps: [0, 5, 10], compression: .zlib)
        let r = try TraceReader(path: path)
        let info = try TraceInfoReport(reader: r)
        XCTAssertEqual(info.steps.map(\.step), [0, 5, 10])
        XCTAssertEqual(info.chunks, 1 + 3 * 14 + 2)
        XCTAssertEqual(info.tensors.map(\.name), try Fixtures.step(0).tensors.map(\.name))
        XCTAssertEqual(info.tensors.first?.shape, [2, 4])
        XCTAssertEqual(info.storedBytes, UInt64(try Fixtures.bytes(path).count))
        // Raw size equals the size of the same trace written without compression.
        let plain = try Fixtures.write(dir.path("plain.lrt"), steps: [0, 5, 10], compression: .none)
        XCTAssertEqual(info.rawBytes, UInt64(try Fixtures.bytes(plain).count))
        XCTAssertGreaterThan(info.compressionRatio, 1)
        let text = info.text()
        XCTAssertTrue(text.contains("model:       mlp:4-3-2, activation relu, input [4]"), text)
        XCTAssertTrue(text.contains("  layer 0: dense 4->3  [4] -> [3]  [weight [3, 4], bias [3]]"), text)
        XCTAssertTrue(text.contains("steps:       3 recorded (every 5): 0, 5, 10"), text)
    }
}

final class SHA256Tests: XCTestCase {
    func testNISTExamples() {
        XCTAssertEqual(
            SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Streaming in uneven pieces gives the same digest.
        var h = SHA256()
        let data = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        h.update(data[0..<5]); h.update(data[5..<40]); h.update(data[40...])
        XCTAssertEqual(h.finalizeHex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testCRC32MatchesTheStandardCheckValue() {
        XCTAssertEqual(Zlib.crc32(Array("123456789".utf8)), 0xCBF4_3926)
    }
}

final class TraceNamesTests: XCTestCase {
    func testRolesOfTheTrainersNames() {
        XCTAssertEqual(TraceNames.role(of: "input"), .input)
        XCTAssertEqual(TraceNames.role(of: "labels"), .labels)
        XCTAssertEqual(TraceNames.role(of: "clean_losses"), .cleanLosses)
        XCTAssertEqual(TraceNames.role(of: TraceNames.parameter(12, "weight")), .parameter(layer: 12, name: "weight"))
        XCTAssertEqual(TraceNames.role(of: TraceNames.gradient(0, "bias")), .gradient(layer: 0, name: "bias"))
        XCTAssertEqual(TraceNames.role(of: TraceNames.backprop(3, "weight")), .backprop(layer: 3, name: "weight"))
        XCTAssertEqual(TraceNames.role(of: TraceNames.losses(2)), .losses(layer: 2))
        XCTAssertEqual(TraceNames.role(of: "layer4.noise.signs"), .otherLayerTensor(layer: 4))
        XCTAssertEqual(TraceNames.role(of: "layer4.grad."), .otherLayerTensor(layer: 4))
        for other in [
            "layerX.weight", "layer.weight", "layer1", "layer1weight", "layer99999999999.weight", "extra",
            "Layer0.weight",
        ] {
            XCTAssertEqual(TraceNames.role(of: other), .other, other)
        }
    }
}
