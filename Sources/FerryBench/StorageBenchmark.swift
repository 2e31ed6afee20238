import FerryRaft
import FerryStorage

#if canImport(Glibc)
import Glibc
#endif

/// Measures the log's append throughput against the disk's own: for each group-commit batch size,
/// appends of `entryBytes` entries through `RaftStorage` (encode, CRC32C, write, fdatasync per
/// batch), beside a plain `pwrite` + `fdatasync` loop writing the same bytes per batch to a file in
/// the same directory. The ratio is what the log's framing and bookkeeping cost. A third loop appends
/// through `RaftStorage` into a zero-filled spare segment (`SegmentPreparation`, filled before the clock
/// starts), as a node with a quiet log does: what preallocation buys per fsync.
public enum StorageBenchmark {
    public struct Row: Sendable, CustomStringConvertible {
        public var batchEntries: Int
        public var appendsPerSecond: Double
        public var megabytesPerSecond: Double
        public var baselineAppendsPerSecond: Double
        public var baselineMegabytesPerSecond: Double
        /// The log appending into a zero-filled spare segment.
        public var preallocatedAppendsPerSecond: Double
        /// Storage throughput over the plain loop's; the goal is >= 0.8.
        public var ratio: Double { appendsPerSecond / baselineAppendsPerSecond }

        public var description: String {
            func f(_ value: Double, _ digits: Int) -> String {
                let scale = pow(10, Double(digits))
                return String((value * scale).rounded() / scale)
            }
            return "batch \(batchEntries): \(f(appendsPerSecond, 0)) appends/s \(f(megabytesPerSecond, 2)) MB/s | "
                + "write+fdatasync \(f(baselineAppendsPerSecond, 0)) appends/s \(f(baselineMegabytesPerSecond, 2)) MB/s | ratio \(f(ratio, 2))"
                + " | log into a zero-filled segment \(f(preallocatedAppendsPerSecond, 0)) appends/s"
        }
    }

    /// The entry size the issue asks about.
    public static let entryBytesDefault = 1024
    public static let batchSizesDefault = [1, 16, 256]
    /// Wall time each measurement runs: long enough to average many fsyncs, short enough that the
    /// whole run stays a few seconds on a shared machine.
    public static let measureSecondsDefault = 0.5
    /// Rounds per batch size. Each round measures both loops, in alternating order, and the report takes
    /// the median of each: on a shared disk fsync latency swings by 2x between seconds, and a single
    /// back-to-back pair compares two different disks.
    public static let roundsDefault = 5

    /// Runs every batch size in `directory` (created if needed; its files are removed after).
    public static func run(
        directory: String, batchSizes: [Int] = batchSizesDefault, entryBytes: Int = entryBytesDefault,
        measureSeconds: Double = measureSecondsDefault, rounds: Int = roundsDefault
    ) throws -> [Row] {
        precondition(rounds > 0)
        let fileSystem = PosixFileSystem()
        try fileSystem.makeDirectory(directory)
        var rows: [Row] = []
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        for batch in batchSizes {
            var baselines: [Double] = []
            var storages: [Double] = []
            var preallocated: [Double] = []
            for round in 0..<rounds {
                func measurePlain() throws {
                    baselines.append(
                        try measureBaseline(
                            directory: directory, fileSystem: fileSystem, batch: batch,
                            entryBytes: entryBytes, seconds: measureSeconds))
                }
                func measureLog() throws {
                    storages.append(
                        try measureStorage(
                            directory: directory, fileSystem: fileSystem, batch: batch,
                            entryBytes: entryBytes, seconds: measureSeconds, preallocated: false))
                }
                func measurePreallocated() throws {
                    preallocated.append(
                        try measureStorage(
                            directory: directory, fileSystem: fileSystem, batch: batch,
                            entryBytes: entryBytes, seconds: measureSeconds, preallocated: true))
                }
                if round % 2 == 0 {
                    try measurePlain()
                    try measureLog()
                    try measurePreallocated()
                } else {
                    try measurePreallocated()
                    try measureLog()
                    try measurePlain()
                }
            }
            let baseline = median(baselines)
            let storage = median(storages)
            let megabytes = { (appends: Double) in appends * Double(entryBytes) / 1_000_000 }
            rows.append(
                Row(
                    batchEntries: batch, appendsPerSecond: storage, megabytesPerSecond: megabytes(storage),
                    baselineAppendsPerSecond: baseline, baselineMegabytesPerSecond: megabytes(baseline),
                    preallocatedAppendsPerSecond: median(preallocated)))
        }
        return rows
    }

    public static func report(_ rows: [Row]) -> String {
        rows.map(\.description).joined(separator: "\n")
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func measureStorage(
        directory: String, fileSystem: PosixFileSystem, batch: Int, entryBytes: Int,
        seconds: Double, preallocated: Bool
    ) throws -> Double {
        let path = StorageLayout.path(directory, "bench-log")
        try clean(path, fileSystem)
        defer { try? clean(path, fileSystem) }
        let (storage, _, _) = try RaftStorage.open(
            directory: path, fileSystem: fileSystem,
            initialConfiguration: Configuration(voters: [1]))
        defer { storage.close() }
        if preallocated, let spare = storage.nextPreparation() {
            // Segments roll at 64 MiB; the largest batches outrun one, and later segments are created empty.
            storage.completePreparation(spare, spare.performCatching(on: fileSystem))
        }
        let data = [UInt8](repeating: 0xAB, count: entryBytes)
        var index: LogIndex = 1
        let start = now()
        while now() - start < seconds {
            storage.append((0..<batch).map { Entry(index: index + LogIndex($0), term: 1, payload: .command(data)) })
            index += LogIndex(batch)
            let write = try storage.nextWrite()!
            try storage.complete(write, write.performCatching(on: fileSystem))
        }
        return Double(index - 1) / (now() - start)
    }

    private static func measureBaseline(
        directory: String, fileSystem: PosixFileSystem, batch: Int, entryBytes: Int,
        seconds: Double
    ) throws -> Double {
        let path = StorageLayout.path(directory, "bench-plain")
        try clean(path, fileSystem)
        defer { try? clean(path, fileSystem) }
        try fileSystem.makeDirectory(path)
        let handle = try fileSystem.open(StorageLayout.path(path, "plain"), create: true)
        defer { fileSystem.close(handle) }
        let bytes = [UInt8](repeating: 0xAB, count: entryBytes * batch)
        var offset = 0
        var appends = 0
        let start = now()
        while now() - start < seconds {
            try fileSystem.write(handle, at: offset, bytes)
            try fileSystem.sync(handle)
            offset += bytes.count
            appends += batch
        }
        return Double(appends) / (now() - start)
    }

    private static func clean(_ directory: String, _ fileSystem: PosixFileSystem) throws {
        guard let names = try? fileSystem.list(directory) else { return }
        for name in names { try fileSystem.remove(StorageLayout.path(directory, name)) }
        _ = rmdir(directory)
    }
}
