import FerryRaft
import FerryStorage

/// The node loop, exactly as the production node runs it: after every input send `takeMessages()`;
/// with no persist in flight take a Ready, stage snapshot, entries and hard state in `RaftStorage`, perform
/// its durable write if the Ready must sync, then send `messagesAfterPersist`, restore, apply, `advance`,
/// and look for the next Ready.
extension Simulation {
    /// Starts the process over what `RaftStorage.open` recovers from its disk. Raft mode's disks are never
    /// corrupted, so a disk recovery refuses means storage lost what it made durable: the seed fails.
    func boot(_ node: SimNode) {
        let opened: (storage: RaftStorage, state: RecoveredState, report: RecoveryReport)
        do {
            opened = try RaftStorage.open(
                directory: SimConstants.dataDirectory, fileSystem: node.fileSystem,
                initialConfiguration: initialConfiguration)
        } catch {
            checker.fail("DUR", "node \(node.id), whose disk was never corrupted, cannot recover: \(error)")
            return
        }
        let recovered = opened.state
        if opened.report.tornTail != nil { emit("n\(node.id) recovery cut a torn tail") }
        let snapshotData: [UInt8]
        do { snapshotData = try recovered.snapshotData.readAll() } catch {
            checker.fail("DUR", "node \(node.id), whose disk was never corrupted, cannot read its snapshot: \(error)")
            return
        }
        node.durable = DurableLog(recovered: recovered, snapshotData: snapshotData)
        node.stateMachine = SimStateMachine(restoring: node.durable.snapshot)
        node.storage = opened.storage
        node.start(
            RaftNode(
                options: options.raftOptions(id: node.id), recovered: recovered, random: nodeRandom.fork(),
                snapshotSource: opened.storage, entrySource: opened.storage))
        node.incarnation += 1
        node.persisting = nil
        node.pausedUntil = nil
        node.waiting = []
        node.forgetAddresses()
        node.noteApplied(recovered.snapshot.metadata.configuration, now: now)
        (node.observedCommit, node.observedApplied, node.observedRole, node.observedTerm) =
            node.inspect { ($0.commitIndex, $0.appliedIndex, $0.role, $0.term) }
        checkRecoveredCommit(node)
        // Ticks start at a random phase so nodes do not tick in lockstep.
        schedule(
            .tick(node: node.id, incarnation: node.incarnation),
            after: nodeRandom.uint64(in: 1...SimConstants.tickMicros))
        afterInput(node)
    }

    /// The commit index a node recovers must cover entries that match the committed record.
    private func checkRecoveredCommit(_ node: SimNode) {
        let snapshot = node.inspect { $0.snapshotMetadata }
        let commitIndex = node.inspect { $0.commitIndex }
        checker.sawSnapshot(node.id, position: LogPosition(index: snapshot.index, term: snapshot.term))
        guard commitIndex > snapshot.index else { return }
        for index in (snapshot.index + 1)...commitIndex {
            guard let entry = node.inspect({ $0.entry(at: index) }) else { continue }
            checker.sawCommitted(node.id, entry: entry, nodeTerm: node.inspect { $0.term })
        }
    }

    func onTick(_ node: SimNode, incarnation: UInt32) {
        guard node.incarnation == incarnation, node.isUp else { return }
        trace.combine(node.id)
        node.raft!.tick()
        afterInput(node)
        schedule(.tick(node: node.id, incarnation: incarnation), after: SimConstants.tickMicros)
    }

    func onDeliver(_ envelope: Envelope, link: SimPeerAddress) {
        let target = node(envelope.to)
        trace.combine(envelope.from)
        trace.combine(envelope.to)
        trace.combine(envelope.message.term)
        guard target.isUp, network.isUp(from: envelope.from, to: envelope.to) else { return }
        // A link breaks when the node it was dialled to stops listening at that address.
        guard network.reaches(link, link.node) else {
            emit("link to \(link) broke: lost \(envelope)")
            return
        }
        emit("n\(envelope.to) <- \(envelope)")
        target.raft!.step(envelope)
        afterInput(target)
    }

    func onFsyncDone(_ node: SimNode, incarnation: UInt32) {
        guard node.incarnation == incarnation, node.isUp else { return }
        trace.combine(node.id)
        guard let (write, firstSync) = node.write else { return }
        node.write = nil
        let result = Result { () throws(FileSystemError) in
            for operation in write.operations[firstSync...] { try operation.perform(on: node.fileSystem) }
        }
        do {
            try node.storage!.complete(write, result)
        } catch {
            checker.fail("DUR", "node \(node.id)'s durable write failed on a disk with no I/O faults: \(error)")
            return
        }
        if let ready = node.persisting {
            node.durable.apply(snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState)
        }
        finishPersist(node)
        afterInput(node)
    }

    /// Sends what the core has for the wire, persists its next Ready if none is in flight, then
    /// checks the node against the invariants.
    func afterInput(_ node: SimNode) {
        guard node.isUp else { return }
        node.followConfiguration()  // as ferryd does each loop turn: it dials (and can be answered) from boot on
        send(node.raft!.takeMessages(), from: node)
        while node.persisting == nil, node.inspect({ $0.hasReady }) {
            beginPersist(node)
            if node.persisting != nil { break }  // an fsync is in flight
        }
        observe(node)
    }

    private func beginPersist(_ node: SimNode) {
        let ready = node.raft!.ready()
        let storage = node.storage!
        if let snapshot = ready.snapshot { storage.installSnapshot(snapshot) }
        if let first = ready.entries.first {
            let previousTerm: Term? =
                ready.snapshot != nil && first.index == ready.snapshot!.metadata.index + 1
                ? ready.snapshot!.metadata.term
                : node.inspect { $0.term(at: first.index - 1) }
            checker.sawAppend(node.id, entries: ready.entries, previousTerm: previousTerm)
            storage.append(ready.entries)
        }
        if let hardState = ready.hardState { storage.setHardState(hardState) }
        node.persisting = ready
        if ready.mustSync {
            startWrite(node)
            let delay = diskRandom.uint64(in: options.fsyncMicrosMin...options.fsyncMicrosMax)
            schedule(.fsyncDone(node: node.id, incarnation: node.incarnation), after: delay)
        } else {
            // Only the commit hint changed (or nothing): what storage staged goes with the next write.
            finishPersist(node)
            send(node.raft!.takeMessages(), from: node)
        }
    }

    /// Performs the staged write up to its first fsync now; the rest (the fsyncs, the hard state file,
    /// removals) when the fsync completes. A crash in between keeps, tears or loses the unsynced bytes.
    private func startWrite(_ node: SimNode) {
        let write: DurableWrite
        do {
            guard let next = try node.storage!.nextWrite() else {
                preconditionFailure("a Ready that must sync staged nothing")
            }
            write = next
        } catch {
            preconditionFailure("storage failed earlier, yet the node runs: \(error)")
        }
        let firstSync = write.firstSyncIndex
        do {
            for operation in write.operations[..<firstSync] { try operation.perform(on: node.fileSystem) }
        } catch {
            checker.fail("DUR", "node \(node.id)'s write failed on a disk with no I/O faults: \(error)")
        }
        node.write = (write, firstSync)
    }

    /// The Ready's writes are durable (or needed no sync): let its messages go, apply, advance.
    private func finishPersist(_ node: SimNode) {
        guard let ready = node.persisting else { return }
        node.persisting = nil
        send(ready.messagesAfterPersist, from: node)
        if let snapshot = ready.snapshot {
            restore(node, snapshot)
            // Now durable: this node serves it to followers from the file (as ReplicaNode does once decoded).
            node.storage!.noteSnapshotChecksums(SnapshotBlockChecksums(of: snapshot.stored, data: snapshot.data))
        }
        for entry in ready.committedEntries { apply(node, entry) }
        node.raft!.advance(ready)
        maybeCompact(node)
    }

    private func restore(_ node: SimNode, _ snapshot: Snapshot) {
        let metadata = snapshot.metadata
        if metadata.index < node.stateMachine.appliedIndex {
            checker.fail(
                "MONO",
                "node \(node.id) restored a snapshot at \(metadata.index) over applied state at \(node.stateMachine.appliedIndex)"
            )
        }
        node.stateMachine = SimStateMachine(restoring: snapshot)
        node.noteApplied(metadata.configuration, now: now)
        checker.sawRestored(
            node.id, position: LogPosition(index: metadata.index, term: metadata.term), digest: node.stateMachine.digest
        )
        emit("n\(node.id) restored \(metadata)")
    }

    private func apply(_ node: SimNode, _ entry: Entry) {
        let expected = node.stateMachine.appliedIndex + 1
        guard entry.index == expected else {
            checker.fail(
                entry.index < expected ? "MONO" : "SMS", "node \(node.id) applied \(entry) when \(expected) was next")
            return
        }
        node.stateMachine.apply(entry)
        if case .configuration(let configuration) = entry.payload { node.noteApplied(configuration, now: now) }
        checker.sawApplied(node.id, entry: entry, digest: node.stateMachine.digest, nodeTerm: node.inspect { $0.term })
        if !node.waiting.isEmpty, node.waiting.contains(where: { $0.index == entry.index }) {
            let settled = node.waiting.filter { $0.index == entry.index }
            node.waiting.removeAll { $0.index == entry.index }
            for waiter in settled { settle(waiter, applied: entry) }
        }
    }

    /// The application compacts: it stores a snapshot of its state durably, then tells the core.
    private func maybeCompact(_ node: SimNode) {
        guard options.compactionEntries > 0, node.isUp else { return }
        let applied = node.stateMachine.appliedIndex
        let (raftApplied, snapshotIndex) = node.inspect { ($0.appliedIndex, $0.snapshotMetadata.index) }
        guard applied <= raftApplied, applied >= snapshotIndex + options.compactionEntries else { return }
        let snapshot = node.stateMachine.snapshot()
        let storage = node.storage!
        guard let save = storage.startSnapshotSave(snapshot.metadata, encodeData: { snapshot.data }) else { return }
        let saved: Bool
        do {
            saved = try storage.completeSnapshotSave(save, save.performCatching(on: node.fileSystem))
        } catch {
            checker.fail("DUR", "node \(node.id) could not save its snapshot on a disk with no I/O faults: \(error)")
            return
        }
        guard saved else { return }
        node.durable.compact(to: snapshot)
        node.raft!.compact(to: snapshot)
        emit("n\(node.id) compacted to \(snapshot.metadata)")
    }

    /// Hands messages to the network after checking that each reflects only durable state (PERS), on the link
    /// ferryd's `PeerMesh` would use: the node's own, to the address its dial plan gives the recipient, if the
    /// recipient listens there; else the link the recipient dialled to it, if the recipient is up and dials
    /// it where it listens; else nowhere (dropped, as `PeerMesh.send` drops it).
    func send(_ envelopes: [Envelope], from node: SimNode) {
        guard !envelopes.isEmpty else { return }
        node.followConfiguration()
        for envelope in envelopes {
            precondition(envelope.from == node.id, "node \(node.id) sent a message from \(envelope.from)")
            checkPersisted(envelope, from: node)
            let dialled = node.dialAddress[Int(envelope.to)]
            if let dialled { checkAddressIsCurrent(dialled, from: node, to: envelope.to) }
            guard let link = link(from: node, to: envelope.to, dialled: dialled) else {
                emit("n\(node.id) has no link to n\(envelope.to): dropped \(envelope)")
                continue
            }
            let times = network.deliveryTimes(from: envelope.from, to: envelope.to, now: now, random: &networkRandom)
            for time in times { events.schedule(.deliver(envelope, link: link), at: time) }
        }
    }

    /// The address of the link a message from `node` to `to` goes on: `dialled` (the node's own link), or
    /// `node`'s own address when it goes back on the link `to` dialled to it.
    private func link(from node: SimNode, to: NodeID, dialled: SimPeerAddress?) -> SimPeerAddress? {
        if let dialled, network.reaches(dialled, to) { return dialled }
        let recipient = self.node(to)
        if recipient.isUp, let back = recipient.dialAddress[Int(node.id)], network.reaches(back, node.id) {
            return back
        }
        return nil
    }
}
