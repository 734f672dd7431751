// swift-tools-version: 6.0
//
// lrsim — forward-only (likelihood-ratio) training and the accelerators that run it.
//
// The module map (what each module owns and which way dependencies point) is docs/design.md; the targets below declare
// exactly the modules each one imports.
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

// Every file imports the modules whose members it uses (no member leaks in through another file's import).
let swiftSettings: [SwiftSetting] = cpuSettings + [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "lrsim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lrsim", targets: ["lrsim"]),
        .library(name: "LRCore", targets: ["LRCore"]),
        .library(name: "LRIO", targets: ["LRIO"]),
        .library(name: "FixedPoint", targets: ["FixedPoint"]),
        .library(name: "LRTrace", targets: ["LRTrace"]),
        .library(name: "HWModel", targets: ["HWModel"]),
        .library(name: "LRTrain", targets: ["LRTrain"]),
        .library(name: "LRSim", targets: ["LRSim"]),
        .library(name: "LRReport", targets: ["LRReport"]),
        .library(name: "LRStudies", targets: ["LRStudies"]),
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
        // Integer SIMD kernels of the fixed-point datapath (per-ISA functions, CPUID dispatch at run time). Optimised
        // in debug builds too: the tests run them on large random cases.
        .target(name: "CIntKernels", cSettings: [.unsafeFlags(["-O2"])]),
        // Philox + Box-Muller normals per instruction set; no FMA contraction, so every path equals LRCore's Swift code.
        .target(name: "CGaussian", cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off", "-fno-math-errno"])]),

        .target(name: "LRCore",
                dependencies: ["COpenBLAS", "CLRShims", "CGaussian", .product(name: "Numerics", package: "swift-numerics")],
                swiftSettings: swiftSettings),
        .target(name: "LRIO", swiftSettings: swiftSettings),
        .target(name: "FixedPoint", dependencies: ["CGMP", "CIntKernels", "LRCore"], swiftSettings: swiftSettings),
        .target(name: "LRTrace", dependencies: ["CZlib", "LRIO"], swiftSettings: swiftSettings),
        .target(name: "HWModel", dependencies: ["FixedPoint", "LRCore", "LRIO", "TOMLKit"], swiftSettings: swiftSettings),
        .target(name: "LRTrain",
                dependencies: ["LRCore", "LRIO", "LRTrace", "FixedPoint", "CZlib",
                               .product(name: "Numerics", package: "swift-numerics")],
                swiftSettings: swiftSettings),
        .target(name: "LRSim", dependencies: ["HWModel", "LRCore"], swiftSettings: swiftSettings),
        .target(name: "LRReport", dependencies: ["LRCore", "LRIO", "LRSim", "HWModel"], swiftSettings: swiftSettings),
        .target(name: "LRStudies",
                dependencies: ["LRCore", "LRIO", "FixedPoint", "LRTrace", "HWModel", "LRTrain", "LRSim", "LRReport"],
                swiftSettings: swiftSettings),
        .target(name: "LRSimCLI",
                dependencies: ["LRCore", "LRIO", "FixedPoint", "LRTrace", "HWModel", "LRTrain", "LRSim", "LRReport",
                               "LRStudies", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swiftSettings),
        .executableTarget(name: "lrsim", dependencies: ["LRSimCLI"], swiftSettings: swiftSettings),

        // Shared test helpers (deterministic random cases, tolerances, temp dirs, running the CLI).
        .target(name: "LRTestSupport", dependencies: ["LRCore"], path: "Tests/LRTestSupport"),
        .testTarget(name: "LRCoreTests", dependencies: ["LRCore", "LRTestSupport"]),
        .testTarget(name: "LRIOTests", dependencies: ["LRIO", "LRTestSupport"]),
        .testTarget(name: "FixedPointTests", dependencies: ["FixedPoint", "LRTestSupport"]),
        .testTarget(name: "LRTraceTests", dependencies: ["LRTrace", "LRIO", "LRTestSupport"]),
        .testTarget(name: "HWModelTests", dependencies: ["HWModel", "LRTestSupport"],
                    resources: [.copy("Malformed")]),
        .testTarget(name: "LRTrainTests", dependencies: ["LRTrain", "LRTrace", "LRCore", "LRIO", "LRTestSupport"]),
        .testTarget(name: "LRSimTests", dependencies: ["LRSim", "LRReport", "LRStudies", "LRTrace", "HWModel", "LRCore",
                                                     "LRTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["LRSimCLI", "LRStudies", "LRReport", "LRIO", "LRSim", "LRTrain", "LRTrace",
                                                  "LRTestSupport"]),
        .testTarget(name: "LRStudiesTests",
                    dependencies: ["LRStudies", "LRReport", "LRIO", "HWModel", "LRSim", "LRTrain", "LRTrace", "FixedPoint",
                                   "LRCore", "CZlib", "LRTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
