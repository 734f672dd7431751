import HWModel

extension ScratchpadConfig {
    /// The scratchpads of a hardware model's stage template, in words of each buffer's number format:
    /// - IFMAP (the streamed operand, activations) = the `inputs` buffer, words of `formats.activations`;
    /// - filter (the stationary/right operand, weights) = the `weights` buffer, words of `formats.weights`;
    /// - OFMAP (outputs, written as accumulators) = the `accumulators` buffer, words of `formats.accumulators`;
    /// - bandwidth of each = `floor(dram.bytes_per_cycle / word bytes)` words per cycle (at least 1), where a word
    ///   takes `ceil(bits / 8)` bytes. SCALE-Sim gives each buffer its own interface of that bandwidth (it does not
    ///   share the channel): this is what `lrsim gemm` reproduces; the simulator engine shares it.
    public init(hardware: HardwareModel) {
        let b = hardware.stageTemplate.buffers, f = hardware.formats
        func bytes(_ format: NumberFormatSpec) -> Int { max(1, (format.totalBits + 7) / 8) }
        func words(_ capacity: Int, _ format: NumberFormatSpec) -> Int { capacity / bytes(format) }
        func perCycle(_ format: NumberFormatSpec) -> Int {
            let w = (hardware.dram.bytesPerCycle / Double(bytes(format))).rounded(.down)
            return w.isFinite ? max(1, min(Int(w), Self.maxBandwidth)) : 1
        }
        self.init(
            ifmapWords: words(b.inputs.capacityBytes, f.activations),
            filterWords: words(b.weights.capacityBytes, f.weights),
            ofmapWords: words(b.accumulators.capacityBytes, f.accumulators),
            ifmapBandwidth: perCycle(f.activations), filterBandwidth: perCycle(f.weights),
            ofmapBandwidth: perCycle(f.accumulators))
    }

    /// The configuration `lrsim gemm` uses: a hardware model's (if any), with SCALE-Sim-style overrides (sizes in KiB
    /// of 1-byte words, one bandwidth in words per cycle for all three interfaces). Without a hardware model every
    /// override must be given.
    public static func resolve(
        hardware: HardwareModel?, ifmapKiB: Int?, filterKiB: Int?, ofmapKiB: Int?,
        bandwidth: Int?
    ) throws -> ScratchpadConfig {
        var c: ScratchpadConfig
        if let hardware {
            c = ScratchpadConfig(hardware: hardware)
        } else {
            let missing = [
                ("--ifmap-sram-kb", ifmapKiB), ("--filter-sram-kb", filterKiB), ("--ofmap-sram-kb", ofmapKiB),
                ("--bandwidth", bandwidth),
            ].filter { $0.1 == nil }.map(\.0)
            guard missing.isEmpty else {
                throw ScratchpadError.invalidConfig(
                    "the memory model needs \(missing.joined(separator: ", ")) (or --hw FILE to take them from a hardware model)"
                )
            }
            c = ScratchpadConfig(
                ifmapWords: 0, filterWords: 0, ofmapWords: 0, ifmapBandwidth: 0, filterBandwidth: 0,
                ofmapBandwidth: 0)
        }
        for (name, kib) in [
            ("--ifmap-sram-kb", ifmapKiB), ("--filter-sram-kb", filterKiB), ("--ofmap-sram-kb", ofmapKiB),
        ] {
            if let kib, !(1...(Self.maxWords >> 10)).contains(kib) {
                throw ScratchpadError.invalidConfig("\(name) must be 1 ... 2^30 KiB, got \(kib)")
            }
        }
        if let v = ifmapKiB { c.ifmapWords = v << 10 }
        if let v = filterKiB { c.filterWords = v << 10 }
        if let v = ofmapKiB { c.ofmapWords = v << 10 }
        if let bw = bandwidth { c.ifmapBandwidth = bw; c.filterBandwidth = bw; c.ofmapBandwidth = bw }
        try c.validate()
        return c
    }
}
