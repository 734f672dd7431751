/// `[mapping]`: the kind and the stage assignment (`"auto"` or a list of `{ stage, layers }`).
extension ModelDecoder {
    func decodeMapping(_ r: TableReader) -> MappingSpec {
        let d = MappingSpec()
        let kind = r.read(
            "kind", fallback: d.kind, literal: { .string($0.rawValue) }, parse: Parse.choice(MappingKind.self))
        let assign = r.read(
            "assign", fallback: d.assign, literal: Self.assignLiteral,
            parse: { self.parseAssign($0, field: r.field("assign")) })
        let split = r.read(
            "split", fallback: d.split, literal: { .string($0.rawValue) }, parse: Parse.choice(WorkSplit.self))
        r.finish()
        return MappingSpec(kind: kind, assign: assign, split: split)
    }

    static func assignLiteral(_ a: StageAssignment) -> Literal {
        switch a {
        case .auto: return .string("auto")
        case .explicit(let entries):
            return .array(
                entries.map { .table([("stage", .string($0.stage)), ("layers", .array($0.layers.map(Literal.int)))]) })
        }
    }

    /// `"auto"` or `[{ stage = "NAME", layers = [0, 1] }, ...]`; problems inside entries name the entry.
    func parseAssign(_ node: Node, field: String) -> Result<StageAssignment, Rejection> {
        let expected = "expected \"auto\" or an array of { stage = \"NAME\", layers = [INDEX, ...] }"
        switch node.value {
        case .string("auto"), .text("auto"): return .success(.auto)
        case .string(let s), .text(let s): return .failure(Rejection("\(expected), got \"\(s)\""))
        case .array(let items):
            guard !items.isEmpty else { return .failure(Rejection("\(expected), got an empty array")) }
            var entries: [StageLayers] = []
            for (i, item) in items.enumerated() {
                guard case .table(let t) = item.value else {
                    return .failure(Rejection("\(expected), got \(item.described) at index \(i)"))
                }
                let r = TableReader(context: context, path: "\(field)[\(i)]", table: t, origin: item.origin)
                let stage = r.read("stage", fallback: "", literal: Literal.string, parse: Self.parseStageName)
                let layers = r.read(
                    "layers", fallback: [Int](), literal: { .array($0.map(Literal.int)) },
                    parse: Self.parseLayers)
                if !r.has("stage") {
                    context.problem(item.origin, r.field("stage"), "expected a stage name, got nothing")
                }
                if !r.has("layers") {
                    context.problem(
                        item.origin, r.field("layers"), "expected an array of parametric-layer indices, got nothing")
                }
                r.finish()
                entries.append(StageLayers(stage: stage, layers: layers))
            }
            // The per-entry reads were logged under assign[i]: keep only the whole array in the show log.
            context.log.removeAll { $0.table.hasPrefix("\(field)[") }
            return .success(.explicit(entries))
        default: return .failure(Rejection("\(expected), got \(node.described)"))
        }
    }

    /// Stage names are bare TOML keys (letters, digits, `_`, `-`), so `[stages.NAME]` can name them.
    static func parseStageName(_ node: Node) -> Result<String, Rejection> {
        Parse.string(nonEmpty: true)(node).flatMap { name in
            HardwareModel.tomlKey(name) == name
                ? .success(name)
                : .failure(Rejection("expected a stage name of letters, digits, '_' and '-', got \"\(name)\""))
        }
    }

    static func parseLayers(_ node: Node) -> Result<[Int], Rejection> {
        let expected = "expected a non-empty array of parametric-layer indices in 0...4095"
        guard case .array(let items) = node.value, !items.isEmpty else {
            return .failure(Rejection("\(expected), got \(node.described)"))
        }
        var out: [Int] = []
        for item in items {
            guard case .int(let i) = item.value, (0...4095).contains(i) else {
                return .failure(Rejection("\(expected), got \(item.described)"))
            }
            out.append(i)
        }
        return .success(out)
    }
}
