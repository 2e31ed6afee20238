import FerryRaft
import XCTest

@testable import FerryStorage
@testable import FerryStorageTesting

let testDirectory = "/data/node1"
let testConfiguration = Configuration(voters: [1, 2, 3])

/// A deterministic payload for entry `index`, so a check can tell a right entry from a wrong one
/// byte for byte.
func payload(_ index: LogIndex, sizeBytes: Int = 40) -> [UInt8] {
    var random = SplitMix64(seed: index)
    return (0..<sizeBytes).map { _ in UInt8(truncatingIfNeeded: random.next()) }
}

func entries(_ range: ClosedRange<LogIndex>, term: Term, sizeBytes: Int = 40) -> [Entry] {
    range.map { Entry(index: $0, term: term, payload: .command(payload($0, sizeBytes: sizeBytes))) }
}

/// One node's storage on a simulated disk, with the steps a test needs spelled out.
final class StorageUnderTest {
    let disk: SimulatedFileSystem
    let options: StorageOptions
    private(set) var storage: RaftStorage
    private(set) var recovered: RecoveredState
    private(set) var report: RecoveryReport

    init(seed: UInt64 = 1, faults: DiskFaults = .crashOnly, options: StorageOptions = .testing()) throws {
        disk = SimulatedFileSystem(random: SplitMix64(seed: seed), faults: faults)
        self.options = options
        (storage, recovered, report) = try RaftStorage.open(
            directory: testDirectory, fileSystem: disk, options: options,
            initialConfiguration: testConfiguration)
    }

    /// The recovered snapshot with its data, read whole from `recovered.snapshotData` (once per start).
    func recoveredSnapshot() throws -> Snapshot {
        Snapshot(metadata: recovered.snapshot.metadata, data: try recovered.snapshotData.readAll())
    }

    /// Performs everything staged and completes it: the node's persist step, with an instant fsync.
    @discardableResult
    func persist() throws -> DurableWrite? {
        guard let write = try storage.nextWrite() else { return nil }
        try storage.complete(write, write.performCatching(on: disk))
        return write
    }

    /// Power loss, then a restart that recovers from what the disk kept.
    func crashAndRestart() throws {
        disk.crash()
        try restart()
    }

    /// A restart without power loss (the process exited; the disk kept everything it was given).
    func restart() throws {
        (storage, recovered, report) = try RaftStorage.open(
            directory: testDirectory, fileSystem: disk, options: options,
            initialConfiguration: testConfiguration)
    }

    /// Opens the directory as a restart would, returning the error instead of throwing it.
    func reopenError() -> StorageError? {
        do {
            try restart()
            return nil
        } catch { return error as? StorageError }
    }

    func segmentPaths() throws -> [String] {
        try disk.list(testDirectory).filter { StorageLayout.segmentSequence(ofName: $0) != nil }.map {
            testDirectory + "/" + $0
        }
    }

    func files() throws -> [String] { try disk.list(testDirectory) }
}

/// The byte offset of the record for `index` in a segment written only by `entries(...)` of equal
/// size (no resets): records are laid end to end.
func recordOffset(ofIndex index: LogIndex, firstIndex: LogIndex, payloadBytes: Int = 40) -> Int {
    // payload encoding: tag (1) + length (4) + bytes.
    Int(index - firstIndex) * (WALRecord.headerBytes + 5 + payloadBytes)
}

extension StorageUnderTest {
    /// Opens the directory as a restart would and expects recovery to refuse it as corruption naming
    /// `file` and `offset` (never a shorter log).
    func assertRefusesAsCorruption(
        file expectedFile: String, offset expectedOffset: Int, _ message: String,
        filePath: StaticString = #filePath, line: UInt = #line
    ) {
        guard case .corruption(let file, let offset, _) = reopenError() else {
            return XCTFail("\(message): recovery must refuse the disk, not shorten its log", file: filePath, line: line)
        }
        XCTAssertEqual(file, expectedFile, message, file: filePath, line: line)
        XCTAssertEqual(offset, expectedOffset, message, file: filePath, line: line)
    }
}

/// Storage holding entries 1...200 (term 1) in 1 KiB segments, written and synced 10 at a time.
func storageFilledWith200Entries() throws -> StorageUnderTest {
    let node = try StorageUnderTest(options: .testing(segmentBytesMax: 1024))
    for start in stride(from: 1, through: 191, by: 10) as StrideThrough<LogIndex> {
        node.storage.append(entries(start...(start + 9), term: 1))
        try node.persist()
    }
    return node
}
