/// Why a simulation could not run. `description` is the one-line message the CLI prints.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    /// The workload or hardware combination is not simulatable (the message says which field and why).
    case invalidWorkload(String)
    /// The schedule cannot make progress (a FIFO, dependency or ordering cycle): reports what each unit waits for.
    case deadlock(String)
    /// A GEMM list or topology file could not be read.
    case invalidGemmList(String)

    public var description: String {
        switch self {
        case .invalidWorkload(let m): return m
        case .deadlock(let m): return "simulation deadlocked: \(m)"
        case .invalidGemmList(let m): return m
        }
    }
}
