import Foundation
import LRCore

/// The data sets `lrsim train --data NAME` knows, where their files are looked for, and how to get them.
public enum DatasetCatalog {
    public static let names = ["fashion-mnist", "mnist", "cifar10", "synthetic"]

    /// Where the Debian package `dataset-fashion-mnist` installs Fashion-MNIST.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// Loads `name` (`fashion-mnist`, `mnist`, `cifar10`, `synthetic` or `synthetic:OPTIONS`, see `SyntheticSpec.parse`).
    ///
    /// - `fashion-mnist`: `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` in `dataDir`, default
    ///   `/usr/share/datasets/fashion-mnist`.
    /// - `mnist`: the same file names in `dataDir` (required).
    /// - `cifar10`: `data_batch_1..5.bin` / `test_batch.bin` in `dataDir` or in `dataDir/cifar-10-batches-bin` (required).
    /// - `synthetic`: generated (`dataDir` is ignored).
    public static func load(name: String, dataDir: String?, split: DatasetSplit) throws -> Dataset {
        if name == "synthetic" || name.hasPrefix("synthetic:") {
            let spec = try SyntheticSpec.parse(String(name.dropFirst("synthetic".count).drop(while: { $0 == ":" })))
            return try SyntheticDataset.make(spec, split: split, name: name)
        }
        switch name {
        case "fashion-mnist":
            let dir = dataDir ?? fashionMNISTDirectory
            let how =
                dataDir == nil
                ? "install it with `apt-get install dataset-fashion-mnist`, or give a data directory (data-dir) holding the four IDX files from https://github.com/zalandoresearch/fashion-mnist"
                : "put the four IDX files from https://github.com/zalandoresearch/fashion-mnist there (`.gz` or not), or leave the data directory out to use `apt-get install dataset-fashion-mnist`"
            return try loadIDX(name: name, dir: dir, split: split, how: how)
        case "mnist":
            guard let dir = dataDir else {
                throw SettingError(
                    "data-dir",
                    "mnist needs a directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (from the MNIST site or a mirror)"
                )
            }
            return try loadIDX(
                name: name, dir: dir, split: split,
                how: "download the four MNIST IDX files (`.gz` or not) into \(dir)")
        case "cifar10":
            guard let dir = dataDir else {
                throw SettingError(
                    "data-dir",
                    "cifar10 needs a directory holding the extracted cifar-10-binary.tar.gz (data_batch_1.bin ... data_batch_5.bin, test_batch.bin)"
                )
            }
            let files = split == .train ? CIFARLoader.trainFiles : CIFARLoader.testFiles
            let nested = (dir as NSString).appendingPathComponent("cifar-10-batches-bin")
            let base =
                FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(files[0]))
                ? dir
                : FileManager.default.fileExists(atPath: (nested as NSString).appendingPathComponent(files[0]))
                    ? nested : dir
            let paths = files.map { (base as NSString).appendingPathComponent($0) }
            for path in paths where !FileManager.default.fileExists(atPath: path) {
                throw DatasetError(
                    .missingFile, file: path,
                    "not found; extract cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) into \(dir)"
                )
            }
            return try CIFARLoader.load(paths: paths, name: name, split: split)
        default:
            throw DatasetError(
                .invalidArgument, file: name,
                "unknown data set; expected one of \(names.joined(separator: ", ")) (or synthetic:OPTIONS)")
        }
    }

    /// Both splits of `name`, each cut to its first `trainLimit` / `testLimit` samples when given (at least 1). A
    /// `gnn:` model's data is its generated graph (`GraphDataSpec`): its nodes, split as the `sbm` options say.
    public static func load(
        name: String, dataDir: String?, model: ModelSpec? = nil, trainLimit: Int?,
        testLimit: Int?
    ) throws -> (train: Dataset, test: Dataset) {
        for (setting, n) in [("train-samples", trainLimit), ("test-samples", testLimit)] {
            if let n, n < 1 { throw SettingError(setting, "expected a positive count, got \(n)") }
        }
        if case .graph(let g) = model {
            let spec = try GraphDataSpec.parse(name)
            guard trainLimit == nil, testLimit == nil else {
                throw SettingError(
                    trainLimit != nil ? "train-samples" : "test-samples",
                    "a graph is split by its sbm option train=N (the training nodes), not by sample counts")
            }
            return try spec.datasets(try spec.graph(for: g), name: name)
        }
        if GraphDataSpec.isGraph(name) {
            throw SettingError(
                "data",
                "sbm is graph data, for gnn models; \(model?.spelling ?? "this model") trains on mlp/cnn/rnn/snn data such as fashion-mnist"
            )
        }
        var train = try load(name: name, dataDir: dataDir, split: .train)
        var test = try load(name: name, dataDir: dataDir, split: .test)
        if let n = trainLimit, n < train.count { train = try train.subset(0..<n) }
        if let n = testLimit, n < test.count { test = try test.subset(0..<n) }
        return (train, test)
    }

    /// The IDX file pair for a split, preferring `NAME.gz` over `NAME`.
    static func loadIDX(name: String, dir: String, split: DatasetSplit, how: String) throws -> Dataset {
        let prefix = split == .train ? "train" : "t10k"
        func locate(_ base: String) throws -> String {
            let plain = (dir as NSString).appendingPathComponent(base)
            for candidate in [plain + ".gz", plain] where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
            throw DatasetError(.missingFile, file: plain + ".gz", "not found (nor without .gz); \(how)")
        }
        let images = try locate("\(prefix)-images-idx3-ubyte")
        let labels = try locate("\(prefix)-labels-idx1-ubyte")
        return try IDXLoader.load(images: images, labels: labels, classes: 10, name: name, split: split)
    }
}
