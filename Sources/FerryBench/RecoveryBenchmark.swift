import FerryRaft
import FerryStorage

/// How long `RaftStorage.open` takes to recover a log of a given size: the start of a node after a restart.
/// `prepare` writes the log once (with the production segment size and a spare segment, so the active
/// segment is mostly preallocated zeros); `open` then recovers it, as often as asked.
public enum RecoveryBenchmark {
    public static let entryCountDefault = 200_000
    public static let entryBytesDefault = 256

    /// Writes `entryCount` entries of `entryBytes` in batches of 64 into a fresh log at `directory`.
    public static func prepare(
        directory: String, entryCount: Int = entryCountDefault,
        entryBytes: Int = entryBytesDefault
    ) throws {
        let fileSystem = PosixFileSystem()
        for name in (try? fileSystem.list(directory)) ?? [] {
            try fileSystem.remove(StorageLayout.path(directory, name))
        }
        let (storage, _, _) = try RaftStorage.open(
            directory: directory, fileSystem: fileSystem,
            initialConfiguration: Configuration(voters: [1]))
        defer { storage.close() }
        let data = [UInt8](repeating: 0xAB, count: entryBytes)
        var index: LogIndex = 1
        while index <= LogIndex(entryCount) {
            if let spare = storage.nextPreparation() {
                storage.completePreparation(spare, spare.performCatching(on: fileSystem))
            }
            let batch = min(64, entryCount - Int(index) + 1)
            storage.append((0..<batch).map { Entry(index: index + LogIndex($0), term: 1, payload: .command(data)) })
            index += LogIndex(batch)
            let write = try storage.nextWrite()!
            try storage.complete(write, write.performCatching(on: fileSystem))
        }
    }

    /// Recovers the log at `directory` `times` times; the seconds of each open and the entries it recovered.
    public static func open(directory: String, times: Int) throws -> [(seconds: Double, entries: Int)] {
        let fileSystem = PosixFileSystem()
        return try (0..<times).map { _ in
            let start = StorageBenchmark.now()
            let (storage, state, _) = try RaftStorage.open(
                directory: directory, fileSystem: fileSystem,
                initialConfiguration: Configuration(voters: [1]))
            let seconds = StorageBenchmark.now() - start
            storage.close()
            return (seconds, state.entries.count)
        }
    }
}
