#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a path names, as far as reading and writing lrsim's files cares (from `stat`'s `st_mode`).
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case regular, directory, characterDevice, blockDevice, fifo, socket, symbolicLink, unknown

    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: self = .unknown
        }
    }

    /// `a directory`, `a FIFO`, ... — reads after "it is".
    public var description: String {
        switch self {
        case .regular: return "a regular file"
        case .directory: return "a directory"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .fifo: return "a FIFO"
        case .socket: return "a socket"
        case .symbolicLink: return "a symbolic link"
        case .unknown: return "not a regular file"
        }
    }
}

/// A file that could not be opened, read, written or replaced: `PATH: PROBLEM`, one line. Modules wrap `problem` into
/// their own typed errors (a trace, a checkpoint, a hardware model) so the message still says what the file was for.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path as the caller gave it.
    public var path: String
    /// What went wrong, without the path: `it is a FIFO, not a regular file`.
    public var problem: String
    /// The kind of the offending file when that was the problem (a FIFO given as input, a device as output).
    public var kind: FileKind?
    /// The `errno` when the system refused (`ENOENT` tells a missing file from a damaged one).
    public var code: Int32?

    public init(path: String, problem: String, kind: FileKind? = nil, code: Int32? = nil) {
        self.path = path; self.problem = problem; self.kind = kind; self.code = code
    }

    /// The file does not exist (or a directory on its path does not).
    public var isMissing: Bool { code == ENOENT || code == ENOTDIR }

    public var description: String { "\(path): \(problem)" }

    static func system(_ path: String, _ what: String, _ code: Int32 = errno) -> FileError {
        FileError(path: path, problem: "\(what): \(String(cString: strerror(code)))", code: code)
    }
}
