import FerryRaft

/// The nemesis schedule both modes share: which fault comes next, when the nemesis acts again, and the
/// network topologies a partition draws. Each mode enables the kinds its options allow and carries the
/// fault out itself.
extension Nemesis {
    /// Every fault a nemesis may draw, in the order both modes list them (the order is part of the draw).
    enum Fault {
        case partition, crash, pause, powerLoss, corrupt, clockJump, transfer
    }

    /// The next fault among `enabled`, nil when none is. The mode carries it out, then draws when the
    /// nemesis acts again (`nextActionAfterMicros`): in that order, so the fault's own draws come first.
    static func draw(enabled: [Fault], random: inout Xoshiro256StarStar) -> Fault? {
        enabled.isEmpty ? nil : random.pick(enabled)
    }

    /// How long until the nemesis acts again: uniformly up to twice `meanMicros`, whatever was drawn.
    static func nextActionAfterMicros(meanMicros: SimMicros, random: inout Xoshiro256StarStar) -> SimMicros {
        random.uint64(in: 1...(2 * meanMicros))
    }

    /// A network topology the nemesis replaces the previous one with.
    enum Topology {
        /// Every link up.
        case healed
        /// One node cut off from the rest, both ways.
        case isolated
        /// Two sides that cannot talk (all on one side: healed).
        case split
        /// Random links down in one direction only.
        case oneWayCuts
        /// Partial connectivity: two nodes cannot talk while each reaches everyone else.
        case partial
    }

    /// Heals `network`, then draws one of `topologies` over `ids` and cuts its links. `isolating` names the
    /// node an isolation cuts off (a mode may aim at the leader). Returns what it did, for the trace.
    static func repartition(
        _ network: inout Network, ids: [NodeID], topologies: [Topology],
        random: inout Xoshiro256StarStar, isolating: (inout Xoshiro256StarStar) -> NodeID
    ) -> String {
        network.healAll()
        switch topologies[random.int(in: 0...(topologies.count - 1))] {
        case .healed:
            return "heal network"
        case .isolated:
            let isolated = isolating(&random)
            network.isolate(isolated, from: ids)
            return "isolate n\(isolated)"
        case .split:
            let side = ids.map { _ in random.chance(0.5) }
            network.split(ids, side: side)
            return
                "split \(zip(ids, side).filter { $0.1 }.map { $0.0 }) | \(zip(ids, side).filter { !$0.1 }.map { $0.0 })"
        case .oneWayCuts:
            var cuts: [String] = []
            for a in ids {
                for b in ids where a != b && random.chance(0.3) {
                    network.setLink(from: a, to: b, up: false)
                    cuts.append("\(a)->\(b)")
                }
            }
            return "one-way cuts \(cuts)"
        case .partial:
            let a = random.pick(ids)
            let c = a % NodeID(ids.count) + 1
            network.cut(a, c)
            return "partial connectivity, n\(a) and n\(c) cannot talk"
        }
    }
}
