import LRTestSupport
import XCTest

@testable import LRTrace

/// Issue 4's size budget: one sampled step of the Fashion-MNIST MLP 784-256-10, B=128, K=32 fits in 2 MB
/// (2,000,000 bytes) before compression.
final class SizeTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace-size") }
    override func tearDown() { dir.cleanup() }

    static let batch = 128, copies = 32

    /// The tensors the trainer records for one step, with the input stored as Fashion-MNIST's bytes.
    static func mlpStep(step: UInt64, inputAsBytes: Bool, backprop: Bool) throws -> TraceStep {
        // Values do not change the uncompressed size; a cheap pattern keeps the debug-build test fast.
        func floats(_ n: Int) -> [Float] { (0..<n).map { Float($0 % 251) * 1e-3 - 0.1 } }
        let b = batch, k = copies
        var t: [TraceTensor] = []
        if inputAsBytes {
            t.append(
                try TraceTensor(
                    name: "input", shape: [b, 784], uint8: (0..<(b * 784)).map { UInt8(truncatingIfNeeded: $0 &* 37) }))
        } else {
            t.append(try TraceTensor(name: "input", shape: [b, 784], float32: floats(b * 784)))
        }
        t.append(try TraceTensor(name: "labels", shape: [b], int32: (0..<b).map { Int32($0 % 10) }))
        t.append(try TraceTensor(name: "clean_losses", shape: [b], float32: floats(b)))
        for (l, (fanIn, fanOut)) in [(0, (784, 256)), (2, (256, 10))] {
            var roles = ["", "grad."]
            if backprop { roles.append("bp.") }
            for role in roles {
                t.append(
                    try TraceTensor(
                        name: "layer\(l).\(role)weight", shape: [fanOut, fanIn], float32: floats(fanOut * fanIn)))
                t.append(try TraceTensor(name: "layer\(l).\(role)bias", shape: [fanOut], float32: floats(fanOut)))
            }
            t.append(try TraceTensor(name: "layer\(l).losses", shape: [k, b], float32: floats(k * b)))
        }
        return TraceStep(
            info: TraceStepInfo(
                step: step, epoch: 0, noiseSeed: 1, noiseStep: step,
                scalars: [TraceScalar("loss", 0.5), TraceScalar("learning_rate", 1e-3)]),
            tensors: t)
    }

    /// Exact size of a step under the format: STEP chunk + one chunk per tensor, 44-byte headers, no padding.
    static func expectedBytes(_ s: TraceStep) -> Int {
        let stepPayload = 40 + s.info.scalars.reduce(0) { $0 + 2 + $1.name.utf8.count + 8 }
        let tensors = s.tensors.reduce(0) {
            $0 + ChunkHeader.size + 2 + $1.name.utf8.count + 2 + 8 * $1.shape.count + $1.bytes.count
        }
        return ChunkHeader.size + stepPayload + tensors
    }

    func measure(_ step: TraceStep) throws -> UInt64 {
        let path = dir.path("size.lrt")
        let w = try TraceWriter(path: path, header: Fixtures.header())
        try w.appendStep(step)
        try w.finish()
        let r = try TraceReader(path: path)
        XCTAssertEqual(r.steps[0].storedBytes, r.steps[0].rawBytes)  // uncompressed
        return r.steps[0].storedBytes
    }

    func testOneMLPStepFitsInTwoMegabytesBeforeCompression() throws {
        let step = try Self.mlpStep(step: 100, inputAsBytes: true, backprop: false)
        let size = try measure(step)
        XCTAssertEqual(Int(size), Self.expectedBytes(step))
        // Summed by hand, chunk by chunk (header 44 + name length 2 + name + dtype 1 + rank 1 + 8 per dim + data):
        // STEP 121, input 100421, labels 574, clean_losses 580, layer0.weight 802893, layer0.bias 1091,
        // layer0.grad.weight 802898, layer0.grad.bias 1096, layer0.losses 16461, layer2.weight 10317,
        // layer2.bias 107, layer2.grad.weight 10322, layer2.grad.bias 112, layer2.losses 16461.
        XCTAssertEqual(size, 1_763_454)
        XCTAssertLessThanOrEqual(size, 2_000_000)
    }

    /// Sizes of the variants, so the budget's limits are on record: float input still fits in 2 MiB; adding the
    /// backprop gradient (another 814,120 bytes of f32) cannot fit in 2 MB uncompressed.
    func testSizesOfTheVariants() throws {
        let floatInput = try measure(try Self.mlpStep(step: 1, inputAsBytes: false, backprop: false))
        XCTAssertEqual(floatInput, 1_763_454 + 128 * 784 * 3)
        XCTAssertLessThanOrEqual(floatInput, 2 * 1024 * 1024)
        let withBP = try measure(try Self.mlpStep(step: 1, inputAsBytes: true, backprop: true))
        // Four more chunks: 814,120 bytes of floats + 4 headers (176) + names (60) + length/dtype/rank (16) + dims (48).
        XCTAssertEqual(withBP - 1_763_454, 814_420)
        XCTAssertGreaterThan(withBP, 2_000_000)
    }
}
