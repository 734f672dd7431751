import ArgumentParser

/// Dataset selection shared by `train`, `eval` and the sweeps.
struct DataOptions: ParsableArguments {
    @Option(
        help:
            ArgumentHelp(
                "Dataset: fashion-mnist (the default; Debian's dataset-fashion-mnist location), mnist, cifar10, "
                    + "synthetic[:OPTIONS], or for gnn models sbm[:p_in=P,p_out=P,signal=S,train=N,seed=S] (the "
                    + "default "
                    + "for them: a generated graph).")
    )
    var data: String?
    @Option(help: "Directory holding the dataset files (required for mnist and cifar10).")
    var dataDir: String?
    @Option(parsing: .unconditional, help: "Use only the first N training samples.")
    var trainSamples: Int?
    @Option(parsing: .unconditional, help: "Use only the first N test samples.")
    var testSamples: Int?

    /// The dataset name, or the default for `model`: generated graph data for gnn, else Fashion-MNIST.
    func name(for model: String) -> String { data ?? (model.hasPrefix("gnn:") ? "sbm" : "fashion-mnist") }
}
