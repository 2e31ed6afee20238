/// Tunables of one node's storage. Defaults are for production; tests shrink them to reach
/// segment rolls and compaction with little data.
public struct StorageOptions: Sendable {
    /// A segment is closed and the next one started once a record would take it past this size.
    /// Bounds what recovery reads into memory per file, and how much space one compaction step
    /// can free.
    public var segmentBytesMax: Int
    /// The commit index in the hard state is only a hint (see `HardState`): a change of commit
    /// alone rewrites the hard-state file (two more fsyncs) only once it is this many entries ahead
    /// of the stored one, so steady traffic pays one log fsync per batch. Term and vote changes are
    /// always written at once.
    public var commitHintLagEntriesMax: UInt64
    /// Keep the next segment ready as a zero-filled spare file (`SegmentPreparation`), so appends rewrite
    /// bytes already on disk and their fdatasync writes only the data. Costs one extra segment of disk space.
    /// Off for copy-on-write file systems (ZFS, btrfs), where every write allocates anyway.
    public var preallocateSegments: Bool

    public init(
        segmentBytesMax: Int = 64 << 20, commitHintLagEntriesMax: UInt64 = 4096,
        preallocateSegments: Bool = true
    ) {
        precondition(segmentBytesMax >= Self.segmentBytesMin, "segmentBytesMax below segmentBytesMin")
        precondition(segmentBytesMax <= Self.segmentBytesLimit, "segmentBytesMax above segmentBytesLimit")
        self.segmentBytesMax = segmentBytesMax
        self.commitHintLagEntriesMax = commitHintLagEntriesMax
        self.preallocateSegments = preallocateSegments
    }

    /// The smallest segment bound accepted: a few records. A record larger than the bound still
    /// goes whole into a segment of its own.
    public static let segmentBytesMin = 256
    /// The largest segment bound accepted: a record's offset in its segment fits 32 bits (`EntryLocation`).
    public static let segmentBytesLimit = 1 << 31

    /// Small segments and an always-written commit hint, for tests that want many rolls.
    public static func testing(segmentBytesMax: Int = 4096, preallocateSegments: Bool = false) -> StorageOptions {
        StorageOptions(
            segmentBytesMax: segmentBytesMax, commitHintLagEntriesMax: 0,
            preallocateSegments: preallocateSegments)
    }
}
