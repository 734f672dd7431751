import Foundation

/// Loads CIFAR-10 binary batches (`cifar-10-binary.tar.gz`, extracted): each file is a sequence of 3073-byte records,
/// one label byte then 32x32 red, green and blue planes (3072 bytes), so samples come out channel-major `[3, 32, 32]`.
package enum CIFARLoader {
    package static let recordBytes = 1 + 3 * 32 * 32
    package static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    package static let testFiles = ["test_batch.bin"]

    /// Loads and concatenates `paths` in order. Sizes of every file are checked before anything is allocated.
    package static func load(
        paths: [String], classes: Int = 10, name: String = "cifar10",
        split: DatasetSplit
    ) throws -> Dataset {
        var streams: [ByteStream] = []
        var total = 0
        for path in paths {
            let stream = try ByteStream(path: path)
            guard !stream.isGzip else {
                throw DatasetError(
                    .badMagic, file: path,
                    "expected an uncompressed CIFAR-10 binary batch, got gzip data (extract cifar-10-binary.tar.gz first)"
                )
            }
            guard stream.fileSize > 0, stream.fileSize % recordBytes == 0 else {
                throw DatasetError(
                    stream.fileSize == 0 ? .truncated : .badHeader, file: path,
                    "expected a whole number of \(recordBytes)-byte records (1 label + 3072 pixels), got \(stream.fileSize) bytes (\(stream.fileSize / recordBytes) records and \(stream.fileSize % recordBytes) extra bytes)"
                )
            }
            total += stream.fileSize / recordBytes
            streams.append(stream)
        }
        let features = recordBytes - 1
        let shape = [3, 32, 32]
        var labels = [Int32](repeating: 0, count: total)
        var hasher = FNV1a64()
        hasher.combine(shape: shape, classes: classes, count: total)
        // Pixels are hashed in file order, then all labels, as for IDX: the digest does not depend on the container.
        let images = try [Float](unsafeUninitializedCapacity: total * features) { buffer, initialized in
            let record = UnsafeMutableRawBufferPointer.allocate(byteCount: recordBytes * 256, alignment: 64)
            defer { record.deallocate() }
            try PixelDecoding.scale.withUnsafeBufferPointer { table in
                var sample = 0
                for stream in streams {
                    let records = stream.fileSize / recordBytes
                    var r = 0
                    while r < records {
                        let n = min(256, records - r)
                        let part = UnsafeMutableRawBufferPointer(rebasing: record[0..<(n * recordBytes)])
                        try stream.readExactly(into: part, what: "\(records) records of \(recordBytes) bytes")
                        for k in 0..<n {
                            let rec = UnsafeRawBufferPointer(
                                rebasing: part[(k * recordBytes)..<((k + 1) * recordBytes)])
                            let label = rec[0]
                            guard Int(label) < classes else {
                                throw DatasetError(
                                    .labelOutOfRange, file: stream.path,
                                    "label \(label) in record \(r + k) is outside 0..<\(classes)")
                            }
                            labels[sample] = Int32(label)
                            let pixels = UnsafeRawBufferPointer(rebasing: rec[1...])
                            PixelDecoding.convert(pixels, into: buffer.baseAddress! + sample * features, table: table)
                            hasher.combine(bytes: pixels)
                            sample += 1
                        }
                        r += n
                    }
                }
            }
            initialized = total * features
        }
        labels.withUnsafeBufferPointer { hasher.combine(labels: $0) }
        return Dataset(
            name: name, split: split, shape: shape, classes: classes, images: images, labels: labels,
            digest: hasher.value)
    }
}
