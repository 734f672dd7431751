import Foundation

/// JSON reports: sorted keys and pretty printing, so the same report is the same bytes.
public enum JSONReport {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try ReportFile.write(try encode(value), to: path)
    }
}
