import XCTest

@testable import FerryRaft

/// Entry payloads leave memory once applied and durable, past a bounded cache
/// (`RaftOptions.appliedEntriesCacheBytesMax`); a leader reads what a lagging follower needs back from its disk
/// (`LogEntrySource`), as it reads snapshot chunks.
final class ReleasedEntriesTests: XCTestCase {
    let commands = (0..<20).map { "c\($0)" }

    /// Leader 1 commits `commands` with node 2 while node 3 is cut off; applied entries keep no payload.
    func leaveNode3Behind(_ cluster: inout TestCluster) {
        cluster.campaign(1)
        cluster.isolate(3)
        for command in commands { try! cluster.propose(command, at: 1) }
        cluster.tick(2)
    }

    func testALaggingFollowerCatchesUpFromEntriesNoLongerInTheLeadersMemory() {
        var cluster = TestCluster(voters: [1, 2, 3]) {
            $0.appliedEntriesCacheBytesMax = 0
            $0.appendEntriesMax = 4
        }
        leaveNode3Behind(&cluster)
        XCTAssertEqual(cluster.node(1).appliedIndex, cluster.node(1).lastIndex)
        XCTAssertNil(cluster.node(1).entry(at: 2), "applied and durable: the payload left memory")
        XCTAssertEqual(cluster.node(1).retainedEntryBytes, 0)
        XCTAssertEqual(cluster.node(1).firstIndex, 1, "no snapshot: the log still holds every entry, on disk")

        cluster.heal()
        cluster.tick(20)
        XCTAssertEqual(cluster.commands(3), commands)
        XCTAssertEqual(cluster.node(3).commitIndex, cluster.node(1).commitIndex)
        XCTAssertGreaterThanOrEqual(cluster.disks[1]!.log.entriesRead, commands.count, "read back from the disk")
        XCTAssertFalse(cluster.delivered.contains { if case .snapshotChunk = $0.message { true } else { false } })
    }

    func testAReadStorageCannotServeIsRetriedOnALaterHeartbeat() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.appliedEntriesCacheBytesMax = 0 }
        leaveNode3Behind(&cluster)
        cluster.disks[1]!.log.failsReads = true
        cluster.heal()
        cluster.tick(20)
        XCTAssertEqual(cluster.commands(3), [], "nothing to send while the disk cannot serve it")
        XCTAssertEqual(cluster.leaders, [1], "and the leader stays up")

        cluster.disks[1]!.log.failsReads = false
        cluster.tick(20)
        XCTAssertEqual(cluster.commands(3), commands)
    }

    func testEntriesServedThatAreNotThisLogsAreNeverSent() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.appliedEntriesCacheBytesMax = 0 }
        leaveNode3Behind(&cluster)
        let log = cluster.disks[1]!.log
        let good = log.entries
        log.entries = good.map { Entry(index: $0.index, term: $0.term + 7, payload: $0.payload) }
        cluster.heal()
        cluster.tick(20)
        XCTAssertEqual(cluster.commands(3), [], "a term that does not match the leader's log is a bad read")

        log.entries = good
        cluster.tick(20)
        XCTAssertEqual(cluster.commands(3), commands)
    }

    func testARestartedLeaderReleasesWhatItReplayedAndServesItFromDisk() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.appliedEntriesCacheBytesMax = 0 }
        leaveNode3Behind(&cluster)
        for id: NodeID in [1, 2] { cluster.crash(id) }
        for id: NodeID in [1, 2] { cluster.restart(id) }
        cluster.campaign(1)
        XCTAssertEqual(cluster.leaders, [1])
        XCTAssertEqual(cluster.commands(1), commands, "replayed from the recovered log")
        XCTAssertNil(cluster.node(1).entry(at: 2), "replayed entries leave memory once applied")

        cluster.heal()
        cluster.tick(20)
        XCTAssertEqual(cluster.commands(3), commands)
    }

    func testPayloadsInMemoryAfterApplyAreBoundedByTheCache() {
        let cacheBytes = 1000
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.appliedEntriesCacheBytesMax = cacheBytes }
        cluster.campaign(1)
        let command = String(repeating: "x", count: 100)
        for _ in 0..<200 { try! cluster.propose(command, at: 1) }
        cluster.tick(2)
        for id in cluster.ids {
            let node = cluster.node(id)
            XCTAssertEqual(node.appliedIndex, node.lastIndex)
            XCTAssertLessThanOrEqual(node.retainedEntryBytes, cacheBytes, "node \(id): 200 × 124 B written")
            XCTAssertGreaterThan(node.retainedEntryBytes, cacheBytes - 124, "node \(id): the newest stay cached")
            XCTAssertNotNil(node.entry(at: node.lastIndex))
        }
    }

    func testEntriesNotYetAppliedKeepTheirPayloads() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.appliedEntriesCacheBytesMax = 0 }
        cluster.campaign(1)
        cluster.isolate(2)
        cluster.isolate(3)
        for command in commands { try? cluster.propose(command, at: 1) }
        let leader = cluster.node(1)
        XCTAssertEqual(leader.commitIndex, 1, "no quorum: only the leader's first entry committed")
        for index in leader.commitIndex + 1...leader.lastIndex {
            XCTAssertNotNil(leader.entry(at: index), "uncommitted entry \(index) stays in memory")
        }
    }

    func testWithoutAnEntrySourceEveryPayloadStays() throws {
        var options = RaftOptions(id: 1)
        options.appliedEntriesCacheBytesMax = 0
        let configuration = Configuration(voters: [1])
        let entries = (1...5).map { Entry(index: $0, term: 1, payload: .command([UInt8($0)])) }
        var node = RaftNode(
            options: options,
            recovered: RecoveredState(
                hardState: HardState(term: 1, votedFor: 1, commit: 5), snapshot: .bootstrap(configuration),
                entries: entries),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        let ready = node.ready()
        XCTAssertEqual(ready.committedEntries, entries)
        node.advance(ready)
        XCTAssertEqual(node.appliedIndex, 5)
        XCTAssertEqual(node.entry(at: 1), entries[0], "nothing could serve it again")
    }
}
