import Foundation

/// Paths in the repository, found from this file's location (tests run from any directory).
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func hwmodel(_ name: String) -> String { root.appendingPathComponent("hwmodels/\(name)").path }
    static var shippedModels: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("hwmodels").path)) ?? [])
            .filter { $0.hasSuffix(".toml") }.sorted().map(hwmodel)
    }
}

/// Writes `text` to a fresh temporary file named `name` and returns its path (the directory is removed by `cleanup`).
final class Scratch {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hwmodel-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
    deinit { try? FileManager.default.removeItem(at: dir) }
}
