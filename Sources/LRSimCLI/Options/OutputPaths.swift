import ArgumentParser
import Foundation

/// The files and directories a command will write, checked before it computes anything: two outputs may not share a
/// path (one would silently replace the other), an output may not be one of the command's inputs, a file output may
/// not be a directory (nor a directory output a file), and the directory an output goes into must be writable. One rule
/// for every output: missing parent directories are created, here, up front.
struct OutputPaths {
    enum Kind { case file, directory }
    private var outputs: [(option: String, path: String, kind: Kind)] = []
    private var inputs: [(option: String, path: String)] = []

    mutating func file(_ option: String, _ path: String?) { if let path { outputs.append((option, path, .file)) } }
    mutating func directory(_ option: String, _ path: String?) {
        if let path { outputs.append((option, path, .directory)) }
    }
    mutating func input(_ option: String, _ path: String?) { if let path { inputs.append((option, path)) } }

    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Checks every output and creates the directories they need.
    func prepare() throws {
        var seen: [String: String] = [:]
        for o in outputs {
            let key = Self.canonical(o.path)
            if let other = seen[key] {
                throw ValidationError(
                    "--\(o.option) \(o.path): \(other) writes the same path; give each output its own")
            }
            seen[key] = "--\(o.option)"
            if let i = inputs.first(where: { Self.canonical($0.path) == key }) {
                throw ValidationError(
                    "--\(o.option) \(o.path): it is the --\(i.option) input; writing it would replace it")
            }
        }
        let fm = FileManager.default
        for o in outputs {
            var isDirectory: ObjCBool = false
            let exists = fm.fileExists(atPath: o.path, isDirectory: &isDirectory)
            switch o.kind {
            case .file where exists && isDirectory.boolValue:
                throw ValidationError("--\(o.option) \(o.path): it is a directory; expected a file path")
            case .directory where exists && !isDirectory.boolValue:
                throw ValidationError("--\(o.option) \(o.path): it is a file; expected a directory")
            default: break
            }
            let parent = o.kind == .directory && !exists ? o.path : (o.path as NSString).deletingLastPathComponent
            let dir = parent.isEmpty ? "." : parent
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw ValidationError(
                    "--\(o.option) \(o.path): cannot create the directory \(dir) (\(Self.reason(error)))")
            }
            let writable = o.kind == .directory ? (exists ? o.path : dir) : dir
            guard fm.isWritableFile(atPath: writable) else {
                throw ValidationError("--\(o.option) \(o.path): the directory \(writable) is not writable")
            }
            if o.kind == .file, exists, !fm.isWritableFile(atPath: o.path) {
                throw ValidationError("--\(o.option) \(o.path): the file exists and is not writable")
            }
        }
    }

    static func reason(_ error: Error) -> String {
        let e = error as NSError
        if let u = e.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(u.code)))
        }
        return e.localizedDescription
    }
}
