extension HardwareModel {
    /// The stages that run a network with `parametricLayers` parametric (dense/conv) layers, in pipeline order.
    ///
    /// - spatial, `assign = "auto"`: one stage per parametric layer, each a copy of `[stage]`, named `stage0`, `stage1`, ...
    /// - spatial, explicit `assign`: the listed stages; their layer indices must cover 0 ..< parametricLayers.
    /// - temporal: one stage named `array` (the `[stage]` template) running every layer.
    public func stagePlan(parametricLayers: Int) throws(HWModelError) -> [PlannedStage] {
        guard parametricLayers >= 1 else {
            throw HWModelError(
                origin: mappingOrigin, field: "mapping",
                message: "expected a network with at least one parametric layer, got \(parametricLayers)")
        }
        switch (mapping.kind, mapping.assign) {
        case (.temporal, _):
            var spec = stageTemplate
            spec.name = "array"
            return [PlannedStage(spec: spec, layers: Array(0..<parametricLayers))]
        case (.spatial, .auto):
            return (0..<parametricLayers).map { i in
                var spec = stages.first { $0.name == "stage\(i)" } ?? stageTemplate
                spec.name = "stage\(i)"
                return PlannedStage(spec: spec, layers: [i])
            }
        case (.spatial, .explicit(let entries)):
            let covered = entries.reduce(0) { $0 + $1.layers.count }
            guard covered == parametricLayers else {
                throw HWModelError(
                    origin: mappingOrigin, field: "mapping.assign",
                    message: "expected the stages to cover the network's \(parametricLayers) parametric "
                        + "layers (0...\(parametricLayers - 1)), got \(covered) layer\(covered == 1 ? "" : "s") assigned"
                )
            }
            return entries.map { entry in
                PlannedStage(spec: stages.first { $0.name == entry.stage } ?? stageTemplate, layers: entry.layers)
            }
        }
    }

    /// K for an auto stage name `stageK`, nil for any other name.
    public static func autoStageIndex(_ name: String) -> Int? {
        guard name.hasPrefix("stage"), let k = Int(name.dropFirst(5)), k >= 0, "stage\(k)" == name else { return nil }
        return k
    }

    /// Where `mapping.assign` was written (for stage-plan errors), else the model's file.
    private var mappingOrigin: Origin {
        if case .explicit(let origin)? = source.source(of: "mapping.assign") { return origin }
        return source.files.first.map { .file(path: $0, line: 0) } ?? .builtin
    }
}
