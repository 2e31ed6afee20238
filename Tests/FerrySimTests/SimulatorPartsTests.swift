import FerryRaft
import FerryStorage
import FerryStorageTesting
import XCTest

@testable import FerrySim

/// The simulator's own parts, without a Raft core: generator, event order, raft mode's disk and durable record, checkers.
final class SimulatorPartsTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = Xoshiro256StarStar(seed: 42)
        var b = Xoshiro256StarStar(seed: 42)
        var c = Xoshiro256StarStar(seed: 43)
        let streamA = (0..<100).map { _ in a.next() }
        XCTAssertEqual(streamA, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(streamA, (0..<100).map { _ in c.next() })
        // Known first output pins the algorithm: a change here changes every seed's meaning.
        var mixer = SplitMix64(seed: 0)
        XCTAssertEqual(mixer.next(), 0xE220_A839_7B1D_CDAF)
    }

    func testEventsRunInTimeThenScheduleOrder() {
        var queue = EventQueue<SimEvent>()
        queue.schedule(.nemesis, at: 30)
        queue.schedule(.heal, at: 10)
        queue.schedule(.operatorAction(periodic: true), at: 10)
        queue.schedule(.livenessCheck, at: 20)
        var order: [UInt64] = []
        while let next = queue.pop() { order.append(next.event.kindCode) }
        XCTAssertEqual(order, [9, 8, 10, 7])
    }

    func testHeapOrdersManyEvents() {
        var queue = EventQueue<SimEvent>()
        var random = Xoshiro256StarStar(seed: 7)
        for _ in 0..<1000 { queue.schedule(.nemesis, at: random.uint64(in: 0...100)) }
        var last: (SimMicros, UInt64) = (0, 0)
        var first = true
        while let next = queue.pop() {
            if !first { XCTAssertTrue(last < (next.time, next.sequence)) }
            last = (next.time, next.sequence)
            first = false
        }
    }

    private func entry(_ index: LogIndex, _ term: Term, _ id: UInt64 = 0) -> Entry {
        let command = Command.id(client: 0, sequence: id == 0 ? index : id)
        return Entry(index: index, term: term, payload: .command(Command.encode(id: command, paddingBytes: 0)))
    }

    /// Raft mode's disk: the storage's write up to its first fsync, then a crash. With every unsynced
    /// write lost (`unsyncedPrefixSurvives` off), recovery gives back the log before the write; once the
    /// rest of the write ran, the entries and the vote survive the crash.
    func testCrashBeforeTheWritesFsyncLosesItAndAfterKeepsIt() throws {
        let configuration = Configuration(voters: [1, 2, 3])
        var options = SimOptions(seed: 1, nodeCount: 3)
        options.unsyncedPrefixSurvives = false
        let disk = SimulatedFileSystem(random: Xoshiro256StarStar(seed: 1), faults: options.diskFaults)
        for completes in [false, true] {
            let storage = try RaftStorage.open(
                directory: SimConstants.dataDirectory, fileSystem: disk,
                initialConfiguration: configuration
            ).storage
            storage.append([entry(1, 1), entry(2, 1)])
            storage.setHardState(HardState(term: 1, votedFor: 2))
            let write = try XCTUnwrap(try storage.nextWrite())
            XCTAssertGreaterThan(write.firstSyncIndex, 0, "the entries are written before the fsync")
            for operation in write.operations[..<write.firstSyncIndex] { try operation.perform(on: disk) }
            if completes {
                for operation in write.operations[write.firstSyncIndex...] { try operation.perform(on: disk) }
            }
            storage.close()
            disk.crash()
            let recovered = try RaftStorage.open(
                directory: SimConstants.dataDirectory, fileSystem: disk,
                initialConfiguration: configuration)
            recovered.storage.close()
            XCTAssertEqual(recovered.state.entries.map(\.index), completes ? [1, 2] : [])
            XCTAssertEqual(recovered.state.hardState, completes ? HardState(term: 1, votedFor: 2) : HardState())
        }
    }

    func testDurableRecordEntriesOverwriteSuffixAndSnapshotReplacesLog() {
        var durable = DurableLog(snapshot: .bootstrap(Configuration(voters: [1, 2, 3])))
        durable.apply(snapshot: nil, entries: [entry(1, 1), entry(2, 1), entry(3, 1)], hardState: nil)
        durable.apply(snapshot: nil, entries: [entry(2, 2)], hardState: HardState(term: 2))
        XCTAssertEqual(durable.lastIndex, 2)
        XCTAssertEqual(durable.term(at: 2), 2)
        XCTAssertEqual(durable.hardState.term, 2)
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 5, term: 3, configuration: Configuration(voters: [1, 2, 3])), data: [])
        durable.apply(snapshot: snapshot, entries: [], hardState: nil)
        XCTAssertEqual(durable.lastIndex, 5)
        XCTAssertTrue(durable.holds(LogPosition(index: 5, term: 3)))
        XCTAssertFalse(durable.holds(LogPosition(index: 6, term: 3)))
    }

    func testDurableRecordIsWhatRecoveryReadBack() {
        let snapshot = Snapshot.bootstrap(Configuration(voters: [1, 2, 3]))
        let durable = DurableLog(
            recovered: RecoveredState(
                hardState: HardState(term: 4, votedFor: 1), snapshot: snapshot,
                entries: [entry(1, 2), entry(2, 4)]),
            snapshotData: snapshot.data)
        XCTAssertEqual(durable.lastIndex, 2)
        XCTAssertEqual(durable.hardState, HardState(term: 4, votedFor: 1))
        XCTAssertTrue(durable.holds(LogPosition(index: 2, term: 4)))
        XCTAssertFalse(durable.holds(LogPosition(index: 2, term: 3)))
    }

    func testStateMachineSnapshotRoundTrips() {
        var machine = SimStateMachine(configuration: Configuration(voters: [1, 2, 3]))
        machine.apply(entry(1, 1, 77))
        machine.apply(entry(2, 1, 78))
        machine.apply(entry(3, 1, 77))  // a retry: applied once
        let ids = [Command.id(client: 0, sequence: 77), Command.id(client: 0, sequence: 78)]
        XCTAssertEqual(machine.commands, ids)
        let restored = SimStateMachine(restoring: machine.snapshot())
        XCTAssertEqual(restored.commands, ids)
        XCTAssertTrue(restored.contains(command: ids[1]))
        XCTAssertFalse(restored.contains(command: Command.id(client: 0, sequence: 79)))
        XCTAssertEqual(restored.digest, machine.digest)
        XCTAssertEqual(restored.appliedIndex, 3)
    }

    // MARK: the checkers must be able to fail

    func testTwoLeadersInOneTermIsCaught() {
        let checker = Checker()
        checker.sawLeader(1, term: 4)
        checker.sawLeader(1, term: 4)
        XCTAssertNil(checker.violation)
        checker.sawLeader(2, term: 4)
        XCTAssertEqual(checker.violation?.invariant, "ES")
    }

    func testChangedCommittedEntryIsCaught() {
        let checker = Checker()
        checker.sawCommitted(1, entry: entry(1, 1), nodeTerm: 1)
        checker.sawCommitted(2, entry: entry(1, 1), nodeTerm: 1)
        XCTAssertNil(checker.violation)
        checker.sawCommitted(3, entry: entry(1, 2), nodeTerm: 2)
        XCTAssertEqual(checker.violation?.invariant, "SMS")
    }

    func testDivergentLogsAreCaught() {
        let checker = Checker()
        checker.sawAppend(1, entries: [entry(1, 1), entry(2, 1)], previousTerm: 0)
        checker.sawAppend(2, entries: [entry(1, 1)], previousTerm: 0)
        XCTAssertNil(checker.violation)
        checker.sawAppend(3, entries: [entry(2, 1, 999)], previousTerm: 1)
        XCTAssertEqual(checker.violation?.invariant, "LM")
    }

    func testLeaderMissingACommittedEntryIsCaught() {
        let checker = Checker()
        checker.sawCommitted(1, entry: entry(1, 1), nodeTerm: 1)
        checker.sawCommitted(1, entry: entry(2, 1), nodeTerm: 1)
        checker.checkLeaderCompleteness(2, term: 1, snapshotIndex: 0, lastIndex: 1, termAt: { _ in 1 })
        XCTAssertNil(checker.violation, "a leader of the same or an older term need not hold it")
        checker.checkLeaderCompleteness(2, term: 2, snapshotIndex: 0, lastIndex: 2, termAt: { $0 == 1 ? 1 : 2 })
        XCTAssertEqual(checker.violation?.invariant, "LC")
    }

    func testOptionsAreDrawnFromTheSeedAlone() {
        let a = SimOptions(seed: 99, nodeCount: 3)
        let b = SimOptions(seed: 99, nodeCount: 3)
        XCTAssertEqual(a.description, b.description)
        XCTAssertNotEqual(a.description, SimOptions(seed: 100, nodeCount: 3).description)
    }
}
