/// `[stage.noise]`: a stage's perturbation generator. Its rate bounds how fast perturbed copies can start.
public struct NoiseGeneratorSpec: Sendable, Equatable, Codable {
    /// `kind`: the generator algorithm (the trainer's noise must be regenerable bit-identically: Philox is what LRCore uses).
    public var kind: NoiseGeneratorKind
    /// `numbers_per_cycle` (1 ... 65536): Gaussian/uniform noise numbers produced per cycle.
    public var numbersPerCycle: Int
    /// `bits_per_cycle` (1 ... 1048576): random sign bits produced per cycle (sign/Rademacher perturbations).
    public var bitsPerCycle: Int
    /// `latency_cycles` (0 ... 1024): cycles from request to first number (pipeline fill).
    public var latencyCycles: Int

    public init(
        kind: NoiseGeneratorKind = .philox, numbersPerCycle: Int = 4, bitsPerCycle: Int = 128,
        latencyCycles: Int = 10
    ) {
        self.kind = kind; self.numbersPerCycle = numbersPerCycle; self.bitsPerCycle = bitsPerCycle
        self.latencyCycles = latencyCycles
    }
}

public enum NoiseGeneratorKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Philox4x32-10 counter-based generator (Random123), the trainer's generator.
    case philox
    /// Linear-feedback shift registers (cheap, bits only in practice).
    case lfsr
    /// Sobol quasi-random sequence (QMC perturbations).
    case sobol
}
