extension ModelDecoder {
    /// `energy = [{ component, action, energy_pj }, ...]` (or `[[energy]]` tables) over `EnergyTable.defaults`. Entries of
    /// a base file come first in the merged array, so a variant's entry overrides its base's; one file may not give an
    /// action twice.
    func decodeEnergy() -> EnergyTable {
        var table = EnergyTable.defaults
        var given: [EnergyAction: Origin] = [:]
        root.claim("energy")
        if let node = root.table["energy"] {
            if case .array(let items) = node.value {
                for (i, item) in items.enumerated() {
                    guard let (action, pj, origin) = decodeEnergyEntry(item, field: "energy[\(i)]") else { continue }
                    if let previous = given[action], case .file(let p1, let l1) = previous,
                        case .file(let p2, _) = origin,
                        p1 == p2
                    {
                        context.problem(
                            origin, "energy[\(i)]",
                            "expected each action once per file, got '\(action.rawValue)' again (first at line \(l1))")
                        continue
                    }
                    given[action] = origin
                    table[action] = pj
                }
            } else {
                context.problem(
                    node.origin, "energy",
                    "expected an array of { component = \"pe\", action = \"mac\", energy_pj = 0.5 }, got \(node.described)"
                )
            }
        }
        for action in EnergyAction.allCases {
            context.record(
                table: "energy", key: action.rawValue, literal: .double(table[action]),
                source: given[action].map(ValueSource.explicit) ?? .builtin)
        }
        return table
    }

    /// One entry, or nil after reporting its problem.
    private func decodeEnergyEntry(_ item: Node, field: String) -> (EnergyAction, Double, Origin)? {
        guard case .table(let t) = item.value else {
            context.problem(
                item.origin, field,
                "expected a table { component = \"pe\", action = \"mac\", energy_pj = 0.5 }, got \(item.described)")
            return nil
        }
        let r = TableReader(context: context, path: field, table: t, origin: item.origin)
        let before = context.diagnostics.count
        let component = r.read("component", fallback: "", literal: Literal.string, parse: Parse.string(nonEmpty: true))
        let action = r.read("action", fallback: "", literal: Literal.string, parse: Parse.string(nonEmpty: true))
        let pj = r.read("energy_pj", fallback: 0.0, literal: Literal.double, parse: Parse.double(0...1e9))
        for key in ["component", "action", "energy_pj"] where !r.has(key) {
            context.problem(
                item.origin, r.field(key),
                "expected a value (every energy entry has component, action, energy_pj), got nothing")
        }
        r.finish()
        context.log.removeAll { $0.table == field }
        guard context.diagnostics.count == before else { return nil }
        let name = "\(component).\(action)"
        guard let known = EnergyAction(rawValue: name) else {
            let names = EnergyAction.allCases.map(\.rawValue)
            let hint = Suggestion.hint(for: name, in: names)
            let origin = r.origin(of: "action")
            var shown = field
            if case .override = origin { shown = "energy.\(name)" }
            context.problem(
                origin, shown,
                "expected a known component.action (\(hint.isEmpty ? names.joined(separator: ", ") : "see docs/hwmodel.md")), got '\(name)'\(hint)"
            )
            return nil
        }
        return (known, pj, r.origin(of: "energy_pj"))
    }
}
