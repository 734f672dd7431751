/// The three double-buffered scratchpads of SCALE-Sim v3 in front of a systolic array, in words (one operand element;
/// SCALE-Sim's word is 1 byte, so its `IfmapSramSzkB = 4` is 4096 words) and words per cycle of each buffer's DRAM
/// interface.
///
/// Roles (SCALE-Sim's names): `ifmap` holds the streamed/left operand A (M x K), `filter` the right operand B (K x N),
/// `ofmap` the output C (M x N). In an lrsim hardware model they are the `inputs`, `weights` and `accumulators` buffers.
public struct ScratchpadConfig: Sendable, Hashable, Codable {
    public var ifmapWords: Int
    public var filterWords: Int
    public var ofmapWords: Int
    /// Words per cycle of the IFMAP, filter and OFMAP DRAM interfaces. SCALE-Sim v3.0.0 reads the first two from
    /// `IfmapSRAMBankBandwidth` / `FilterSRAMBankBandwidth` and the third from `Bandwidth` (USER mode).
    public var ifmapBandwidth: Int
    public var filterBandwidth: Int
    public var ofmapBandwidth: Int

    enum CodingKeys: String, CodingKey {
        case ifmapWords = "ifmap_words", filterWords = "filter_words", ofmapWords = "ofmap_words"
        case ifmapBandwidth = "ifmap_bandwidth", filterBandwidth = "filter_bandwidth", ofmapBandwidth =
            "ofmap_bandwidth"
    }

    public init(
        ifmapWords: Int, filterWords: Int, ofmapWords: Int,
        ifmapBandwidth: Int, filterBandwidth: Int, ofmapBandwidth: Int
    ) {
        self.ifmapWords = ifmapWords; self.filterWords = filterWords; self.ofmapWords = ofmapWords
        self.ifmapBandwidth = ifmapBandwidth; self.filterBandwidth = filterBandwidth
        self.ofmapBandwidth = ofmapBandwidth
    }

    /// SCALE-Sim's configuration: sizes in KiB of 1-byte words and one bandwidth for all three interfaces.
    public init(ifmapKiB: Int, filterKiB: Int, ofmapKiB: Int, bandwidth: Int) {
        self.init(
            ifmapWords: ifmapKiB &* 1024, filterWords: filterKiB &* 1024, ofmapWords: ofmapKiB &* 1024,
            ifmapBandwidth: bandwidth, filterBandwidth: bandwidth, ofmapBandwidth: bandwidth)
    }

    /// Largest buffer (words) and bandwidth accepted: keeps every product in the model far from Int overflow.
    public static let maxWords = 1 << 40
    public static let maxBandwidth = 1 << 30

    /// Throws a one-line error naming the field if a size or bandwidth is out of range. A buffer needs at least 2
    /// words (one per half) and SCALE-Sim's set size `ceil(words/100)` needs at least one word.
    public func validate() throws {
        for (name, v) in [("ifmap SRAM", ifmapWords), ("filter SRAM", filterWords), ("ofmap SRAM", ofmapWords)] {
            guard (2...Self.maxWords).contains(v) else {
                throw ScratchpadError.invalidConfig("\(name): expected 2 ... 2^40 words, got \(v)")
            }
        }
        for (name, v) in [
            ("ifmap bandwidth", ifmapBandwidth), ("filter bandwidth", filterBandwidth),
            ("ofmap bandwidth", ofmapBandwidth),
        ] {
            guard (1...Self.maxBandwidth).contains(v) else {
                throw ScratchpadError.invalidConfig("\(name): expected 1 ... 2^30 words per cycle, got \(v)")
            }
        }
    }
}

/// Errors of the scratchpad model (one line each).
public enum ScratchpadError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case tooLarge(String)
    public var description: String {
        switch self {
        case .invalidConfig(let m): return m
        case .tooLarge(let m): return m
        }
    }
}

/// How SCALE-Sim's read buffer (`read_buffer.py`) divides a buffer of `words` holding an operand of `operandWords`
/// valid elements: the operand, in its prefetch order, is cut into `sets` of `setWords = ceil(words/100)` elements
/// (the last set holds the rest and is empty when the division is exact); the active half holds `activeSets`
/// consecutive sets (circularly), and every fill ("new prefetch") slides the window by `fillSets` sets.
public struct ReadBufferGeometry: Sendable, Hashable {
    public let words: Int
    public let bandwidth: Int
    /// `ceil(words / 2)` and `words - activeWords` (SCALE-Sim's active fraction 0.5).
    public let activeWords: Int, fillWords: Int
    public let setWords: Int
    public let sets: Int
    public let activeSets: Int
    public let fillSets: Int
    /// Cycles between consecutive fill completions: `ceil(fillWords / bandwidth)` request cycles plus SCALE-Sim's
    /// read latency of 1 cycle.
    public let fillCycles: Int

    public init(words: Int, bandwidth: Int, operandWords: Int) {
        self.words = words; self.bandwidth = bandwidth
        activeWords = (words &+ 1) / 2
        fillWords = words &- activeWords
        setWords = ceilDiv(words, 100)
        sets = operandWords / setWords &+ 1
        activeSets = min(ceilDiv(activeWords, setWords), sets)
        fillSets = min(ceilDiv(fillWords, setWords), sets &- activeSets)
        fillCycles = ceilDiv(fillWords, bandwidth) &+ 1
    }

    /// Whether the whole operand stays in the active half (no fill is ever needed).
    public var holdsOperand: Bool { activeSets == sets }
}

/// SCALE-Sim's write buffer (`write_buffer.py`): `activeWords = ceil(words/2)`, `drainWords = words - activeWords`,
/// DRAM rows of `bandwidth` words, `ceil(drainWords / bandwidth)` rows per drain.
public struct WriteBufferGeometry: Sendable, Hashable {
    public let words: Int
    public let bandwidth: Int
    public let activeWords: Int, drainWords: Int
    public let rowsPerDrain: Int
    public init(words: Int, bandwidth: Int) {
        self.words = words; self.bandwidth = bandwidth
        activeWords = (words &+ 1) / 2
        drainWords = words &- activeWords
        rowsPerDrain = ceilDiv(drainWords, bandwidth)
    }
}
