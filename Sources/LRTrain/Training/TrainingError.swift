/// Errors from training, evaluation and checkpoints: each `description` is one line for the user.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case checkpoint(path: String, String)
    case diverged(step: Int, loss: Double)
    case io(path: String, String)

    public var description: String {
        switch self {
        case let .invalidOption(m): return m
        case let .checkpoint(path, m): return "\(path): \(m)"
        case let .diverged(step, loss):
            return "training diverged at step \(step): loss \(loss) is not finite (lower the learning rate or sigma)"
        case let .io(path, m): return "\(path): \(m)"
        }
    }
}
