/// A setting of a run (a model spelling, copies, a noise scale, a count) is out of range or malformed.
///
/// `setting` is the setting's user-facing name without dashes (`copies`, `sigma`, `epochs`, `trace-every`): the library
/// names the setting, and the command line, which knows it is an option, shows it as `--copies`.
public struct SettingError: Error, CustomStringConvertible, Equatable, Sendable {
    public var setting: String
    /// What was expected and what was given, e.g. `expected 1...65536, got 0`.
    public var problem: String

    public init(_ setting: String, _ problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "\(setting): \(problem)" }
}
