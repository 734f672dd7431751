/// Why a data set could not be loaded. `description` is the one-line message the CLI prints: the file, then what was
/// expected and what was found.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable, Equatable {
        /// The file does not exist or cannot be opened.
        case missingFile
        /// The first bytes are not the expected format's magic number.
        case badMagic
        /// The header is readable but describes something impossible or unexpected (zero or wrong dimensions).
        case badHeader
        /// The file (or decompressed stream) ends before the header's promised data.
        case truncated
        /// Bytes remain after the promised data: the header's dimensions are wrong.
        case trailingData
        /// A label is outside `0..<classes`.
        case labelOutOfRange
        /// The image and label files disagree on the number of samples.
        case countMismatch
        /// The gzip stream is corrupt.
        case compression
        /// Reading failed for another reason (permissions, I/O error).
        case io
        /// The header asks for more memory than is reasonable (or than fits in an Int).
        case tooLarge
        /// An unknown data set name, bad synthetic option or bad batch size.
        case invalidArgument
    }

    public var kind: Kind
    /// The file (or, for `invalidArgument`, the option) the message is about.
    public var file: String
    /// What was expected and what was found.
    public var message: String

    public init(_ kind: Kind, file: String, _ message: String) {
        self.kind = kind; self.file = file; self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
