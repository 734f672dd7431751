/// `[stage.buffers]`: a stage's on-chip memories. Data that does not fit spills to DRAM.
public struct BufferSet: Sendable, Equatable, Codable {
    /// `weights`: the stage's layer weights (and biases).
    public var weights: BufferSpec
    /// `inputs`: stored layer inputs (the clean activations the gradient's outer product needs; backprop's stash).
    public var inputs: BufferSpec
    /// `noise`: noise words or sign bits kept between the perturbed forward and the gradient (when not regenerated).
    public var noise: BufferSpec
    /// `accumulators`: gradient accumulators.
    public var accumulators: BufferSpec
    /// `fifo_out`: the FIFO from this stage to the next.
    public var fifoOut: FIFOSpec

    public init(
        weights: BufferSpec = .init(capacityBytes: 64 << 10),
        inputs: BufferSpec = .init(capacityBytes: 64 << 10),
        noise: BufferSpec = .init(capacityBytes: 16 << 10),
        accumulators: BufferSpec = .init(capacityBytes: 32 << 10),
        fifoOut: FIFOSpec = .init()
    ) {
        self.weights = weights; self.inputs = inputs; self.noise = noise; self.accumulators = accumulators
        self.fifoOut = fifoOut
    }

    /// Names and specs of the four SRAM buffers, in schema order.
    public var srams: [(name: String, spec: BufferSpec)] {
        [("weights", weights), ("inputs", inputs), ("noise", noise), ("accumulators", accumulators)]
    }

    /// All on-chip bytes of the stage, FIFO included.
    public var totalBytes: Int { srams.reduce(0) { $0 + $1.spec.capacityBytes } + fifoOut.capacityBytes }
}

/// One SRAM buffer: capacity, ports and word width. Reads and writes move whole words.
public struct BufferSpec: Sendable, Equatable, Codable {
    /// `capacity_bytes` (0 ... 2^40; an integer or a string such as `"64 KiB"`). 0 means absent: everything spills.
    public var capacityBytes: Int
    /// `read_ports` (1 ... 64): words readable per cycle.
    public var readPorts: Int
    /// `write_ports` (1 ... 64): words writable per cycle.
    public var writePorts: Int
    /// `word_bits` (8 ... 4096, a multiple of 8): width of one port access.
    public var wordBits: Int

    public init(capacityBytes: Int, readPorts: Int = 1, writePorts: Int = 1, wordBits: Int = 64) {
        self.capacityBytes = capacityBytes; self.readPorts = readPorts; self.writePorts = writePorts
        self.wordBits = wordBits
    }

    public var wordBytes: Int { wordBits / 8 }
    /// Read bandwidth in bytes per cycle.
    public var readBytesPerCycle: Int { readPorts * wordBytes }
    /// Write bandwidth in bytes per cycle.
    public var writeBytesPerCycle: Int { writePorts * wordBytes }
}

/// `[stage.buffers.fifo_out]`: the FIFO a stage pushes its outputs into; the next stage pops. Full FIFO blocks the producer.
public struct FIFOSpec: Sendable, Equatable, Codable {
    /// `depth_words` (1 ... 2^24): entries.
    public var depthWords: Int
    /// `word_bits` (8 ... 4096, a multiple of 8): width of one entry.
    public var wordBits: Int
    /// `read_ports` (1 ... 64): words popped per cycle.
    public var readPorts: Int
    /// `write_ports` (1 ... 64): words pushed per cycle.
    public var writePorts: Int

    public init(depthWords: Int = 64, wordBits: Int = 64, readPorts: Int = 1, writePorts: Int = 1) {
        self.depthWords = depthWords; self.wordBits = wordBits; self.readPorts = readPorts; self.writePorts = writePorts
    }

    public var wordBytes: Int { wordBits / 8 }
    public var capacityBytes: Int { depthWords * wordBytes }
}
