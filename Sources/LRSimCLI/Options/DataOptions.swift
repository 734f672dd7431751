import ArgumentParser

/// Dataset selection shared by `train`, `eval` and the sweeps.
struct DataOptions: ParsableArguments {
    @Option(help: "Dataset: fashion-mnist (default location from Debian's dataset-fashion-mnist), mnist, cifar10 or synthetic.")
    var data = "fashion-mnist"
    @Option(help: "Directory holding the dataset files (required for mnist and cifar10).")
    var dataDir: String?
    @Option(help: "Use only the first N training samples.")
    var trainSamples: Int?
    @Option(help: "Use only the first N test samples.")
    var testSamples: Int?
}
