import FerryNode
import FerryRaft
import FerryStorage

/// The nemesis of queue mode: partitions, crashes, pauses, coordinated power loss, a corrupted disk on one
/// node, wall-clock steps and leadership transfers, as the seed's options allow.
extension QueueSimulation {
    func onNemesis() {
        guard livenessDeadline == nil else { return }
        var kinds: [Nemesis.Fault] = []
        if options.base.partitions { kinds.append(.partition) }
        if options.base.crashes { kinds.append(.crash) }
        if options.base.pauses { kinds.append(.pause) }
        if options.powerLoss { kinds.append(.powerLoss) }
        if options.corruption && !hosts.contains(where: { $0.corrupted }) { kinds.append(.corrupt) }
        if options.clockJumps { kinds.append(.clockJump) }
        if options.leadershipTransfers { kinds.append(.transfer) }
        let fault = Nemesis.draw(enabled: kinds, random: &nemesisRandom)
        switch fault {
        case .partition: repartition()
        case .crash: crashOne()
        case .pause: pauseOne()
        case .powerLoss: powerLoss()
        case .corrupt: corruptOne()
        case .clockJump: jumpClock()
        case .transfer: transferLeadership()
        case nil: break
        }
        schedule(
            .nemesis,
            after: Nemesis.nextActionAfterMicros(meanMicros: options.base.nemesisMicrosMean, random: &nemesisRandom))
    }

    private var ids: [NodeID] { hosts.map(\.id) }

    /// Queue mode's topologies: no one-way cuts (its wire is request-response over TCP-like links).
    private func repartition() {
        let what = Nemesis.repartition(
            &network, ids: ids, topologies: [.healed, .isolated, .split, .partial],
            random: &nemesisRandom, isolating: { [ids] random in random.pick(ids) })
        emit("nemesis: \(what)")
    }

    private func crashOne() {
        let candidates = Nemesis.crashCandidates(hosts, crashedNodesMax: options.base.crashedNodesMax)
        guard !candidates.isEmpty else { return }
        let victim = nemesisRandom.pick(candidates)
        crash(victim)
        schedule(.restart(node: victim.id), after: nemesisRandom.uint64(in: 1_000...options.base.downMicrosMax))
    }

    /// Every machine loses power at the same instant; each comes back after its own delay.
    private func powerLoss() {
        emit("nemesis: coordinated power loss")
        for host in hosts where host.isUp {
            crash(host)
            schedule(
                .restart(node: host.id), after: nemesisRandom.uint64(in: 1_000...QueueSimConstants.restartMicrosMax))
        }
    }

    /// Crashes one node and flips a bit somewhere in its disk's durable bytes (log segment, hard state or
    /// snapshot): on restart, recovery must refuse the disk rather than serve a shorter log.
    ///
    /// In a segment, any byte of the witnessed prefix may be hit: everything a completed durable write
    /// covered and a durable record (a later batch, or a witness record) has since witnessed, including the
    /// last batch of a log that fell idle. The case that used to pass for a torn tail is sought out: a node
    /// whose log is idle is the preferred victim, and half the flips go to the newest witnessed stretch.
    /// The one stretch left out is the residual no single disk can judge: a batch whose witness was not yet
    /// durable when the crash came (`RaftStorage.owesWitness`). The node is held to its promise, though:
    /// past `witnessIdleTicks` idle ticks with no write in flight its witness must be durable, so then the
    /// prefix runs to the end of its durable entries whatever the records say, and a node that never wrote
    /// the witness loses the flipped batch (DUR) instead of refusing.
    private func corruptOne() {
        let candidates = hosts.filter { $0.isUp }
        guard !candidates.isEmpty else { return }
        let idle = candidates.filter { $0.witnessedThrough > $0.witnessedByEntriesThrough || isWitnessOverdue($0) }
        let victim = nemesisRandom.pick(!idle.isEmpty && nemesisRandom.chance(0.75) ? idle : candidates)
        let overdue = isWitnessOverdue(victim)
        let witnessedEnd = max(victim.witnessedThrough, overdue ? victim.entriesDurableEnd : .zero)
        crash(victim)
        schedule(.restart(node: victim.id), after: nemesisRandom.uint64(in: 1_000...QueueSimConstants.restartMicrosMax))
        let disk = victim.fileSystem
        let names = (try? disk.list(QueueSimConstants.dataDirectory)) ?? []
        let newestSnapshot = names.compactMap { StorageLayout.snapshotPosition(ofName: $0)?.index }.max()
        let files: [(path: String, size: Int)] = names.compactMap { name in
            // A spare segment holds nothing yet, and recovery reads only the newest snapshot (older ones
            // are removed as superseded): a flip in either proves nothing.
            guard !StorageLayout.isSpareSegmentName(name) else { return nil }
            if let index = StorageLayout.snapshotPosition(ofName: name)?.index, index != newestSnapshot { return nil }
            let path = QueueSimConstants.dataDirectory + "/" + name
            let size = min((try? disk.fileSize(path)) ?? 0, Self.witnessedBytes(ofFile: name, through: witnessedEnd))
            return size > 0 ? (path, size) : nil
        }
        guard !files.isEmpty else { return }
        let newest = files.first { Self.segmentSequence(ofPath: $0.path) == witnessedEnd.segment }
        let file: String
        let offset: Int
        if let newest, nemesisRandom.chance(0.5) {
            // The newest witnessed stretch: bytes only witness records (or the node's promise) cover, else
            // the last KiB.
            let byEntries = victim.witnessedByEntriesThrough
            let start =
                byEntries < witnessedEnd && byEntries.segment == witnessedEnd.segment
                ? byEntries.offset
                : byEntries < witnessedEnd ? 0 : max(0, newest.size - 1024)
            (file, offset) = (newest.path, nemesisRandom.int(in: start...(newest.size - 1)))
        } else {
            let (path, size) = nemesisRandom.pick(files)
            (file, offset) = (path, nemesisRandom.int(in: 0...(size - 1)))
        }
        try? disk.flipBit(file, byteOffset: offset, bit: nemesisRandom.int(in: 0...7))
        victim.corrupted = true
        let witnessOnly =
            Self.segmentSequence(ofPath: file).map {
                LogCursor(segment: $0, offset: offset) >= victim.witnessedByEntriesThrough
            } ?? false
        if witnessOnly { witnessOnlyFlips += 1 }
        emit(
            "nemesis: flip a bit of \(file) at \(offset) on n\(victim.id)"
                + (witnessOnly ? " (bytes only a witness record witnesses)" : "")
                + (overdue && victim.entriesDurableEnd > victim.witnessedThrough ? " (its witness is overdue)" : ""))
    }

    /// The node has been idle past `witnessIdleTicks` with no write in flight: by its promise, the end of its
    /// durable entries is witnessed on disk.
    private func isWitnessOverdue(_ host: QueueHost) -> Bool {
        host.write == nil && host.ticksSinceWriteCompleted > nodeOptions(id: host.id).witnessIdleTicks
    }

    static func segmentSequence(ofPath path: String) -> UInt64? {
        StorageLayout.segmentSequence(ofName: String(path.split(separator: "/").last!))
    }

    /// How many leading bytes of the data-directory file `name` lie inside the witnessed prefix ending at
    /// `end`: a segment before `end`'s segment is witnessed whole (segments are append-only and writing
    /// never returns to an earlier one), `end`'s own segment up to its offset, later ones not at all; any
    /// other file (hard state, snapshot) was written atomically and is durable whole.
    static func witnessedBytes(ofFile name: String, through end: LogCursor) -> Int {
        guard let sequence = StorageLayout.segmentSequence(ofName: name) else { return Int.max }
        if sequence < end.segment { return Int.max }
        return sequence == end.segment ? end.offset : 0
    }

    private func pauseOne() {
        guard
            case let (victim, duration)? = Nemesis.pauseOne(
                of: hosts, now: now, pauseMicrosMax: options.base.pauseMicrosMax,
                random: &nemesisRandom)
        else { return }
        schedule(.resume(node: victim.id, incarnation: victim.incarnation), after: duration)
        emit("nemesis: pause n\(victim.id) for \(duration / 1000)ms")
    }

    /// Steps one node's wall clock forward or back (NTP step, VM migration).
    private func jumpClock() {
        let victim = nemesisRandom.pick(hosts)
        let jump = nemesisRandom.int64(in: -options.clockJumpMsMax...options.clockJumpMsMax)
        victim.wallOffsetMs += jump
        maxWallOffsetMs = max(maxWallOffsetMs, victim.wallOffsetMs)
        emit("nemesis: n\(victim.id)'s wall clock steps \(jump) ms")
    }

    private func transferLeadership() {
        guard let leader = hosts.first(where: { $0.isRunning && $0.node!.raft.role == .leader }) else { return }
        let target = nemesisRandom.pick(ids.filter { $0 != leader.id })
        emit("operator: transfer leadership n\(leader.id) -> n\(target)")
        leader.node!.transferLeadership(to: target)
    }
}
