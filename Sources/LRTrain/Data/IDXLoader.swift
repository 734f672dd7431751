/// Loads an MNIST-style pair of IDX files (`.gz` or raw) into a `Dataset`, validating everything before allocating.
package enum IDXLoader {
    /// Reads the label file fully (it is small), then streams the image file into Floats.
    package static func load(
        images imagesPath: String, labels labelsPath: String, classes: Int = 10,
        name: String, split: DatasetSplit
    ) throws -> Dataset {
        let labels = try readLabels(labelsPath, classes: classes)

        let stream = try ByteStream(path: imagesPath)
        let dims = try IDXFormat.readHeader(stream, expectedMagic: IDXFormat.imagesMagic)
        let headerBytes = 4 + 4 * dims.count
        let payload = try IDXFormat.payloadSize(dims, stream: stream, headerBytes: headerBytes)
        let (count, rows, cols) = (dims[0], dims[1], dims[2])
        guard count == labels.count else {
            throw DatasetError(
                .countMismatch, file: imagesPath,
                "has \(count) images but \(labelsPath) has \(labels.count) labels; expected the same count")
        }
        let shape = [1, rows, cols]
        var hasher = FNV1a64()
        hasher.combine(shape: shape, classes: classes, count: count)
        let described = "\(count) images of \(rows)x\(cols)"
        let images = try [Float](unsafeUninitializedCapacity: payload) { buffer, initialized in
            try PixelDecoding.decode(from: stream, into: buffer, hasher: &hasher, what: described)
            initialized = payload
        }
        try IDXFormat.checkEnd(stream, described: described)
        labels.withUnsafeBufferPointer { hasher.combine(labels: $0) }
        return Dataset(
            name: name, split: split, shape: shape, classes: classes, images: images, labels: labels,
            digest: hasher.value)
    }

    /// The labels of an IDX label file, each checked to be in `0..<classes`.
    package static func readLabels(_ path: String, classes: Int) throws -> [Int32] {
        let stream = try ByteStream(path: path)
        let dims = try IDXFormat.readHeader(stream, expectedMagic: IDXFormat.labelsMagic)
        let count = try IDXFormat.payloadSize(dims, stream: stream, headerBytes: 8)
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes {
            try stream.readExactly(into: $0, what: "\(count) label bytes after the 8-byte header")
        }
        try IDXFormat.checkEnd(stream, described: "\(count) labels")
        if let i = bytes.firstIndex(where: { Int($0) >= classes }) {
            throw DatasetError(
                .labelOutOfRange, file: path, "label \(bytes[i]) at index \(i) is outside 0..<\(classes)")
        }
        return bytes.map { Int32($0) }
    }

}
