// swift-tools-version: 6.0
//
// lrsim — forward-only (likelihood-ratio) training and the accelerators that run it.
//
// Module map (dependencies point downwards):
//   lrsim (executable) -> LRSimCLI (one subcommand per file)
//   LRSimCLI -> LRTrain, LRSim, LRReport, HWModel, LRTrace, FixedPoint
//   LRTrain  -> LRCore, FixedPoint, LRTrace, HWModel, LRFiles (trainer, estimators, datasets)
//   LRSim    -> HWModel, FixedPoint, LRCore               (cycle-level simulator)
//   HWModel  -> FixedPoint, TOMLKit, LRFiles              (hardware-model files)
//   LRTrace  -> CZlib, LRFiles                            (trace format)
//   FixedPoint -> CGMP, LRCore                            (datapath arithmetic + exact GMP oracle)
//   LRCore   -> COpenBLAS, CLRShims, LRFiles              (tensors, GEMM, counter-based RNG, QMC)
//   LRFiles                                               (regular-file inputs, atomic outputs)
import PackageDescription

// Release kernels want AVX2/FMA (`haswell`: AVX2 + FMA, every x86 server since 2013). Override with
// LRSIM_TARGET_CPU=<llvm cpu name> (for example `x86-64` for very old machines, `znver4`).
#if arch(x86_64)
import Foundation
let targetCPU = ProcessInfo.processInfo.environment["LRSIM_TARGET_CPU"] ?? "haswell"
let cpuSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU])]
#else
let cpuSettings: [SwiftSetting] = []
#endif

let swiftSettings: [SwiftSetting] = cpuSettings

let package = Package(
    name: "lrsim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lrsim", targets: ["lrsim"]),
        .library(name: "LRFiles", targets: ["LRFiles"]),
        .library(name: "LRCore", targets: ["LRCore"]),
        .library(name: "FixedPoint", targets: ["FixedPoint"]),
        .library(name: "LRTrace", targets: ["LRTrace"]),
        .library(name: "HWModel", targets: ["HWModel"]),
        .library(name: "LRTrain", targets: ["LRTrain"]),
        .library(name: "LRSim", targets: ["LRSim"]),
        .library(name: "LRReport", targets: ["LRReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries (Debian package names in providers).
        .systemLibrary(name: "CGMP", pkgConfig: "gmp", providers: [.apt(["libgmp-dev"]), .brew(["gmp"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Header-only C shims (static inline), swift-numerics style.
        .target(name: "CLRShims"),

        .target(name: "LRFiles", swiftSettings: swiftSettings),
        .target(name: "LRCore",
                dependencies: ["COpenBLAS", "CLRShims", "LRFiles", .product(name: "Numerics", package: "swift-numerics")],
                swiftSettings: swiftSettings),
        .target(name: "FixedPoint", dependencies: ["CGMP", "LRCore"], swiftSettings: swiftSettings),
        .target(name: "LRTrace", dependencies: ["CZlib", "LRFiles"], swiftSettings: swiftSettings),
        .target(name: "HWModel", dependencies: ["FixedPoint", "TOMLKit", "LRFiles"], swiftSettings: swiftSettings),
        .target(name: "LRTrain", dependencies: ["LRCore", "CZlib", "LRTrace", "FixedPoint", "HWModel", "LRFiles"], swiftSettings: swiftSettings),
        .target(name: "LRSim", dependencies: ["HWModel", "FixedPoint", "LRCore"], swiftSettings: swiftSettings),
        .target(name: "LRReport", dependencies: ["LRCore"], swiftSettings: swiftSettings),
        .target(name: "LRSweep", dependencies: ["LRCore", "HWModel", "LRSim", "LRTrain", "LRReport", "LRFiles"], swiftSettings: swiftSettings),
        .target(name: "LRSimCLI",
                dependencies: ["LRCore", "FixedPoint", "LRTrace", "HWModel", "LRTrain", "LRSim", "LRReport", "LRSweep",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swiftSettings),
        .executableTarget(name: "lrsim", dependencies: ["LRSimCLI"], swiftSettings: swiftSettings),

        // Shared test helpers (deterministic random cases, tolerances, temp dirs, running the CLI).
        .target(name: "LRTestSupport", dependencies: ["LRCore"], path: "Tests/LRTestSupport"),
        .testTarget(name: "LRFilesTests", dependencies: ["LRFiles", "LRTestSupport"]),
        .testTarget(name: "LRCoreTests", dependencies: ["LRCore", "LRTestSupport"]),
        .testTarget(name: "FixedPointTests", dependencies: ["FixedPoint", "LRTestSupport"]),
        .testTarget(name: "LRTraceTests", dependencies: ["LRTrace", "LRTestSupport"]),
        .testTarget(name: "HWModelTests", dependencies: ["HWModel", "LRTestSupport"],
                    resources: [.copy("Malformed")]),
        .testTarget(name: "LRTrainTests", dependencies: ["LRTrain", "LRTestSupport"]),
        .testTarget(name: "LRSimTests", dependencies: ["LRSim", "LRReport", "LRSimCLI", "HWModel", "LRTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["LRSimCLI", "LRTrace", "LRTestSupport"]),
        .testTarget(name: "LRSweepTests", dependencies: ["LRSweep", "LRReport", "HWModel", "LRSim", "LRCore", "CZlib", "LRTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
