import FixedPoint

/// A datapath signal that has its own number format (`[formats.SIGNAL]`).
public enum Signal: String, Sendable, Hashable, Codable, CaseIterable {
    /// Layer weights as stored and multiplied.
    case weights
    /// Layer outputs after the activation function (what flows between layers and stages).
    case activations
    /// Stored layer inputs (kept for the gradient's outer product; backprop's stash).
    case inputs
    /// Gaussian (or other continuous) noise values as applied.
    case noise
    /// Sign perturbations (+-1 or +-sigma) as applied; stored as 1 bit each in the noise buffer.
    case sign
    /// Per-copy losses, as computed by the loss unit and broadcast.
    case loss
    /// Outputs of the multipliers (rounded per product).
    case products
    /// Gradient accumulators (rounded per accumulate).
    case accumulators
    /// The gradient written back from the accumulators.
    case gradients
    /// The weight update (learning rate times gradient) before it is added to the weights.
    case updates

    /// The signals written back to memory: every one but the MAC-internal products and accumulators.
    public static let stored: [Signal] = allCases.filter { $0 != .products && $0 != .accumulators }
}

/// A fixed-point number format with its rounding and overflow behaviour: `format = "s3.12"`, `rounding = "RND_CONV"`,
/// `overflow = "SAT"`.
///
/// `sI.F` is signed two's complement with I integer bits counting the sign bit and F fraction bits; `uI.F` unsigned;
/// W = I + F with 1 <= W <= 64 (<= 128 for products and accumulators). As in FixedPoint, I or F may be negative
/// (`s-2.10`, `u12.-4`). Files may also spell formats as FixedPoint parses them (`Q3.12`, `ac_fixed<16,4,true>`); the
/// loader stores the `sI.F` form. Rounding and overflow are FixedPoint's own `Quantization` and `Overflow`, whose raw
/// values are the ac_fixed spellings the files use (TRN, RND_CONV, WRAP, SAT, ...).
public struct NumberFormatSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    public var signed: Bool
    /// I: integer bits (including the sign bit when signed).
    public var intBits: Int
    /// F: fraction bits.
    public var fracBits: Int
    public var rounding: Quantization
    public var overflow: Overflow

    public init(
        signed: Bool, intBits: Int, fracBits: Int, rounding: Quantization = .roundHalfToEven,
        overflow: Overflow = .saturate
    ) {
        self.signed = signed; self.intBits = intBits; self.fracBits = fracBits
        self.rounding = rounding; self.overflow = overflow
    }

    /// W = I + F.
    public var totalBits: Int { intBits + fracBits }
    /// The format's spelling, `s3.12` or `u0.8`.
    public var format: String { "\(signed ? "s" : "u")\(intBits).\(fracBits)" }
    public var description: String { "\(format) \(rounding.rawValue) \(overflow.rawValue)" }

    /// Parses the `sI.F` / `uI.F` spelling (I and F may be negative); nil when malformed. Widths are checked by the
    /// loader, not here.
    public static func parseFormat(_ text: String) -> (signed: Bool, intBits: Int, fracBits: Int)? {
        guard let first = text.first, first == "s" || first == "u" else { return nil }
        let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        func number(_ p: Substring) -> Int? {
            let digits = p.hasPrefix("-") ? p.dropFirst() : p
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return nil
            }
            return Int(p)
        }
        guard parts.count == 2, let i = number(parts[0]), let f = number(parts[1]) else { return nil }
        return (first == "s", i, f)
    }

    /// The FixedPoint format. Every spec of a loaded model converts; a spec edited in code to an impossible width
    /// throws the loader's kind of error.
    public func fixedFormat() throws(HWModelError) -> FixedFormat {
        do {
            return try FixedFormat(signed: signed, intBits: intBits, fracBits: fracBits)
        } catch {
            throw HWModelError(
                origin: .builtin, field: "format",
                message: "expected a valid fixed-point format, got \(format) (\(error))")
        }
    }

    /// Format, rounding and overflow as FixedPoint's `FixedConfig` (what its quantizers and MAC units take).
    public func fixedConfig() throws(HWModelError) -> FixedConfig {
        FixedConfig(try fixedFormat(), rounding: rounding, overflow: overflow)
    }
}

/// `[formats]`: one `NumberFormatSpec` per `Signal`.
public struct NumberFormats: Sendable, Equatable, Codable {
    public var weights: NumberFormatSpec
    public var activations: NumberFormatSpec
    public var inputs: NumberFormatSpec
    public var noise: NumberFormatSpec
    public var sign: NumberFormatSpec
    public var loss: NumberFormatSpec
    public var products: NumberFormatSpec
    public var accumulators: NumberFormatSpec
    public var gradients: NumberFormatSpec
    public var updates: NumberFormatSpec

    /// The built-in defaults: a 16-bit datapath with 32-bit products and 48-bit accumulators.
    public init() {
        weights = .init(signed: true, intBits: 2, fracBits: 14)
        activations = .init(signed: true, intBits: 4, fracBits: 12)
        inputs = .init(signed: true, intBits: 4, fracBits: 12)
        noise = .init(signed: true, intBits: 4, fracBits: 12)
        sign = .init(signed: true, intBits: 2, fracBits: 0)
        loss = .init(signed: true, intBits: 6, fracBits: 10)
        products = .init(signed: true, intBits: 8, fracBits: 24)
        accumulators = .init(signed: true, intBits: 20, fracBits: 28)
        gradients = .init(signed: true, intBits: 8, fracBits: 24)
        updates = .init(signed: true, intBits: 2, fracBits: 14)
    }

    public subscript(signal: Signal) -> NumberFormatSpec {
        get {
            switch signal {
            case .weights: return weights
            case .activations: return activations
            case .inputs: return inputs
            case .noise: return noise
            case .sign: return sign
            case .loss: return loss
            case .products: return products
            case .accumulators: return accumulators
            case .gradients: return gradients
            case .updates: return updates
            }
        }
        set {
            switch signal {
            case .weights: weights = newValue
            case .activations: activations = newValue
            case .inputs: inputs = newValue
            case .noise: noise = newValue
            case .sign: sign = newValue
            case .loss: loss = newValue
            case .products: products = newValue
            case .accumulators: accumulators = newValue
            case .gradients: gradients = newValue
            case .updates: updates = newValue
            }
        }
    }

    /// Widest W allowed for a signal: products and accumulators may be up to 128 bits, the rest 64.
    public static func maxBits(_ signal: Signal) -> Int {
        signal == .products || signal == .accumulators ? 128 : 64
    }
}
