import FerryRaft

/// The nemesis: during the safety phase it draws faults from the kinds the seed enabled. Each action
/// replaces the previous network topology or hits one process.
extension Simulation {
    func onNemesis() {
        guard livenessDeadline == nil else { return }
        var kinds: [Nemesis.Fault] = []
        if options.partitions { kinds.append(.partition) }
        if options.crashes { kinds.append(.crash) }
        if options.pauses { kinds.append(.pause) }
        let fault = Nemesis.draw(enabled: kinds, random: &nemesisRandom)
        switch fault {
        case .partition: repartition()
        case .crash: crashSomeNode()
        case .pause: pauseSomeNode()
        case .powerLoss, .corrupt, .clockJump, .transfer: preconditionFailure("raft mode does not enable \(fault!)")
        case nil: return  // nothing enabled: the nemesis stays quiet for the rest of the run
        }
        schedule(
            .nemesis,
            after: Nemesis.nextActionAfterMicros(meanMicros: options.nemesisMicrosMean, random: &nemesisRandom))
    }

    private var ids: [NodeID] { Array(allNodeIDs) }

    /// Draws a new topology: healed, one node isolated (the leader half the time), a split into two
    /// sides, one-way cuts, or partial connectivity (A–B and B–C up, A–C down).
    private func repartition() {
        let what = Nemesis.repartition(
            &network, ids: ids, topologies: [.healed, .isolated, .split, .oneWayCuts, .partial],
            random: &nemesisRandom, isolating: { [ids] random in leaderOrAnyNode(ids, random: &random) })
        emit("nemesis: \(what)")
        trace.combine(0xFA)
    }

    private func crashSomeNode() {
        let candidates = Nemesis.crashCandidates(nodes, crashedNodesMax: options.crashedNodesMax)
        guard !candidates.isEmpty else { return }
        let leader = currentLeader()
        let victim =
            leader != nil && nemesisRandom.chance(SimConstants.nemesisTargetsLeaderChance)
            ? leader! : nemesisRandom.pick(candidates)
        crash(victim)
        schedule(.restart(node: victim.id), after: nemesisRandom.uint64(in: 1_000...options.downMicrosMax))
    }

    /// The current leader half the time (the node whose failure matters most), else any node.
    private func leaderOrAnyNode(_ ids: [NodeID], random: inout Xoshiro256StarStar) -> NodeID {
        if let leader = currentLeader(), random.chance(SimConstants.nemesisTargetsLeaderChance) { return leader.id }
        return random.pick(ids)
    }

    /// A node just became leader: a nemesis that follows elections strikes it within
    /// `strikeMicrosMax`, often before its first entry is durable or replicated — the window where
    /// Raft's commit rules matter most (Figure 8).
    func nemesisSawElection(_ node: SimNode) {
        guard options.nemesisFollowsElections, livenessDeadline == nil, options.crashes || options.partitions else {
            return
        }
        guard nemesisRandom.chance(SimConstants.strikeChance) else { return }
        schedule(
            .nemesisStrike(node: node.id, incarnation: node.incarnation),
            after: nemesisRandom.uint64(in: 0...SimConstants.strikeMicrosMax))
    }

    func strike(_ node: SimNode, incarnation: UInt32) {
        guard livenessDeadline == nil, node.incarnation == incarnation, node.isUp else { return }
        let down = nodes.filter { !$0.isUp }.count
        if options.crashes && down < options.crashedNodesMax && (!options.partitions || nemesisRandom.chance(0.5)) {
            crash(node)
            schedule(.restart(node: node.id), after: nemesisRandom.uint64(in: 1_000...options.downMicrosMax))
        } else if options.partitions {
            network.healAll()
            network.isolate(node.id, from: allNodeIDs)
            emit("nemesis: isolate new leader n\(node.id)")
        }
    }

    /// kill -9: the process and its memory vanish; the disk keeps, tears or loses each unsynced write
    /// (`SimOptions.diskFaults`).
    func crash(_ node: SimNode) {
        node.stop()
        node.fileSystem.crash()
        node.persisting = nil
        node.pausedUntil = nil
        node.waiting = []
        node.incarnation += 1
        trace.combine(node.id)
        emit("nemesis: crash n\(node.id)")
    }

    func restart(_ node: SimNode) {
        guard !node.isUp else { return }
        trace.combine(node.id)
        boot(node)
        emit(
            "restart n\(node.id) from \(node.durable.hardState), \(node.durable.snapshot.metadata), last \(node.durable.lastIndex)"
        )
    }

    /// Stops a process for longer than an election timeout (a GC pause, SIGSTOP).
    private func pauseSomeNode() {
        guard
            case let (victim, duration)? = Nemesis.pauseOne(
                of: nodes, now: now, pauseMicrosMax: options.pauseMicrosMax,
                random: &nemesisRandom)
        else { return }
        schedule(.resume(node: victim.id, incarnation: victim.incarnation), after: duration)
        trace.combine(victim.id)
        emit("nemesis: pause n\(victim.id) for \(duration / 1000)ms")
    }

    func resume(_ node: SimNode, incarnation: UInt32) {
        guard node.resume(incarnation: incarnation) else { return }
        trace.combine(node.id)
        emit("resume n\(node.id)")
    }
}
