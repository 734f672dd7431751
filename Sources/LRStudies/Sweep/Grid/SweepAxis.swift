import Foundation
import LRCore

/// One `--vary KEY=V1,V2,...`: a hardware-model override key and the values it takes, in the order given.
public struct SweepAxis: Sendable, Codable, Equatable {
    public var key: String
    public var values: [String]

    public init(key: String, values: [String]) { self.key = key; self.values = values }

    /// Parses `KEY=V1,V2,...` (values are taken verbatim; the hardware model types them when a point is loaded).
    public static func parse(_ text: String) throws(SettingError) -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw SettingError("vary", "'\(text)': expected KEY=V1,V2,... (for example formats.activations.bits=4,8)")
        }
        let key = text[..<eq].trimmingCharacters(in: .whitespaces)
        let values = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !key.isEmpty else { throw SettingError("vary", "'\(text)': the key before '=' is empty") }
        guard !values.contains(where: \.isEmpty) else {
            throw SettingError("vary", "'\(text)': expected non-empty values separated by commas")
        }
        guard Set(values).count == values.count else {
            throw SettingError("vary", "'\(text)': a value is listed twice")
        }
        return SweepAxis(key: key, values: values)
    }
}
