import FerryStorage

/// The fault profile of a `SimulatedFileSystem`: what the disk does to data, with what odds.
/// Probabilities are per operation; each draw comes from the generator the disk was given.
public struct DiskFaults: Sendable {
    /// At a crash, the chance that one unsynced write reached the platter whole...
    public var crashKeepWriteProbability: Double
    /// ...or torn: a random subset of its sectors written, the rest left as they were. Otherwise the
    /// write is lost whole.
    public var crashTearWriteProbability: Double
    /// The chance that a read returns one flipped bit (the bytes at rest stay intact).
    public var readBitFlipProbability: Double
    /// The chance that a write lands at the wrong offset of its file (whole sectors away).
    public var misdirectedWriteProbability: Double
    /// The chance that an fsync fails with EIO, dropping the dirty data it covered (fsyncgate).
    public var syncFailureProbability: Double
    /// The disk's size: a write that would grow the total of all files past it fails with ENOSPC.
    public var capacityBytes: Int

    /// The unit of a torn write: real disks persist whole 512-byte sectors or not at all.
    public static let sectorBytes = 512

    public init(
        crashKeepWriteProbability: Double = 0.3, crashTearWriteProbability: Double = 0.3,
        readBitFlipProbability: Double = 0, misdirectedWriteProbability: Double = 0,
        syncFailureProbability: Double = 0, capacityBytes: Int = Int.max
    ) {
        precondition(crashKeepWriteProbability + crashTearWriteProbability <= 1, "crash outcome odds exceed 1")
        self.crashKeepWriteProbability = crashKeepWriteProbability
        self.crashTearWriteProbability = crashTearWriteProbability
        self.readBitFlipProbability = readBitFlipProbability
        self.misdirectedWriteProbability = misdirectedWriteProbability
        self.syncFailureProbability = syncFailureProbability
        self.capacityBytes = capacityBytes
    }

    /// Crashes lose or tear unsynced writes; nothing else goes wrong.
    public static let crashOnly = DiskFaults()
}
