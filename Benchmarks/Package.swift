// swift-tools-version: 6.1
//
// Benchmarks live in their own package so that `swift test` on the product never builds the benchmark harness.
// Run:  cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
// (release builds; see docs/benchmarks.md).
import PackageDescription

let package = Package(
    name: "lrsim-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(name: "lrsim", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "LRCoreBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), .product(name: "LRCore", package: "lrsim")],
            path: "Benchmarks/LRCoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SimBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), .product(name: "LRSim", package: "lrsim"),
                           .product(name: "HWModel", package: "lrsim"), .product(name: "LRCore", package: "lrsim")],
            path: "Benchmarks/SimBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "FixedPointBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), .product(name: "FixedPoint", package: "lrsim"),
                           .product(name: "LRCore", package: "lrsim")],
            path: "Benchmarks/FixedPointBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ReplayMeasure",
            dependencies: [.product(name: "LRStudies", package: "lrsim"), .product(name: "LRTrain", package: "lrsim"),
                           .product(name: "HWModel", package: "lrsim"),
                           .product(name: "FixedPoint", package: "lrsim"), .product(name: "LRTrace", package: "lrsim"),
                           .product(name: "LRCore", package: "lrsim")],
            path: "Benchmarks/ReplayMeasure"
        ),
        .executableTarget(
            name: "FixedPointMeasure",
            dependencies: [.product(name: "FixedPoint", package: "lrsim"), .product(name: "LRCore", package: "lrsim")],
            path: "Benchmarks/FixedPointMeasure"
        ),
        .executableTarget(
            name: "TrainStepMeasure",
            dependencies: [.product(name: "LRTrain", package: "lrsim"), .product(name: "LRCore", package: "lrsim")],
            path: "Benchmarks/TrainStepMeasure"
        ),
        .executableTarget(
            name: "DRAMMeasure",
            dependencies: [.product(name: "LRSim", package: "lrsim"), .product(name: "HWModel", package: "lrsim"),
                           .product(name: "LRCore", package: "lrsim")],
            path: "Benchmarks/DRAMMeasure"
        ),
        .executableTarget(
            name: "TraceBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark"), .product(name: "LRTrace", package: "lrsim")],
            path: "Benchmarks/TraceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
