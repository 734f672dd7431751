import Foundation
import LRCore

#if canImport(Glibc)
    import Glibc
#endif

/// What training a network will allocate, estimated from the spec before anything is allocated, so a network that
/// cannot fit is refused with one line instead of an allocation trap (reliability report D4: each layer of
/// `mlp:784-1048576-1048576-10` passes the per-layer limit, and the trainer asked for 4.4 TB and trapped).
///
/// The estimate counts the parameter-sized arrays (weights, the gradient and the gradient-check buffer, the optimizer's
/// moments; weight noise adds a perturbed copy and its draws) and the activations: the clean forward's and backprop's
/// per-layer outputs for a batch, and the LR tail's noisy copies (chunked by samples to about 2^23 floats, but never
/// less than one sample's K copies). It is a floor, not an exact figure: allocator overhead and data sets come on top.
public struct TrainingMemory: Sendable, Equatable {
    /// Weights plus biases.
    public var parameters: Double
    /// Parameter-sized float arrays held at once.
    public var parameterArrays: Int
    /// Floats of activations and noisy copies.
    public var activationFloats: Double

    public var bytes: Double { 4 * (parameters * Double(parameterArrays) + activationFloats) }

    public init(spec: NetworkSpec, config: TrainingConfiguration) {
        parameters = spec.layers.reduce(0) { $0 + Double($1.parameterCount) }
        let weightNoise = config.estimator.kind.usesWeightNoise || !(config.estimator.weightNoiseLayers ?? []).isEmpty
        parameterArrays = 3 + (config.optimizer == .adam ? 2 : 1) + (weightNoise ? 2 : 0)
        // Per sample: every layer's output, plus im2col columns and the pre-pool buffer of conv layers.
        var perSample = 0.0, widest = Double(spec.inputCount)
        var shape = spec.inputShape
        for layer in spec.layers {
            let out = layer.outputShape(input: shape)
            var floats = Double(out.reduce(1, *))
            if case let .conv2d(c) = layer {
                let pixels = Double(out[1]) * Double(out[2])
                floats += pixels * Double(c.inChannels * c.kernel * c.kernel) + pixels * Double(c.outChannels)
            }
            perSample += floats
            widest = max(widest, floats)
            shape = out
        }
        let batch = Double(config.batch)
        var activations = 3 * batch * perSample  // clean forward, backprop's workspace and deltas
        if config.estimator.kind != .bp {
            let copies = Double(config.estimator.copies.max() ?? 1)
            let chunk = max(1, min(batch, (Double(1 << 23) / (copies * widest)).rounded(.down)))
            activations += 2 * chunk * copies * perSample  // the tail's outputs and the noise draws
        }
        activationFloats = activations
    }

    /// Throws `TrainingError.invalidOption` when the estimate exceeds `limit` bytes (by default the memory this process
    /// may use: `SystemMemory.limit`).
    public func check(model: String, batch: Int, limit: SystemMemory.Limit = SystemMemory.limit) throws {
        guard bytes > Double(limit.bytes) else { return }
        throw TrainingError.invalidOption(
            "--model \(model) with --batch \(batch): training needs at least \(Self.format(bytes)) (\(Self.count(parameters)) parameters x \(parameterArrays) arrays for weights, gradients and optimizer state, plus activations), more than the \(Self.format(Double(limit.bytes))) of \(limit.source)"
        )
    }

    static func format(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var v = bytes, u = 0
        while v >= 1000, u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(Int(v)) bytes" : String(format: "%.1f %@", v, units[u])
    }

    static func count(_ n: Double) -> String { n < 1e6 ? "\(Int(n))" : String(format: "%.3g", n) }
}

/// How much memory this process may use: the smallest of physical memory, the cgroup's `memory.max` and the
/// address-space and data-segment rlimits (`ulimit -v`, `ulimit -d`).
public enum SystemMemory {
    public struct Limit: Sendable, Equatable {
        public var bytes: UInt64
        /// What sets it, for messages: `physical memory`, `the cgroup's memory.max`, `ulimit -v`, ...
        public var source: String
        public init(bytes: UInt64, source: String) { self.bytes = bytes; self.source = source }
    }

    public static var limit: Limit {
        var best = Limit(bytes: .max, source: "memory")
        func consider(_ bytes: UInt64?, _ source: String) {
            if let bytes, bytes > 0, bytes < best.bytes { best = Limit(bytes: bytes, source: source) }
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 {
            consider(UInt64(pages).multipliedReportingOverflow(by: UInt64(pageSize)).partialValue, "physical memory")
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8) {
            consider(
                UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                "memory allowed by the cgroup (memory.max)")
        }
        // RLIM_INFINITY is all ones; `consider` ignores it as it is never the smallest.
        var r = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &r) == 0 {
            consider(UInt64(r.rlim_cur), "address space allowed by ulimit -v")
        }
        if getrlimit(Int32(RLIMIT_DATA.rawValue), &r) == 0 {
            consider(UInt64(r.rlim_cur), "data segment allowed by ulimit -d")
        }
        return best
    }
}
