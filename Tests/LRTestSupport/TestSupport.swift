import Foundation
import LRCore

/// A fresh temporary directory, removed by the caller with `cleanup()`.
public struct TemporaryDirectory {
    public let url: URL
    public init(prefix: String = "lrsim-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Deterministic random cases for property tests: a splittable, seedable source built on Philox.
public struct SeededRandom: RandomNumberGenerator {
    private let gen: Philox4x32
    private var counter: UInt64 = 0
    public init(seed: UInt64) { gen = Philox4x32(seed: seed) }
    public mutating func next() -> UInt64 {
        let b = gen.block(
            SIMD4(UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32), 0xC0FFEE, 0))
        counter &+= 1
        return UInt64(b[0]) << 32 | UInt64(b[1])
    }
}
