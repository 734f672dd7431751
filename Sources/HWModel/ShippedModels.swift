import Foundation

extension HardwareModel {
    /// Finds a shipped hardware model from any working directory: a path that exists (or is absolute) is returned as
    /// given; otherwise `hwmodels/NAME.toml`, `NAME.toml` or `NAME` is looked up, in order, in `$LRSIM_HWMODELS`, in a
    /// `hwmodels` folder beside the executable or in one of its parent directories (a build tree such as
    /// `.build/release/lrsim`), in `share/lrsim/hwmodels` of an installation prefix, and in the source tree the binary
    /// was built from. When nothing matches, `path` comes back unchanged and loading it reports it missing.
    public static func locate(_ path: String) -> String {
        let fm = FileManager.default
        if path.hasPrefix("/") || fm.fileExists(atPath: path) { return path }
        var name = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        if name.hasPrefix("hwmodels/") { name.removeFirst("hwmodels/".count) }
        guard !name.isEmpty, !name.contains("/") else { return path }
        if !name.hasSuffix(".toml") { name += ".toml" }
        for dir in shippedModelDirectories {
            let candidate = (dir as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: candidate) { return candidate }
        }
        return path
    }

    /// Where shipped models are looked for, in order (see `locate`).
    static var shippedModelDirectories: [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["LRSIM_HWMODELS"], !env.isEmpty { dirs.append(env) }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = exe.deletingLastPathComponent()
            for _ in 0..<5 {
                dirs.append(dir.appendingPathComponent("hwmodels").path)
                dirs.append(dir.appendingPathComponent("share/lrsim/hwmodels").path)
                dir.deleteLastPathComponent()
            }
        }
        // Sources/HWModel/ShippedModels.swift -> the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        dirs.append(root.appendingPathComponent("hwmodels").path)
        return dirs
    }
}
