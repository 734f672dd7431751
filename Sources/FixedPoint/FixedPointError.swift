/// Everything that can go wrong in the FixedPoint module, as one-line messages that say what was expected.
///
/// The module never traps on user data: invalid formats, unsupported widths, mismatched buffer sizes and unparseable
/// numbers all surface as a `FixedPointError`.
public struct FixedPointError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// A format spelling or its bit counts are out of range.
        case invalidFormat
        /// A rounding or overflow mode name is unknown.
        case invalidMode
        /// A number could not be parsed, or is not finite.
        case invalidValue
        /// Buffer sizes do not match the stated shapes.
        case shapeMismatch
        /// The exact intermediate of an operation needs more bits than the fast datapath carries (128).
        case unsupported
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
