import FerryRaft
import FerryStorage

/// The Ready cycle on a real log: stage, write durably off the thread, then send, apply and advance.
extension ReplicaNode {
    func processReady() {
        // With a write out (this one, or one that blocks a new Ready), commits need not wait for it.
        defer { applyCommittedWhileWriting() }
        guard isRunning, persisting == nil, let ready = raft.readyIfAny() else { return }
        if let snapshot = ready.snapshot { storage.installSnapshot(snapshot) }
        if !ready.entries.isEmpty { storage.append(ready.entries) }
        if let hardState = ready.hardState { storage.setHardState(hardState) }
        persisting = (ready, storage.stagedTicket)
        if !ready.mustSync {
            // Only the commit hint changed (or nothing): there is nothing that must be durable first.
            finishReady()
            return
        }
        startWriteIfIdle()
    }

    /// Applies what has committed while this node's own write is in flight, instead of after it: the
    /// write's fsync and the applying (and the answers to clients) overlap, and a command committed by the
    /// followers during the write is not held back one more write. Safe because committed means durable
    /// on a majority (the leader counts itself only once durable): no crash of this node can undo it.
    /// Not while a leader's snapshot is being installed, or has arrived and waits for the next Ready (Raft
    /// dropped the log it replaces at once): the machine is restored from it once it is durable. Only
    /// entries this node has handed to its storage (durable, or in the write in flight): a snapshot of the
    /// machine is taken at the applied index once the write completes, and must not lie beyond the log.
    private func applyCommittedWhileWriting() {
        guard isRunning, let (ready, _) = persisting, ready.snapshot == nil,
            raft.snapshotMetadata.index <= raft.appliedIndex
        else { return }
        let first = raft.appliedIndex + 1
        let last = min(raft.commitIndex, max(raft.stableIndex, ready.entries.last?.index ?? 0))
        guard first <= last else { return }
        for index in first...last {
            // Compaction stops at the applied index, so every entry above it is still in memory.
            guard let entry = raft.entry(at: index) else {
                preconditionFailure("committed entry \(index) is not in the log")
            }
            apply(entry)
            guard isRunning else { return }  // stopped at an entry this build cannot apply
        }
        raft.applied(through: last)
        releaseReads()
    }

    /// Hands the storage's staged work to the environment, unless a write is already out: then it
    /// shares the next one (group commit).
    func startWriteIfIdle() {
        guard isRunning, !storage.isWriting else { return }
        let write: DurableWrite?
        do {
            write = try storage.nextWrite()
        } catch {
            fail("\(error)")
            return
        }
        guard let write else { return }
        environment.performDurableWrite(write) { [weak self] result in
            self?.writeCompleted(write, result)
        }
    }

    /// Once the log has been idle `witnessIdleTicks` whole ticks after a durable write, writes a witness
    /// record for it (`RaftStorage.owesWitness`), as an ordinary durable write. Called after a tick's own
    /// work, so a tick that started a write of its own pays nothing extra. Deterministic: ticks are the
    /// only clock.
    func witnessIfIdle() {
        guard isRunning, ticksSinceWriteCompleted > options.witnessIdleTicks, storage.owesWitness else { return }
        storage.stageWitness()
        startWriteIfIdle()
    }

    private func writeCompleted(_ write: DurableWrite, _ result: Result<Void, FileSystemError>) {
        guard isRunning else { return }
        ticksSinceWriteCompleted = 0
        do {
            try storage.complete(write, result)
        } catch {
            // Never retried: after a failed fsync the data may be gone while a retry reports success
            // (fsyncgate). Stop, and let recovery sort out what is durable.
            fail("\(error)")
            return
        }
        if let current = persisting, storage.durableTicket >= current.ticket {
            finishReady()
        }
        startWriteIfIdle()
        afterInput()
    }

    /// Starts zero-filling the log's next segment when storage wants one (`RaftStorage.nextPreparation`)
    /// and the log has not started a new segment for `spareSegmentQuietTicks`: off the loop, alongside
    /// durable writes. Called every tick.
    func prepareSpareSegment() {
        guard isRunning else { return }
        let active = storage.activeSegmentSequence
        spareWatch = spareWatch.segment == active ? (active, spareWatch.ticks + 1) : (active, 0)
        guard spareWatch.ticks >= options.spareSegmentQuietTicks, let preparation = storage.nextPreparation() else {
            return
        }
        environment.prepareSegment(preparation) { [weak self] result in
            guard let self, self.isRunning else { return }
            if case .failure(let error) = result { self.environment.record(.segmentPreparationFailed("\(error)")) }
            self.storage.completePreparation(preparation, result)
        }
    }

    /// Everything `persisting` needed is durable: send what waited for it, apply, advance. A leader's
    /// snapshot is first decoded into the machine off the node's thread (`NodeEnvironment.decodeSnapshot`:
    /// hundreds of milliseconds for a large one, which on the loop would stall every client of this node).
    private func finishReady() {
        guard let (ready, _) = persisting else { preconditionFailure("no Ready in progress") }
        guard !decodingSnapshot else { return }  // a later write completed meanwhile (a witness): still decoding
        sendMessages(ready.messagesAfterPersist)
        if let snapshot = ready.snapshot {
            decodeSnapshot(snapshot)
            return
        }
        applyAndAdvance(ready)
    }

    private func applyAndAdvance(_ ready: Ready) {
        // Those applied while the write was in flight (`applyCommittedWhileWriting`) are skipped.
        let appliedWhileWriting = raft.appliedIndex
        for entry in ready.committedEntries where entry.index > appliedWhileWriting {
            apply(entry)
            guard isRunning else { return }  // stopped at an entry this build cannot apply
        }
        raft.advance(ready)
        persisting = nil
        for state in ready.readStates { readIndexArrived(state) }
        releaseReads()
        maybeTakeSnapshot()
        sendMessages(raft.takeMessages())
        processReady()
    }

    /// Decodes the sessions and the machine from a leader's snapshot, off the node's thread, from a copy of
    /// the machine (a value: the node's own goes on answering queries meanwhile). Nothing is applied until
    /// it is restored: `persisting` stays set, so no other Ready starts.
    private func decodeSnapshot(_ snapshot: Snapshot) {
        decodingSnapshot = true
        let data = snapshot.data
        let template = machine
        let stored = snapshot.stored
        environment.decodeSnapshot(
            sizeBytes: data.count,
            { () -> Result<DecodedSnapshot<Machine>, SnapshotDecodeFailure> in
                do {
                    var reader = LittleEndianReader(data)
                    let sessions = try SessionTable.decode(from: &reader)
                    var machine = template
                    try machine.restore(from: data, startingAt: reader.offset)
                    // While the data is at hand: this node serves the snapshot to followers once it leads.
                    let checksums = SnapshotBlockChecksums(of: stored, data: data)
                    return .success(DecodedSnapshot(sessions: sessions, machine: machine, checksums: checksums))
                } catch {
                    return .failure(SnapshotDecodeFailure(reason: "\(error)"))
                }
            },
            completion: { [weak self] decoded in
                self?.snapshotDecoded(snapshot, decoded)
            })
    }

    private func snapshotDecoded(
        _ snapshot: Snapshot, _ decoded: Result<DecodedSnapshot<Machine>, SnapshotDecodeFailure>
    ) {
        guard isRunning, decodingSnapshot, let (ready, _) = persisting else { return }
        decodingSnapshot = false
        switch decoded {
        case .success(let state):
            sessions = state.sessions
            machine = state.machine
            storage.noteSnapshotChecksums(state.checksums)
        case .failure(let failure):
            // The leader's snapshot is checksummed end to end by storage and wire; bytes that do not decode
            // mean a bug or mixed versions. Applying anything on top would diverge: stop.
            fail("snapshot at index \(snapshot.metadata.index) does not decode: \(failure.reason)")
            return
        }
        lastSnapshotSizeBytes = snapshot.data.count
        appliedBytesSinceSnapshot = 0
        environment.record(.snapshotInstalled(index: snapshot.metadata.index, sizeBytes: snapshot.data.count))
        // Our commands that the snapshot shows applied were applied elsewhere: their outputs are unknown here.
        for sequence in pending.keys.sorted() where sessions.wasApplied(session: session, sequence: sequence) {
            complete(sequence, .timedOut)
        }
        applyAndAdvance(ready)
        afterInput()
    }

    private func apply(_ entry: Entry) {
        guard case .command(let bytes) = entry.payload else { return }
        appliedBytesSinceSnapshot += bytes.count
        let logCommand: (timeMs: UInt64, session: UInt64, sequence: UInt64)
        let command: Machine.Command
        do {
            logCommand = try LogCommand.decodeHeader(bytes)
            command = try Machine.decode(bytes, startingAt: LogCommand.headerBytes)
        } catch {
            // Skipping it would leave this replica's state behind every replica that can apply it (a newer
            // build): stop instead, before applying anything after it or snapshotting. A newer build
            // replays it from the log.
            stop(.undecodableCommand(index: entry.index, reason: "\(error)"))
            return
        }
        let isOurs = logCommand.session == session
        if logCommand.session != 0,
            !sessions.admit(session: logCommand.session, sequence: logCommand.sequence, timeMs: logCommand.timeMs)
        {
            // A second copy of a command already applied (it was sent again after a leader change or a lost
            // forward): it changes nothing. Its client was answered when the first copy applied.
            if isOurs { complete(logCommand.sequence, .timedOut) }
            return
        }
        let stamp = EntryStamp(index: entry.index, timeMs: logCommand.timeMs)
        willApply?(command)
        let output = machine.apply(command, stamp: stamp)
        if isOurs { complete(logCommand.sequence, .applied(output)) }
        onApply?(command, output, stamp)
    }

    // MARK: - Reads

    private func readIndexArrived(_ state: ReadState) {
        guard let completion = awaitingReadIndex.removeValue(forKey: state.requestID) else { return }
        guard let index = state.index else { return completion(false) }
        awaitingApplyForRead.append((index, completion))
    }

    private func releaseReads() {
        guard !awaitingApplyForRead.isEmpty else { return }
        let applied = raft.appliedIndex
        let (ready, waiting) = awaitingApplyForRead.partitioned { $0.index <= applied }
        awaitingApplyForRead = waiting
        for read in ready { read.completion(true) }
    }

    // MARK: - Snapshots

    /// Starts saving a snapshot of the state as of the applied index once `NodeOptions.snapshotIntervalEntries`
    /// says so. Called right after a write completed, when every applied entry is durable here. The state is
    /// frozen as a copy (a value: O(1) now, its parts copied only as the node changes them) and encoded and
    /// written off the loop (`SnapshotSave`), so a large state stalls neither the loop nor the log.
    private func maybeTakeSnapshot() {
        let applied = raft.appliedIndex
        guard isRunning, !storage.isSavingSnapshot,
            applied >= raft.snapshotMetadata.index + options.snapshotIntervalEntries,
            appliedBytesSinceSnapshot >= lastSnapshotSizeBytes * options.snapshotLogBytesRatio
        else { return }
        let held = FrozenState(sessions: sessions, machine: machine)
        // A little over the last snapshot's size: the state grows between snapshots, and one reservation
        // spares the copies of a buffer that doubles its way up to a gigabyte.
        let capacityBytes = lastSnapshotSizeBytes + lastSnapshotSizeBytes / 8
        guard
            let save = storage.startSnapshotSave(
                raft.snapshotMetadata(at: applied),
                encodeData: {
                    let frozen = held.take()
                    var writer = LittleEndianWriter()
                    frozen.sessions.encode(into: &writer)
                    return frozen.machine.snapshot(
                        after: writer.bytes, capacityBytes: capacityBytes + writer.bytes.count)
                })
        else { return }
        appliedBytesSinceSnapshot = 0
        environment.saveSnapshot(save) { [weak self] result in
            self?.snapshotSaveCompleted(save, result)
        }
    }

    private func snapshotSaveCompleted(_ save: SnapshotSave, _ result: Result<SavedSnapshot, FileSystemError>) {
        guard isRunning else { return }
        do {
            guard try storage.completeSnapshotSave(save, result), case .success(let saved) = result else {
                // A leader's snapshot arrived meanwhile and replaces this one.
                startWriteIfIdle()
                return
            }
            lastSnapshotSizeBytes = saved.stored.sizeBytes
            raft.compact(to: saved.stored)
            environment.record(.snapshotTaken(index: saved.stored.metadata.index, sizeBytes: saved.stored.sizeBytes))
        } catch {
            fail("\(error)")
            return
        }
        // The older snapshot file and the log segments this one covers go with the next write.
        startWriteIfIdle()
    }

    func fail(_ why: String) { stop(.storageFailed(why)) }

    /// Stops the node for good (`isRunning` false) and answers everything waiting; `event` says why.
    func stop(_ event: NodeEvent) {
        guard isRunning else { return }
        isRunning = false
        environment.record(event)
        // Sorted: completion order must not depend on hashing (the simulator replays it).
        for sequence in pending.keys.sorted() {
            let waiter = pending.removeValue(forKey: sequence)!
            waiter.completion(waiter.wasSent ? .timedOut : .unavailable(leaderHint: nil))
        }
        for (_, completion) in awaitingReadIndex.sorted(by: { $0.key < $1.key }) { completion(false) }
        for read in awaitingApplyForRead { read.completion(false) }
        awaitingReadIndex = [:]
        awaitingApplyForRead = []
    }
}

/// The state as of a snapshot's index, handed to the thread that encodes it and released there, not on the
/// loop: by then the parts the loop changed since the freeze belong to this copy alone (with slots in chunks,
/// every chunk written meanwhile), and freeing them on the loop was another pause per snapshot.
/// `@unchecked Sendable`: the loop creates it before the save is handed to the work pool (which orders the
/// two), and only that save's one call to `take()` touches it after.
final class FrozenState<Machine: ReplicatedStateMachine>: @unchecked Sendable {
    private var state: (sessions: SessionTable, machine: Machine)?

    init(sessions: SessionTable, machine: Machine) { state = (sessions, machine) }

    func take() -> (sessions: SessionTable, machine: Machine) {
        guard let state else { preconditionFailure("a frozen state is encoded once") }
        self.state = nil
        return state
    }
}

/// The state a leader's snapshot holds, decoded off the node's thread.
struct DecodedSnapshot<Machine: ReplicatedStateMachine>: Sendable {
    var sessions: SessionTable
    var machine: Machine
    var checksums: SnapshotBlockChecksums
}

/// Why a leader's snapshot did not decode.
struct SnapshotDecodeFailure: Error, Sendable {
    var reason: String
}
