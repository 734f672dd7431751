import HWModel

/// What lanes do with data they share.
public enum CollectiveOp: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every participant ends with the sum (backprop's data-parallel gradients).
    case allReduce = "allreduce"
    /// The root ends with the sum (forward-only partial gradients to the home lane).
    case reduce
    /// Every participant ends with the root's data (clean activations and losses, updated weights).
    case broadcast
}

/// One collective phase over one kind of link: steps, cycles (every step pays the link latency and the transfer of its
/// chunk; the links of a ring or a tree level work in parallel) and bytes on the wire summed over links.
public struct CollectiveCost: Sendable, Hashable {
    public var steps: Int
    public var cycles: Int
    public var bytes: Int
    public static let none = CollectiveCost(steps: 0, cycles: 0, bytes: 0)
}

extension CollectiveAlgorithm {
    /// The cost of `op` moving `bytes` (S) among `participants` (P) over `link`:
    ///
    /// | | all-reduce | reduce | broadcast |
    /// |---|---|---|---|
    /// | ring | 2(P-1) steps of S/P; 2(P-1)S bytes | reduce-scatter + gather: 2(P-1) steps of S/P; (P-1)S + (P-1)S/2 bytes | scatter + all-gather: the same |
    /// | tree | 2 ceil(log2 P) steps of S; 2(P-1)S bytes | ceil(log2 P) steps of S; (P-1)S bytes | the same |
    ///
    /// (A ring's gather sends chunk i over i hops to the root: S/P * (1 + ... + (P-1)) = (P-1)S/2 bytes.)
    public func cost(_ op: CollectiveOp, participants p: Int, bytes s: Int, link: LinkSpec) -> CollectiveCost {
        guard p > 1, s > 0 else { return .none }
        func step(_ chunk: Int) -> Int { link.latencyCycles &+ link.transferCycles(bytes: chunk) }
        switch self {
        case .ring:
            let chunk = (s &+ p &- 1) / p
            let steps = 2 &* (p &- 1)
            let bytes: Int
            switch op {
            case .allReduce: bytes = 2 &* (p &- 1) &* s
            case .reduce, .broadcast: bytes = (p &- 1) &* s &+ (p &- 1) &* s / 2
            }
            return CollectiveCost(steps: steps, cycles: steps &* step(chunk), bytes: bytes)
        case .tree:
            var levels = 0
            while (1 << levels) < p { levels &+= 1 }
            let steps = op == .allReduce ? 2 &* levels : levels
            let bytes = (op == .allReduce ? 2 : 1) &* (p &- 1) &* s
            return CollectiveCost(steps: steps, cycles: steps &* step(s), bytes: bytes)
        }
    }
}

extension ScheduleBuilder {
    /// Emits a collective among the replicas of stage `s` that hold weight slots `slots` (slot = chip x replicas +
    /// replica), hierarchically: among the replicas of each chip over its on-chip link, among the chips over the
    /// chip-to-chip link. All-reduce: reduce on each chip, all-reduce among chips, broadcast on each chip; reduce: on
    /// each chip, then among chips to chip 0; broadcast: from chip 0 among chips, then on each chip. Returns the tasks
    /// that finish it (what a consumer waits for); empty when there is only one participant.
    mutating func collective(
        _ op: CollectiveOp, bytes: Int, stage s: Int, slots: [Int],
        after deps: [(TaskID, DependencyKind)], kind: TaskKind, iteration t: Int,
        layer: Int
    ) -> [TaskID] {
        let perChip = machine.stages[s].spec.replicas
        var byChip: [Int: Int] = [:]
        for slot in Set(slots) { byChip[slot / perChip, default: 0] += 1 }
        let chips = byChip.keys.sorted()
        guard slots.count > 1, Set(slots).count > 1 else { return [] }
        let algorithm = model.interconnect.collective
        var previous = deps

        func onChip(_ phaseOp: CollectiveOp) {
            var done: [(TaskID, DependencyKind)] = []
            for c in chips {
                let n = byChip[c] ?? 0
                guard n > 1 else { continue }
                let cost = algorithm.cost(phaseOp, participants: n, bytes: bytes, link: model.interconnect.onChip)
                var d = task(machine.onChipLink[c], kind, cycles: cost.cycles, iteration: t, layer: layer)
                d.counts.onChipLinkBytes = cost.bytes
                done.append((add(d, after: previous), .data))
            }
            if !done.isEmpty { previous = done }
        }
        func acrossChips(_ phaseOp: CollectiveOp) {
            guard chips.count > 1, let link = machine.chipLink else { return }
            let cost = algorithm.cost(
                phaseOp, participants: chips.count, bytes: bytes, link: model.interconnect.chipToChip)
            var d = task(link, kind, cycles: cost.cycles, iteration: t, layer: layer)
            d.counts.chipLinkBytes = cost.bytes
            previous = [(add(d, after: previous), .data)]
        }
        switch op {
        case .allReduce:
            if chips.count > 1 {
                onChip(.reduce); acrossChips(.allReduce); onChip(.broadcast)
            } else {
                onChip(.allReduce)
            }
        case .reduce:
            onChip(.reduce); acrossChips(.reduce)
        case .broadcast:
            acrossChips(.broadcast); onChip(.broadcast)
        }
        return previous.map(\.0)
    }
}
