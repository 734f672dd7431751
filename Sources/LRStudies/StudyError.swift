import HWModel
import LRCore
import LRTrace

/// A study could not run; `description` is one line naming the file (trace, hardware model, directory) it concerns.
public struct StudyError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// Runs `body`; an error that does not say which file it concerns (a datapath, recomputation or arithmetic
    /// problem) comes out prefixed with `context`, such as the trace's path.
    static func locating<T>(_ context: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as StudyError {
            throw e
        } catch let e as SettingError {
            throw e
        } catch let e as TraceError {
            throw e  // names its file, chunk and offset
        } catch let e as HWModelError {
            throw e  // names its file, line and field
        } catch {
            throw StudyError("\(context): \(String(describing: error))")
        }
    }
}
