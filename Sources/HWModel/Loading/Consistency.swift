/// Checks that span fields: a mapping that names a missing stage, a pipeline mode the mapping cannot run, buffers whose
/// words cannot hold the values stored in them. Each problem is reported at the most specific explicit field.
extension ModelDecoder {
    func checkConsistency(_ m: HardwareModel) {
        checkMapping(m)
        checkPipeline(m)
        checkWordWidths(m)
        checkDRAM(m)
    }

    private func checkMapping(_ m: HardwareModel) {
        let defined = m.stages.map(\.name)
        switch (m.mapping.kind, m.mapping.assign) {
        case (.temporal, .explicit):
            context.problem(
                context.place("mapping.assign", "mapping.kind"), "mapping.assign",
                "expected \"auto\" (or no assign) for a temporal mapping (one array runs every layer), got a stage list"
            )
        case (.temporal, .auto):
            if let first = defined.first {
                context.problem(
                    context.place("stages.\(first)", "mapping.kind"), "stages.\(first)",
                    "expected no [stages.NAME] tables with a temporal mapping (one array, the [stage] "
                        + "template, runs every layer), got [stages.\(first)]")
            }
        case (.spatial, .auto):
            // Auto stages are named stage0, stage1, ...: a [stages.stageK] table overrides the template for stage K.
            for name in defined where HardwareModel.autoStageIndex(name) == nil {
                context.problem(
                    context.place("stages.\(name)", "mapping.assign"), "stages.\(name)",
                    "expected [stages.stageK] tables (K = 0, 1, ...: overrides of the template for the K-th "
                        + "parametric layer's stage) when mapping.assign is \"auto\", got [stages.\(name)]")
            }
        case (.spatial, .explicit(let entries)):
            var seen: [String] = []
            var next = 0
            for (i, e) in entries.enumerated() where !e.stage.isEmpty {  // an empty name was reported already
                let field = "mapping.assign[\(i)]"
                let place = context.place("mapping.assign")
                if !defined.contains(e.stage) {
                    context.problem(
                        place, field,
                        "expected the name of a [stages.NAME] table (\(defined.isEmpty ? "none defined" : defined.joined(separator: ", "))), got '\(e.stage)'"
                            + Suggestion.hint(for: e.stage, in: defined))
                }
                if seen.contains(e.stage) {
                    context.problem(place, field, "expected each stage once, got '\(e.stage)' again")
                }
                seen.append(e.stage)
                for layer in e.layers {
                    if layer != next {
                        context.problem(
                            place, field,
                            "expected parametric layer \(next) next (layers are assigned in order "
                                + "0, 1, 2, ... without gaps or repeats), got \(layer)")
                        return
                    }
                    next += 1
                }
            }
            for name in defined where !seen.contains(name) {
                context.problem(
                    context.place("stages.\(name)"), "stages.\(name)",
                    "expected every defined stage to appear in mapping.assign, got '\(name)' unassigned")
            }
        }
    }

    private func checkPipeline(_ m: HardwareModel) {
        let p = m.pipeline
        switch p.mode {
        case .sequential where p.staleness != 0:
            context.problem(
                context.place("pipeline.staleness", "pipeline.mode"), "pipeline.staleness",
                "expected 0 with mode = \"sequential\" (each iteration sees the previous update), got \(p.staleness)")
        case .overlapped where p.staleness < 1:
            context.problem(
                context.place("pipeline.staleness", "pipeline.mode"), "pipeline.staleness",
                "expected at least 1 with mode = \"overlapped\" (the next forward starts before the update lands), got \(p.staleness)"
            )
        default: break
        }
        if m.mapping.kind == .temporal && p.mode != .sequential {
            context.problem(
                context.place("pipeline.mode", "mapping.kind"), "pipeline.mode",
                "expected \"sequential\" with a temporal mapping (one array cannot pipeline layers), got \"\(p.mode.rawValue)\""
            )
        }
    }

    /// Each buffer's word must hold at least one value of the format stored in it (the noise buffer may hold sign bits,
    /// so any word width serves it).
    private func checkWordWidths(_ m: HardwareModel) {
        let stages: [(String, StageSpec)] = [("stage", m.stageTemplate)] + m.stages.map { ("stages.\($0.name)", $0) }
        for (path, s) in stages {
            let checks: [(String, Int, Signal)] = [
                ("weights", s.buffers.weights.wordBits, .weights),
                ("inputs", s.buffers.inputs.wordBits, .inputs),
                ("accumulators", s.buffers.accumulators.wordBits, .accumulators),
                ("fifo_out", s.buffers.fifoOut.wordBits, .activations),
            ]
            for (buffer, bits, signal) in checks where bits < m.formats[signal].totalBits {
                let field = "\(path).buffers.\(buffer).word_bits"
                context.problem(
                    context.place(field, "formats.\(signal.rawValue).format"), field,
                    "expected at least \(m.formats[signal].totalBits) bits to hold one \(signal.rawValue) value "
                        + "(formats.\(signal.rawValue) = \(m.formats[signal].format)), got \(bits)")
            }
        }
    }
}
