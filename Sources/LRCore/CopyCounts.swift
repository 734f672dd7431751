/// K, the noisy copies per perturbed layer: one value for every parametric layer, or one per parametric layer (in the
/// order of `NetworkSpec.parametricLayers`). The trainer, the simulator, the traces and every command share this type,
/// its spelling and its one range rule (`validate`).
///
/// Spelling: `32` or `8,8,32,32`. Encoded in JSON (reports, traces, checkpoints) as the array of values.
public struct CopyCounts: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral, CustomStringConvertible
{
    public private(set) var values: [Int]

    /// The largest K of a layer.
    public static let maximum = 65_536

    public init(_ values: [Int]) { self.values = values }
    public init(_ k: Int) { values = [k] }
    public init(arrayLiteral elements: Int...) { values = elements }

    /// Parses `32` or `8,8,32,32` (non-negative integers separated by commas; spaces around them are ignored). Ranges
    /// are checked by `validate`, which knows the network and the estimator.
    public init(parsing text: String) throws(SettingError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var values: [Int] = []
        for part in parts {
            let digits = part.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let k = Int(String(digits)) else {
                throw SettingError(
                    "copies",
                    "expected one count or one per parametric layer, separated by commas (like 32 or 8,8,32,32), "
                        + "got '\(text)'"
                )
            }
            values.append(k)
        }
        self.values = values
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }
    public subscript(i: Int) -> Int { values[i] }

    public var description: String { values.map(String.init).joined(separator: ",") }

    /// K of parametric layer `p`: the one value, or the layer's own; 0 when no value is given.
    public func count(ofLayer p: Int) -> Int {
        values.isEmpty ? 0 : values.count == 1 ? values[0] : values[p]
    }

    /// One value per parametric layer (one value is repeated), after checking the count of values.
    public func expanded(toLayers n: Int) throws(SettingError) -> CopyCounts {
        if values.count == n { return self }
        if values.count == 1 { return CopyCounts(Array(repeating: values[0], count: n)) }
        throw SettingError(
            "copies", "expected 1 or \(n) comma-separated values (one per parametric layer), got \(values.count)")
    }

    /// The one range rule, for every command: each K is 0...65536, where 0 means the layer is not trained (its weights
    /// stay as they are); at least one layer has K > 0; with antithetic pairs (eps, -eps) every K is even. There is one
    /// value or one per parametric layer (`layers`). Backprop has no copies: nothing is checked for `.bp`.
    public func validate(layers n: Int, estimator: EstimatorKind, antithetic: Bool) throws(SettingError) {
        guard estimator.isForwardOnly else { return }
        let all = try expanded(toLayers: n)
        if let bad = all.first(where: { $0 < 0 || $0 > Self.maximum }) {
            throw SettingError(
                "copies", "expected values in 0...\(Self.maximum) (0: the layer is not trained), got \(bad)")
        }
        guard all.contains(where: { $0 > 0 }) else {
            throw SettingError("copies", "expected a positive count for at least one layer, got \(description)")
        }
        if antithetic, let odd = all.first(where: { $0 % 2 != 0 }) {
            throw SettingError(
                "copies", "antithetic pairs need an even number of copies, got \(odd) (or turn antithetic pairs off)")
        }
    }
}

extension CopyCounts: Codable {
    public init(from decoder: Decoder) throws {
        values = try decoder.singleValueContainer().decode([Int].self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(values)
    }
}
