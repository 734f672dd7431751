/// A sweep could not be set up, run or merged. `description` is the one-line message (names the argument, file or
/// point and what was expected).
public struct SweepError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
