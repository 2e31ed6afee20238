import XCTest

@testable import FerryRaft

/// Log compaction and InstallSnapshot (Raft §7), sent in bounded chunks.
final class SnapshotTests: XCTestCase {
    /// Compacts `id`'s log at its applied index with a snapshot whose data is `size` bytes.
    func compact(_ cluster: inout TestCluster, _ id: NodeID, size: Int) -> Snapshot {
        var node = cluster.nodes[id]!
        let snapshot = node.makeSnapshot(at: node.appliedIndex, data: (0..<size).map { UInt8(truncatingIfNeeded: $0) })
        cluster.disks[id]!.snapshot = snapshot
        cluster.disks[id]!.entries.removeAll { $0.index <= snapshot.metadata.index }
        node.compact(to: snapshot)
        cluster.nodes[id] = node
        return snapshot
    }

    /// Leader 1 compacts `proposals` commands into a snapshot of 1000 bytes while node 3 is cut off: node 3 can
    /// catch up only from the snapshot.
    func leaveNode3BehindASnapshot(_ cluster: inout TestCluster, proposals: Int = 10) -> Snapshot {
        cluster.campaign(1)
        cluster.isolate(3)
        for i in 0..<proposals { try! cluster.propose("c\(i)", at: 1) }
        return compact(&cluster, 1, size: 1000)
    }

    func testLaggingFollowerCatchesUpFromASnapshotSentInChunks() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.snapshotChunkBytesMax = 100 }
        let snapshot = leaveNode3BehindASnapshot(&cluster)
        XCTAssertEqual(cluster.node(1).firstIndex, snapshot.metadata.index + 1)
        cluster.heal()
        try! cluster.propose("after", at: 1)
        cluster.tick(20)
        let chunks = cluster.delivered.filter {
            if case .snapshotChunk = $0.message { return $0.to == 3 } else { return false }
        }
        XCTAssertGreaterThanOrEqual(chunks.count, 10, "1000 bytes in chunks of at most 100")
        XCTAssertEqual(cluster.disks[3]!.snapshot.metadata, snapshot.metadata)
        XCTAssertEqual(cluster.disks[3]!.snapshot.data, snapshot.data)
        XCTAssertEqual(cluster.node(3).commitIndex, cluster.node(1).commitIndex)
        XCTAssertEqual(cluster.commands(3), ["after"], "entries after the snapshot are applied on top of it")
    }

    func testALeaderKeepsNoSnapshotDataAndReadsEveryChunkFromItsDisk() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.snapshotChunkBytesMax = 100 }
        let snapshot = leaveNode3BehindASnapshot(&cluster)

        XCTAssertEqual(cluster.node(1).log.snapshot, StoredSnapshot(metadata: snapshot.metadata, sizeBytes: 1000))
        XCTAssertLessThan(
            longestByteArray(in: cluster.node(1)), 100, "nothing in the leader's memory is near the data's size")

        cluster.heal()
        cluster.tick(20)
        XCTAssertEqual(cluster.disks[3]!.snapshot, snapshot)
        XCTAssertGreaterThanOrEqual(
            cluster.disks[1]!.file.chunksRead, 10, "1000 bytes read from the disk in chunks of 100")
        XCTAssertLessThan(longestByteArray(in: cluster.node(1)), 1000)
    }

    func testAFollowerFarBehindGetsTheWholeSnapshotFromALeaderThatRestarted() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.snapshotChunkBytesMax = 64 }
        let snapshot = leaveNode3BehindASnapshot(&cluster, proposals: 20)
        // The whole majority restarts (node 2 would otherwise refuse the vote while it remembers leader 1).
        for id: NodeID in [1, 2] { cluster.crash(id) }
        for id: NodeID in [1, 2] { cluster.restart(id) }
        XCTAssertEqual(cluster.node(1).log.snapshot, snapshot.stored, "recovered: the position and size, not the data")
        cluster.campaign(1)
        XCTAssertEqual(cluster.leaders, [1])

        cluster.heal()
        try! cluster.propose("after", at: 1)
        cluster.tick(30)
        let chunks = cluster.delivered.filter {
            if case .snapshotChunk = $0.message { return $0.to == 3 } else { return false }
        }
        XCTAssertGreaterThanOrEqual(chunks.count, 16, "1000 bytes in chunks of at most 64")
        XCTAssertEqual(cluster.disks[3]!.snapshot, snapshot, "every byte, from the restarted leader's disk")
        XCTAssertEqual(cluster.commands(3), ["after"])
        XCTAssertEqual(cluster.node(3).commitIndex, cluster.node(1).commitIndex)
    }

    func testASnapshotTheDiskCannotServeIsRetriedNotSentShort() {
        var cluster = TestCluster(voters: [1, 2, 3]) { $0.snapshotChunkBytesMax = 100 }
        let snapshot = leaveNode3BehindASnapshot(&cluster)
        let served = cluster.disks[1]!.file.snapshot
        cluster.disks[1]!.file.snapshot = .bootstrap(snapshot.metadata.configuration)  // the file is not that one
        cluster.heal()
        cluster.tick(10)
        XCTAssertFalse(
            cluster.delivered.contains { if case .snapshotChunk = $0.message { return true } else { return false } })
        XCTAssertLessThan(cluster.node(3).commitIndex, snapshot.metadata.index, "still behind")

        cluster.disks[1]!.file.snapshot = served
        cluster.tick(20)
        XCTAssertEqual(cluster.disks[3]!.snapshot, snapshot, "sent once the disk serves it")
    }

    /// The longest `[UInt8]` held by value anywhere in `value` (class references, such as the disk, are not followed).
    private func longestByteArray(in value: Any) -> Int {
        if let bytes = value as? [UInt8] { return bytes.count }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .class { return 0 }
        return mirror.children.map { longestByteArray(in: $0.value) }.max() ?? 0
    }

    func testAnOlderSnapshotNeverRollsBackNewerState() {
        // Bug 16: a delayed or duplicated InstallSnapshot for an index at or below the commit index is ignored.
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        for i in 0..<5 { try! cluster.propose("c\(i)", at: 1) }
        cluster.tick(5)
        var n2 = cluster.nodes[2]!
        let commitBefore = n2.commitIndex
        let old = SnapshotMetadata(index: 2, term: n2.term(at: 2)!, configuration: n2.configuration)
        n2.step(
            Envelope(
                from: 1, to: 2,
                message: .snapshotChunk(
                    SnapshotChunk(
                        term: n2.term, metadata: old, offset: 0, data: [1, 2, 3], totalBytes: 3))))
        let ready = n2.ready()
        XCTAssertNil(ready.snapshot)
        XCTAssertEqual(n2.commitIndex, commitBefore)
        XCTAssertEqual(n2.firstIndex, 1)
    }

    func testChunksOutOfOrderAreReassembledExactly() {
        var node = RaftNode(
            options: RaftOptions(id: 2),
            recovered: RecoveredState(
                hardState: HardState(term: 1), snapshot: .bootstrap(Configuration(voters: [1, 2, 3])), entries: []),
            random: SeededGenerator(seed: 1), snapshotSource: nil)
        let metadata = SnapshotMetadata(index: 9, term: 1, configuration: Configuration(voters: [1, 2, 3]))
        let data: [UInt8] = Array(0..<30)
        func chunk(_ offset: Int) -> Envelope {
            Envelope(
                from: 1, to: 2,
                message: .snapshotChunk(
                    SnapshotChunk(
                        term: 1, metadata: metadata, offset: offset, data: Array(data[offset..<offset + 10]),
                        totalBytes: 30)))
        }
        node.step(chunk(10))  // no start yet: asks for offset 0
        node.step(chunk(0))
        node.step(chunk(20))  // gap: asks for 10
        node.step(chunk(10))
        node.step(chunk(20))
        let ready = node.ready()
        XCTAssertEqual(ready.snapshot?.data, data)
        XCTAssertEqual(node.commitIndex, 9)
    }

    func testRestartFromSnapshotReappliesOnlyTheEntriesAfterIt() {
        var cluster = TestCluster(voters: [1, 2, 3])
        cluster.campaign(1)
        for i in 0..<4 { try! cluster.propose("a\(i)", at: 1) }
        cluster.tick(5)
        _ = compact(&cluster, 2, size: 10)
        try! cluster.propose("b", at: 1)
        cluster.tick(5)
        cluster.crash(2)
        cluster.restart(2)
        cluster.tick(5)
        XCTAssertEqual(cluster.commands(2), ["b"])
        XCTAssertEqual(cluster.node(2).appliedIndex, cluster.node(1).commitIndex)
    }
}
