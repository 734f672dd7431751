import Foundation

/// The one JSON coding of every report, point file, spec and checkpoint header lrsim writes: keys in snake_case
/// (`clock_hz`, `final.test_accuracy`), sorted and pretty-printed so equal values are equal bytes, non-finite numbers
/// spelled `"inf"`, `"-inf"`, `"nan"`, a final newline.
///
/// Types spell their properties in camelCase and let the key strategy write snake_case; a key that must differ from
/// its property is renamed in camelCase (`case peakMemoryKiB = "peakMemoryKib"` writes `peak_memory_kib`), so the
/// reader's inverse strategy finds it again. Dictionary keys (buffer names, metric names) are written as they are.
public enum JSONReport {
    /// Pretty, sorted, snake_case JSON with a final newline.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder(pretty: true).encode(value)
        data.append(0x0A)
        return data
    }

    /// The same as text (for stdout), without the final newline.
    public static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder(pretty: true).encode(value), as: UTF8.self)
    }

    /// One line, sorted, snake_case: the canonical form hashed into trace headers (`config_json`).
    public static func canonical<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder(pretty: false).encode(value), as: UTF8.self)
    }

    /// Encodes `value` and writes it to `path` atomically.
    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try AtomicFile.write(encode(value), to: path)
    }

    /// Reads what `encode` wrote.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }

    /// The inverse of the writer's policy (snake_case keys, non-finite numbers as strings).
    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf",
            nan: "nan")
        return d
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting =
            pretty
            ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf",
            nan: "nan")
        return e
    }
}
