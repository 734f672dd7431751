import Foundation
import LRCore
import LRTestSupport
import XCTest

@testable import LRTrain

/// Loading IDX (raw and gzip) and CIFAR-10 files written here, and the one-line errors for damaged ones.
final class DataLoadingTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrsim-data") }
    override func tearDown() { dir.cleanup() }

    let count = 7, rows = 4, cols = 5
    func pixel(_ i: Int, _ p: Int) -> UInt8 { UInt8((i * 37 + p * 11) % 256) }
    var labelBytes: [UInt8] { (0..<count).map { UInt8(($0 * 3) % 10) } }

    /// Writes a valid image/label pair (optionally gzipped) and returns the paths.
    func writePair(gzip: Bool, images: [UInt8]? = nil, labels: [UInt8]? = nil) throws -> (String, String) {
        let img = images ?? DataTestFiles.idxImages(count: count, rows: rows, cols: cols, pixel: pixel)
        let lab = labels ?? DataTestFiles.idxLabels(labelBytes)
        let suffix = gzip ? ".gz" : ""
        let (ip, lp) = (dir.path("train-images-idx3-ubyte" + suffix), dir.path("train-labels-idx1-ubyte" + suffix))
        try DataTestFiles.write(gzip ? DataTestFiles.gzip(img) : img, to: ip)
        try DataTestFiles.write(gzip ? DataTestFiles.gzip(lab) : lab, to: lp)
        return (ip, lp)
    }

    func testRawAndGzipIDXLoadTheSameValuesAndDigest() throws {
        var digests: [UInt64] = []
        for gz in [false, true] {
            let (ip, lp) = try writePair(gzip: gz)
            let d = try IDXLoader.load(images: ip, labels: lp, name: "t", split: .train)
            XCTAssertEqual(d.count, count)
            XCTAssertEqual(d.shape, [1, rows, cols])
            XCTAssertEqual(d.featureCount, rows * cols)
            XCTAssertEqual(d.labels, labelBytes.map(Int32.init))
            for i in 0..<count {
                for p in 0..<(rows * cols) {
                    XCTAssertEqual(d.images[i * rows * cols + p], Float(pixel(i, p)) / 255)
                }
            }
            digests.append(d.digest)
            // The public initialiser (pixels rounded back to bytes) defines the same digest.
            let rebuilt = try Dataset(
                name: "t", split: .train, shape: d.shape, classes: 10, images: d.images, labels: d.labels)
            XCTAssertEqual(rebuilt.digest, d.digest)
            XCTAssertEqual(d.digestHex.count, 16)
        }
        XCTAssertEqual(digests[0], digests[1], "the digest must not depend on the container")
    }

    func testDigestMatchesIndependentFNV1a() throws {
        let (ip, lp) = try writePair(gzip: false)
        let d = try IDXLoader.load(images: ip, labels: lp, name: "t", split: .train)
        // FNV-1a 64 over: rank, dims, classes, count as little-endian UInt32, then pixel bytes, then label bytes.
        var bytes: [UInt8] = []
        for w in [3, 1, rows, cols, 10, count] { bytes += [UInt8(w), 0, 0, 0] }
        for i in 0..<count { for p in 0..<(rows * cols) { bytes.append(pixel(i, p)) } }
        bytes += labelBytes
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in bytes { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        XCTAssertEqual(d.digest, h)
    }

    /// Loads and returns the error, checking it is one line and names the file.
    func loadError(_ ip: String, _ lp: String, file expected: String) -> DatasetError? {
        do {
            _ = try IDXLoader.load(images: ip, labels: lp, name: "t", split: .train)
            XCTFail("expected an error for \(expected)")
            return nil
        } catch let e as DatasetError {
            XCTAssertFalse(e.description.contains("\n"), e.description)
            XCTAssertTrue(e.description.hasPrefix(expected + ": "), e.description)
            return e
        } catch {
            XCTFail("unexpected error type \(error)")
            return nil
        }
    }

    func testSwappedFilesReportBadMagicWithHint() throws {
        let (ip, lp) = try writePair(gzip: true)
        let e = loadError(lp, ip, file: ip)  // labels are read first: the image file is in the label slot
        XCTAssertEqual(e?.kind, .badMagic)
        XCTAssertEqual(e?.description, "\(ip): expected IDX magic 0x00000801, got 0x00000803 (is this an image file?)")
        // Same with a label file in the image slot (valid labels, so the image file is the one reported).
        let lab2 = dir.path("labels2")
        try DataTestFiles.write(DataTestFiles.idxLabels(labelBytes), to: lab2)
        let e2 = loadError(lab2, lp, file: lab2)
        XCTAssertEqual(
            e2?.description, "\(lab2): expected IDX magic 0x00000803, got 0x00000801 (is this a label file?)")
    }

    func testNotAnIDXFile() throws {
        let (_, lp) = try writePair(gzip: false)
        let bogus = dir.path("bogus")
        try DataTestFiles.write(Array("hello, world".utf8), to: bogus)
        let e = loadError(bogus, lp, file: bogus)
        XCTAssertEqual(e?.kind, .badMagic)
        XCTAssertTrue(e?.message.hasSuffix("(not an IDX file)") ?? false)
    }

    func testTruncatedRawAndGzip() throws {
        let full = DataTestFiles.idxImages(count: count, rows: rows, cols: cols, pixel: pixel)
        let cut = Array(full.prefix(full.count - 9))
        let (ip, lp) = try writePair(gzip: false, images: cut)
        let e = loadError(ip, lp, file: ip)
        XCTAssertEqual(e?.kind, .truncated)
        XCTAssertTrue(e?.message.contains("need 140 data bytes") ?? false, e?.message ?? "")

        // A gzip file cut in the middle of the deflate stream.
        let gz = DataTestFiles.gzip(full)
        let gp = dir.path("cut.gz")
        try DataTestFiles.write(Array(gz.prefix(gz.count - 12)), to: gp)
        let e2 = loadError(gp, lp, file: gp)
        XCTAssertEqual(e2?.kind, .truncated, e2?.description ?? "")

        // Header only.
        try DataTestFiles.write(Array(full.prefix(10)), to: gp)
        let e3 = loadError(gp, lp, file: gp)
        XCTAssertEqual(e3?.kind, .truncated, e3?.description ?? "")
    }

    func testWrongDimensions() throws {
        // Header claims 3 columns: the file has more bytes than promised.
        var bytes = DataTestFiles.idxImages(count: count, rows: rows, cols: cols, pixel: pixel)
        bytes.replaceSubrange(12..<16, with: DataTestFiles.bigEndian(3))
        for gz in [false, true] {
            let (ip, lp) = try writePair(gzip: gz, images: bytes)
            let e = loadError(ip, lp, file: ip)
            XCTAssertEqual(e?.kind, .trailingData, e?.description ?? "")
        }
        // A zero dimension.
        bytes.replaceSubrange(12..<16, with: DataTestFiles.bigEndian(0))
        let (ip, lp) = try writePair(gzip: false, images: bytes)
        XCTAssertEqual(loadError(ip, lp, file: ip)?.kind, .badHeader)
        // Dimensions whose product overflows 64 bits.
        bytes.replaceSubrange(4..<16, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        let (ip2, lp2) = try writePair(gzip: true, images: bytes)
        let e = loadError(ip2, lp2, file: ip2)
        XCTAssertTrue(e?.kind == .tooLarge || e?.kind == .countMismatch || e?.kind == .truncated, e?.description ?? "")
    }

    func testHugeDimensionsAreRejectedBeforeAllocating() throws {
        // 2^30 images of 2^10 x 2^10 would be 2^50 bytes: refused by size, never allocated.
        var bytes = DataTestFiles.idxImages(count: 1, rows: 1, cols: 1) { _, _ in 0 }
        bytes.replaceSubrange(
            4..<16,
            with: DataTestFiles.bigEndian(1 << 30) + DataTestFiles.bigEndian(1 << 10) + DataTestFiles.bigEndian(1 << 10)
        )
        let ip = dir.path("huge.gz")
        try DataTestFiles.write(DataTestFiles.gzip(bytes), to: ip)
        let lp = dir.path("l")
        try DataTestFiles.write(DataTestFiles.idxLabels([UInt8](repeating: 0, count: 1)), to: lp)
        let e = loadError(ip, lp, file: ip)
        XCTAssertEqual(e?.kind, .truncated)
        XCTAssertTrue(
            e?.message.contains(
                "more than a \(try FileManager.default.attributesOfItem(atPath: ip)[.size]!)-byte gzip file can hold")
                ?? false, e?.message ?? "")
    }

    func testLabelOutOfRange() throws {
        var labels = labelBytes
        labels[5] = 12
        let (ip, lp) = try writePair(gzip: true, labels: DataTestFiles.idxLabels(labels))
        let e = loadError(ip, lp, file: lp)
        XCTAssertEqual(e?.kind, .labelOutOfRange)
        XCTAssertEqual(e?.message, "label 12 at index 5 is outside 0..<10")
    }

    func testCountMismatch() throws {
        let (ip, lp) = try writePair(gzip: false, labels: DataTestFiles.idxLabels(Array(labelBytes.prefix(6))))
        let e = loadError(ip, lp, file: ip)
        XCTAssertEqual(e?.kind, .countMismatch)
        XCTAssertEqual(e?.message, "has 7 images but \(lp) has 6 labels; expected the same count")
    }

    func testCorruptGzip() throws {
        let full = DataTestFiles.idxImages(count: 50, rows: 8, cols: 8, pixel: pixel)
        var gz = DataTestFiles.gzip(full)
        for k in stride(from: 20, to: gz.count - 20, by: 7) { gz[k] ^= 0x5A }
        let ip = dir.path("corrupt.gz")
        try DataTestFiles.write(gz, to: ip)
        let lp = dir.path("l")
        try DataTestFiles.write(DataTestFiles.idxLabels([UInt8](repeating: 1, count: 50)), to: lp)
        let e = loadError(ip, lp, file: ip)
        XCTAssertTrue(e?.kind == .compression || e?.kind == .badMagic, e?.description ?? "")

        // Damage only the CRC in the trailer: every byte decompresses, the check fails.
        var gz2 = DataTestFiles.gzip(full)
        gz2[gz2.count - 8] ^= 0xFF
        try DataTestFiles.write(gz2, to: ip)
        let e2 = loadError(ip, lp, file: ip)
        XCTAssertEqual(e2?.kind, .compression, e2?.description ?? "")
        XCTAssertTrue(e2?.message.contains("incorrect data check") ?? false, e2?.message ?? "")
    }

    func testMissingFile() {
        let e = loadError(dir.path("nope.gz"), dir.path("nolabels"), file: dir.path("nolabels"))
        XCTAssertEqual(e?.kind, .missingFile)
    }

    // MARK: CIFAR-10

    func cifarPixel(_ i: Int, _ p: Int) -> UInt8 { UInt8((i * 131 + p * 7) % 251) }

    func testCIFARThroughCatalogWithNestedDirectory() throws {
        let nested = dir.path("cifar-10-batches-bin")
        try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        var expectedLabels: [Int32] = []
        var sample = 0
        for b in 1...5 {
            let n = b == 3 ? 1 : 2
            let labels = (0..<n).map { UInt8((sample + $0) % 10) }
            let base = sample
            try DataTestFiles.write(
                DataTestFiles.cifar(labels: labels) { i, p in self.cifarPixel(base + i, p) },
                to: nested + "/data_batch_\(b).bin")
            expectedLabels += labels.map(Int32.init)
            sample += n
        }
        try DataTestFiles.write(
            DataTestFiles.cifar(labels: [9]) { i, p in self.cifarPixel(i, p) }, to: nested + "/test_batch.bin")

        let train = try DatasetCatalog.load(name: "cifar10", dataDir: dir.url.path, split: .train)
        XCTAssertEqual(train.shape, [3, 32, 32])
        XCTAssertEqual(train.count, 9)
        XCTAssertEqual(train.labels, expectedLabels)
        for i in [0, 4, 8] {
            for p in [0, 1023, 1024, 3071] {
                XCTAssertEqual(train.images[i * 3072 + p], Float(cifarPixel(i, p)) / 255)
            }
        }
        let test = try DatasetCatalog.load(name: "cifar10", dataDir: nested, split: .test)
        XCTAssertEqual(test.labels, [9])
        XCTAssertEqual(test.split, .test)
    }

    func testDamagedCIFAR() throws {
        let p = dir.path("data_batch_1.bin")
        var bytes = DataTestFiles.cifar(labels: [1, 2]) { i, q in self.cifarPixel(i, q) }
        try DataTestFiles.write(Array(bytes.dropLast(5)), to: p)
        func error() -> DatasetError? {
            do { _ = try CIFARLoader.load(paths: [p], split: .train); XCTFail("expected an error"); return nil } catch {
                return error as? DatasetError
            }
        }
        XCTAssertEqual(error()?.kind, .badHeader)
        XCTAssertEqual(
            error()?.description,
            "\(p): expected a whole number of 3073-byte records (1 label + 3072 pixels), got 6141 bytes (1 records and 3068 extra bytes)"
        )
        bytes[3073] = 10
        try DataTestFiles.write(bytes, to: p)
        XCTAssertEqual(error()?.description, "\(p): label 10 in record 1 is outside 0..<10")
        try DataTestFiles.write(DataTestFiles.gzip(bytes), to: p)
        XCTAssertEqual(error()?.kind, .badMagic)
        do {
            _ = try DatasetCatalog.load(name: "cifar10", dataDir: dir.path("empty"), split: .test); XCTFail()
        } catch let e as DatasetError {
            XCTAssertEqual(e.kind, .missingFile)
            XCTAssertTrue(e.description.contains("test_batch.bin: not found"), e.description)
        }
    }

    // MARK: Catalog

    func testCatalogErrors() {
        func error(_ name: String, _ dataDir: String?) -> DatasetError? {
            do { _ = try DatasetCatalog.load(name: name, dataDir: dataDir, split: .train); return nil } catch {
                return error as? DatasetError
            }
        }
        XCTAssertEqual(error("imagenet", nil)?.kind, .invalidArgument)
        // mnist without a directory: the missing setting is named (the CLI shows it as --data-dir).
        XCTAssertThrowsError(try DatasetCatalog.load(name: "mnist", dataDir: nil, split: .train)) { e in
            XCTAssertEqual((e as? SettingError)?.setting, "data-dir")
        }
        let missing = error("fashion-mnist", dir.url.path)
        XCTAssertEqual(missing?.kind, .missingFile)
        XCTAssertEqual(missing?.file, dir.path("train-images-idx3-ubyte.gz"))
        XCTAssertTrue(missing?.description.contains("apt-get install dataset-fashion-mnist") ?? false)
        XCTAssertEqual(error("synthetic:features=0", nil)?.kind, .invalidArgument)
        XCTAssertEqual(error("synthetic:colour=red", nil)?.kind, .invalidArgument)
    }

    func testCatalogFindsRawMNISTFiles() throws {
        let img = DataTestFiles.idxImages(count: count, rows: rows, cols: cols, pixel: pixel)
        try DataTestFiles.write(img, to: dir.path("t10k-images-idx3-ubyte"))
        try DataTestFiles.write(
            DataTestFiles.gzip(DataTestFiles.idxLabels(labelBytes)), to: dir.path("t10k-labels-idx1-ubyte.gz"))
        let d = try DatasetCatalog.load(name: "mnist", dataDir: dir.url.path, split: .test)
        XCTAssertEqual(d.count, count)
        XCTAssertEqual(d.name, "mnist")
    }
}

/// The real Fashion-MNIST, when the Debian package is installed.
final class FashionMNISTTests: XCTestCase {
    func testCountsAndBalancedLabels() throws {
        let dir = DatasetCatalog.fashionMNISTDirectory
        guard FileManager.default.fileExists(atPath: dir + "/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST not installed at \(dir) (apt-get install dataset-fashion-mnist)")
        }
        let start = Date()
        let train = try DatasetCatalog.load(name: "fashion-mnist", dataDir: nil, split: .train)
        let seconds = Date().timeIntervalSince(start)
        print(
            "fashion-mnist train: \(train.count) images in \(String(format: "%.3f", seconds)) s (debug build), digest \(train.digestHex)"
        )
        let test = try DatasetCatalog.load(name: "fashion-mnist", dataDir: nil, split: .test)
        XCTAssertEqual(train.count, 60000)
        XCTAssertEqual(test.count, 10000)
        XCTAssertEqual(train.shape, [1, 28, 28])
        XCTAssertEqual(train.images.count, 60000 * 784)
        var histogram = [Int](repeating: 0, count: 10)
        for l in train.labels { histogram[Int(l)] += 1 }
        XCTAssertEqual(histogram, [Int](repeating: 6000, count: 10))
        histogram = [Int](repeating: 0, count: 10)
        for l in test.labels { histogram[Int(l)] += 1 }
        XCTAssertEqual(histogram, [Int](repeating: 1000, count: 10))
        let first = train.images.prefix(784 * 2000)
        XCTAssertEqual(first.min(), 0)
        XCTAssertEqual(first.max(), 1)
        XCTAssertNotEqual(train.digest, test.digest)
    }
}
