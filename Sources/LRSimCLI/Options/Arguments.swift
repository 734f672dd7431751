import ArgumentParser
import LRCore
import LRTrace
import LRTrain

// One `ExpressibleByArgument` conformance per vocabulary type, shared by every command.

extension CopyCounts: ExpressibleByArgument {
    /// `32` or `8,8,32,32`; ranges are checked against the model (`CopyCounts.validate`).
    public init?(argument: String) { try? self.init(parsing: argument) }
    public var defaultValueDescription: String { description }
}

extension EstimatorKind: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension TraceCompression: ExpressibleByArgument {}
extension Baseline: ExpressibleByArgument {}
extension NoiseKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Injection: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}
extension StepInjection: ExpressibleByArgument {}
