import FerryNode
import FerryQueue
import FerryQueueReplica
import FerryRaft
import FerryStorage

/// Processes: boot over recovered storage, ticks, wire delivery, durable writes step by step, crashes.
extension QueueSimulation {
    func nodeOptions(id: NodeID) -> NodeOptions {
        var options = NodeOptions(raft: self.options.base.raftOptions(id: id))
        options.snapshotIntervalEntries = self.options.snapshotIntervalEntries
        options.snapshotLogBytesRatio = self.options.snapshotLogBytesRatio
        options.spareSegmentQuietTicks = self.options.spareSegmentQuietTicks
        return options
    }

    /// Starts the process: `RaftStorage.open` recovers the disk, then a new `ReplicaNode`. A disk that
    /// recovery refuses stays down for the rest of the run; refusing a disk the nemesis never corrupted
    /// means storage lost what it had made durable, which fails the seed.
    func boot(_ host: QueueHost) {
        precondition(host.node == nil, "boot of a running node")
        host.incarnation += 1
        host.pausedUntil = nil
        host.write = nil
        host.preparation = nil
        host.snapshotSave = nil
        host.snapshotDecode = nil
        host.endOfInputs = nil
        host.ticksSinceWriteCompleted = 0
        let storageOptions = StorageOptions(
            segmentBytesMax: options.segmentBytesMax, commitHintLagEntriesMax: 64,
            preallocateSegments: options.preallocateSegments)
        let opened: (storage: RaftStorage, state: RecoveredState, report: RecoveryReport)
        do {
            opened = try RaftStorage.open(
                directory: QueueSimConstants.dataDirectory, fileSystem: host.fileSystem,
                options: storageOptions, initialConfiguration: configuration)
        } catch {
            if case .writeFailed = error, host.id == failingDiskNode {
                // Recovery's own fsyncs met the injected EIO: the supervisor tries again later.
                emit("n\(host.id) failed to open its storage: \(error)")
                storageFailures += 1
                schedule(
                    .restart(node: host.id),
                    after: nemesisRandom.uint64(in: 10_000...QueueSimConstants.restartMicrosMax))
                return
            }
            refuse(host, "\(error)")
            return
        }
        checkRecovered(host, opened.state)
        let node: QueueHost.Node
        do {
            node = try ReplicaNode(
                options: nodeOptions(id: host.id), storage: opened.storage, recovered: opened.state,
                machine: QueueReplica(config: .init(region: "us-east-1", accountId: "000000000000")),
                environment: NodeEnvironmentLink(host), random: nodeRandom.fork())
        } catch {
            refuse(host, "snapshot does not restore: \(error)")
            return
        }
        host.lastAppliedIndex = node.raft.appliedIndex
        node.onApply = { [unowned self, unowned host] command, output, stamp in
            self.applied(command, output, stamp, on: host)
        }
        host.node = node
        emit(
            "boot n\(host.id): \(opened.state.hardState) snapshot \(opened.state.snapshot.metadata.index) entries \(opened.state.entries.count)\(opened.report.tornTail != nil ? " (torn tail cut)" : "")"
        )
        schedule(
            .tick(node: host.id, incarnation: host.incarnation),
            after: nodeRandom.uint64(in: 1...SimConstants.tickMicros))
    }

    private func refuse(_ host: QueueHost, _ why: String) {
        host.refusedToStart = why
        refusedStarts += 1
        emit("n\(host.id) refuses to start: \(why)")
        if !host.corrupted {
            checker.fail("DUR", "n\(host.id), whose disk was never corrupted, cannot recover: \(why)")
        }
    }

    /// kill -9 (or power loss of this machine): the process and its memory vanish, writes in flight never
    /// complete, unsynced writes are kept, torn or lost.
    func crash(_ host: QueueHost) {
        guard host.isUp else { return }
        host.node = nil
        host.unfinishedWriteRewritesFrom = host.write?.write.rewritesFrom
        host.write = nil
        host.preparation = nil
        host.snapshotSave = nil
        host.snapshotDecode = nil
        host.endOfInputs = nil
        host.pausedUntil = nil
        host.incarnation += 1
        host.fileSystem.crash()
        trace.combine(host.id)
        emit("crash n\(host.id)")
        clientsLostConnection(to: host.id)
    }

    func restart(_ host: QueueHost) {
        guard !host.isUp, host.refusedToStart == nil else { return }
        trace.combine(host.id)
        boot(host)
    }

    func resume(_ host: QueueHost, incarnation: UInt32) {
        guard host.resume(incarnation: incarnation) else { return }
        emit("resume n\(host.id)")
    }

    func onTick(_ host: QueueHost, incarnation: UInt32) {
        guard host.incarnation == incarnation, let node = host.node else { return }
        node.tick()
        guard node.isRunning else { return noteStopped(host) }
        host.ticksSinceWriteCompleted += 1
        schedule(.tick(node: host.id, incarnation: incarnation), after: SimConstants.tickMicros)
    }

    func transmit(_ bytes: [UInt8], from: NodeID, to: NodeID) {
        let times = network.deliveryTimes(from: from, to: to, now: now, random: &networkRandom)
        for time in times { events.schedule(.deliver(from: from, to: to, bytes: bytes), at: time) }
    }

    func onDeliver(from: NodeID, to: NodeID, bytes: [UInt8]) {
        trace.combine(from)
        trace.combine(to)
        guard network.isUp(from: from, to: to), let node = host(to).node else { return }
        let message: PeerMessage
        do {
            message = try PeerMessage.decode(bytes)
        } catch {
            checker.fail("WIRE", "n\(to) cannot decode a message n\(from) encoded: \(error)")
            return
        }
        node.receive(message, from: from)
    }

    // MARK: Durable writes, one operation at a time

    func scheduleDiskStep(_ host: QueueHost) {
        guard let (write, next, _) = host.write else { return }
        var delay: SimMicros = diskRandom.uint64(in: 5...50)
        if next < write.operations.count {
            switch write.operations[next] {
            case .sync, .syncDirectory, .replaceFile, .replaceFileWithSnapshot:
                delay = diskRandom.uint64(
                    in: livenessDeadline == nil
                        ? options.base.fsyncMicrosMin...options.base.fsyncMicrosMax : options.healthyFsyncMicros)
            case .write, .remove, .rename, .close:
                break
            }
        }
        schedule(.diskStep(node: host.id, incarnation: host.incarnation), after: delay)
    }

    /// A spare segment takes a few fsyncs' time to zero-fill; a crash before then leaves a temporary file that
    /// recovery removes.
    func schedulePreparation(_ host: QueueHost) {
        let fsyncMicros = diskRandom.uint64(in: options.base.fsyncMicrosMin...options.base.fsyncMicrosMax)
        schedule(.preparation(node: host.id, incarnation: host.incarnation), after: 4 * fsyncMicros)
    }

    /// A snapshot takes a few fsyncs' time to write; log writes go on meanwhile.
    func scheduleSnapshotSave(_ host: QueueHost) {
        let fsyncMicros = diskRandom.uint64(in: options.base.fsyncMicrosMin...options.base.fsyncMicrosMax)
        schedule(.snapshotSave(node: host.id, incarnation: host.incarnation), after: 4 * fsyncMicros)
    }

    func onSnapshotSave(_ host: QueueHost, incarnation: UInt32) {
        guard host.incarnation == incarnation, host.node != nil, let (save, completion) = host.snapshotSave else {
            return
        }
        host.snapshotSave = nil
        completion(save.performCatching(on: host.fileSystem))
    }

    /// Decoding takes time in proportion to the snapshot (1 µs per KB, at least 100 µs), with no random draw:
    /// seeds that never install a leader's snapshot keep their histories.
    func scheduleSnapshotDecode(_ host: QueueHost, sizeBytes: Int) {
        schedule(
            .snapshotDecode(node: host.id, incarnation: host.incarnation), after: 100 + SimMicros(sizeBytes / 1_000))
    }

    func onSnapshotDecode(_ host: QueueHost, incarnation: UInt32) {
        guard host.incarnation == incarnation, host.node != nil, let run = host.snapshotDecode else { return }
        host.snapshotDecode = nil
        run()
    }

    func scheduleEndOfInputs(_ host: QueueHost) {
        schedule(.endOfInputs(node: host.id, incarnation: host.incarnation), after: 0)
    }

    func onEndOfInputs(_ host: QueueHost, incarnation: UInt32) {
        guard host.incarnation == incarnation, host.node != nil, let body = host.endOfInputs else { return }
        host.endOfInputs = nil
        body()
    }

    func onPreparation(_ host: QueueHost, incarnation: UInt32) {
        guard host.incarnation == incarnation, host.node != nil, let (preparation, completion) = host.preparation else {
            return
        }
        host.preparation = nil
        completion(preparation.performCatching(on: host.fileSystem))
    }

    func onDiskStep(_ host: QueueHost, incarnation: UInt32) {
        guard host.incarnation == incarnation, host.node != nil, let (write, next, completion) = host.write else {
            return
        }
        if next == write.operations.count {
            host.write = nil
            noteDurable(host, write)
            completion(.success(()))
            noteStopped(host)
            return
        }
        do {
            try write.operations[next].perform(on: host.fileSystem)
            if case .rename = write.operations[next] { sparesUsed += 1 }
        } catch {
            host.write = nil
            completion(.failure(error))
            noteStopped(host)
            return
        }
        host.write!.next += 1
        if options.slowFsync || options.powerLoss, livenessDeadline == nil,
            diskRandom.chance(QueueSimConstants.crashMidWriteChance)
        {
            emit("nemesis: crash n\(host.id) between operations \(next) and \(next + 1) of a durable write")
            crash(host)
            schedule(
                .restart(node: host.id), after: nemesisRandom.uint64(in: 1_000...QueueSimConstants.restartMicrosMax))
            return
        }
        scheduleDiskStep(host)
    }

    /// DUR across restarts: recovery must give back at least the log that the last completed durable write
    /// made durable. A crash never excuses a shorter log; a corrupted disk must be refused instead.
    private func checkRecovered(_ host: QueueHost, _ state: RecoveredState) {
        let last =
            state.entries.last.map { LogPosition(index: $0.index, term: $0.term) }
            ?? LogPosition(index: state.snapshot.metadata.index, term: state.snapshot.metadata.term)
        // A write in flight that replaced a suffix with a newer leader's entries (or reset the log after its
        // snapshot) may have reached the disk in part; the entries it replaced could never commit (a leader
        // of a later term lacked them), so the log may end anywhere from just before the first of them.
        // The replacing entries may carry an older term than the ones they replace (the newer leader's log
        // holds an older term's entries there), so only the index the write rewrites from tells.
        let floor = min(host.durableLast.index, (host.unfinishedWriteRewritesFrom ?? LogIndex.max) - 1)
        if last.index < floor {
            checker.fail(
                "DUR",
                "n\(host.id) recovered a log ending at \(last), but a completed durable write had made it end at \(host.durableLast)\(host.corrupted ? " (its disk was corrupted: it must refuse to start, never serve a shorter log)" : "")"
            )
        }
        host.durableLast = last
        if let problem = committedTerms.disagreement(snapshot: state.snapshot.metadata, entries: state.entries) {
            checker.fail("DUR", "n\(host.id) recovered a log that contradicts what committed: \(problem)")
        }
    }

    /// Bookkeeping of a completed write, before the node hears of it: DUR's durable end, and the witnessed
    /// prefix the corruption campaign may damage.
    private func noteDurable(_ host: QueueHost, _ write: DurableWrite) {
        host.durableLast = write.lastPosition
        host.ticksSinceWriteCompleted = 0
        host.witnessedThrough = max(host.witnessedThrough, write.witnessedThrough)
        if let end = write.entriesEnd {
            host.entriesDurableEnd = max(host.entriesDurableEnd, end)
            host.witnessedByEntriesThrough = max(host.witnessedByEntriesThrough, write.witnessedThrough)
        }
    }

    /// DUR at acknowledgement: a send is acknowledged only once its entry is durable on a majority, by the
    /// storage's own account (the last durable write each disk completed).
    private func checkMajorityDurable(_ index: LogIndex, acknowledging body: String) {
        let durable = hosts.filter { $0.durableLast.index >= index }.count
        if durable * 2 <= hosts.count {
            checker.fail(
                "DUR", "send \(body) acknowledged at index \(index), durable on only \(durable) of \(hosts.count) disks"
            )
        }
    }

    /// A node that stopped itself (its durable log failed) is a process that exited: the supervisor
    /// restarts it, and recovery decides what is on disk.
    func noteStopped(_ host: QueueHost) {
        guard let node = host.node, !node.isRunning else { return }
        storageFailures += 1
        crash(host)
        schedule(.restart(node: host.id), after: nemesisRandom.uint64(in: 10_000...QueueSimConstants.restartMicrosMax))
    }

    func nodeRecorded(_ event: NodeEvent, on host: QueueHost) {
        switch event {
        case .roleChanged(let role, let term, _):
            if role == .leader { checker.sawLeader(host.id, term: term) }
        case .storageFailed(let why):
            emit("n\(host.id) stopped: \(why)")
            if host.id != failingDiskNode {
                checker.fail("DUR", "n\(host.id)'s storage failed without an injected fault: \(why)")
            }
        case .undecodableCommand(let index, let reason):
            checker.fail("SMS", "n\(host.id) could not decode the command at \(index): \(reason)")
        case .peerMessageRejected(let from, let reason):
            checker.fail("WIRE", "n\(host.id) rejected a message from n\(from): \(reason)")
        case .snapshotTaken:
            snapshotsTaken += 1
        case .snapshotInstalled:
            snapshotsInstalled += 1
        case .segmentPreparationFailed, .logReadFailed:
            break
        }
        emit("n\(host.id): \(event)")
    }

    /// Every command applied on every node: SMS and MONO against the first application of each index, the
    /// log model fed in index order, and the machine's own invariants, sampled.
    func applied(_ command: QueueCommand, _ output: QueueResult, _ stamp: EntryStamp, on host: QueueHost) {
        if stamp.index <= host.lastAppliedIndex {
            checker.fail("MONO", "n\(host.id) applied index \(stamp.index) after \(host.lastAppliedIndex)")
        }
        host.lastAppliedIndex = stamp.index
        if let body = host.ackAwaitingIndex {
            host.ackAwaitingIndex = nil
            checkMajorityDurable(stamp.index, acknowledging: body)
        }
        let digest = QueueDigest.of(command, output, stamp)
        if let first = logModel.digest(at: stamp.index) {
            if first != digest {
                checker.fail(
                    "SMS",
                    "n\(host.id) applied a different command or output at index \(stamp.index): \(abbreviated(command)) -> \(abbreviated(output))"
                )
            } else if let judged = judgedOutputs[stamp.index], judged != output {
                checker.fail(
                    "Q-model",
                    "n\(host.id) answered index \(stamp.index) (\(abbreviated(command, characters: 200))) with \(abbreviated(output)), not the output the model accepted: \(abbreviated(judged))"
                )
            }
        } else {
            logModel.record(digest, at: stamp.index)
            if let term = host.node?.raft.term(at: stamp.index) { committedTerms.record(stamp.index, term: term) }
            // The first application of each index is judged by the reference model; every other replica's
            // output must then equal it, field by field.
            if let problem = referenceModel.apply(command, output, stamp) {
                checker.fail(problem.invariant, problem.detail)
            }
            logModel.noteMoved(referenceModel.movedByLastCommand)
            if let problem = logModel.apply(command, output, stamp) { checker.fail(problem.invariant, problem.detail) }
            if case .sendMessages(_, let entries, _) = command, case .sent(let results) = output {
                for (entry, result) in zip(entries, results) {
                    guard case .success(let sent) = result.result, !sent.wasDuplicate else { continue }
                    if let problem = history.enqueued(
                        MessagePayload.key(of: entry), as: sent.messageId, index: stamp.index)
                    {
                        checker.fail(problem.invariant, problem.detail)
                    }
                }
            }
            judgedOutputs[stamp.index] = output
            if stamp.index % 1024 == 0 { forgetJudgedOutputs() }
        }
        host.appliesSinceCheck += 1
        if host.appliesSinceCheck >= options.invariantCheckEvery {
            host.appliesSinceCheck = 0
            host.node?.machine.queues.checkInvariants()
        }
    }

    /// Outputs every running replica has applied are no longer needed; a replica that restarts below them
    /// is checked by the digest alone.
    private func forgetJudgedOutputs() {
        let appliedEverywhere = hosts.filter { $0.isUp }.map(\.lastAppliedIndex).min() ?? 0
        judgedOutputs = judgedOutputs.filter { $0.key > appliedEverywhere }
    }
}
