/// A chunk's four-character kind code (ASCII, stored as 4 bytes).
public struct ChunkKind: Hashable, Sendable, CustomStringConvertible {
    public let bytes: (UInt8, UInt8, UInt8, UInt8)

    /// `code` must be exactly four printable ASCII characters.
    public init?(_ code: String) {
        let u = Array(code.utf8)
        guard u.count == 4, u.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        bytes = (u[0], u[1], u[2], u[3])
    }

    init(raw: ArraySlice<UInt8>) {
        let i = raw.startIndex
        bytes = (raw[i], raw[i + 1], raw[i + 2], raw[i + 3])
    }

    public static func == (a: Self, b: Self) -> Bool { a.bytes == b.bytes }
    public func hash(into h: inout Hasher) {
        h.combine(bytes.0); h.combine(bytes.1); h.combine(bytes.2); h.combine(bytes.3)
    }

    var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3] }

    /// The code as text; bytes that are not printable ASCII (damage) are shown as `\xNN`.
    public var description: String {
        array.map {
            $0 >= 0x20 && $0 < 0x7F && $0 != 0x27 && $0 != 0x5C
                ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2)
        }.joined()
    }

    /// The trace's metadata (JSON): always chunk 0.
    public static let header = ChunkKind(known: "HEAD")
    /// One sampled step's step index, epoch, noise key and scalars; followed by its tensor chunks.
    public static let step = ChunkKind(known: "STEP")
    /// One named tensor of the current step.
    public static let tensor = ChunkKind(known: "TENS")
    /// Offsets of every step, so readers seek instead of scanning.
    public static let index = ChunkKind(known: "INDX")
    /// The fixed-size last chunk: proves the file is complete and points at the index.
    public static let trailer = ChunkKind(known: "TEND")

    public static let known: [ChunkKind] = [.header, .step, .tensor, .index, .trailer]

    private init(known code: String) {
        let u = Array(code.utf8)
        bytes = (u[0], u[1], u[2], u[3])
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
