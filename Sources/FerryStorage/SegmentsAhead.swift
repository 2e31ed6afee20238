import FerryRaft

/// A log's segments, read one at a time in order, so that recovery holds the segment it is replaying
/// rather than the whole log. Some decisions need the newest durability witness in the whole log
/// (`RecoveryScan`): for those it reads ahead only as far as the answer requires, keeping what it read
/// for later. Every path that ends the replay early reads the rest first (`rest()`), so a segment
/// that cannot be read is reported exactly as when every segment was read before replaying any.
struct SegmentsAhead {
    private let fileSystem: FileSystem
    private var unread: [(sequence: UInt64, path: String)]
    private var readAhead: [SegmentScan] = []
    /// Entries at or below this index are not decoded (`SegmentScan.decodedAbove`): the snapshot's.
    private let decodedAbove: LogIndex
    /// The newest witness among the segments read so far; the whole log's once all are read.
    private(set) var witness = LogCursor.zero

    init(unread: [(sequence: UInt64, path: String)], decodedAbove: LogIndex, fileSystem: FileSystem) {
        self.unread = unread.reversed()
        self.decodedAbove = decodedAbove
        self.fileSystem = fileSystem
    }

    /// The next segment in order, nil after the last.
    mutating func next() throws(StorageError) -> SegmentScan? {
        if readAhead.isEmpty, !(try readOne()) { return nil }
        return readAhead.removeFirst()
    }

    /// Whether the whole log's newest witness lies past `cursor`.
    mutating func witnessPasses(_ cursor: LogCursor) throws(StorageError) -> Bool {
        while witness <= cursor, try readOne() {}
        return witness > cursor
    }

    /// Whether the whole log's newest witness lies in segment `sequence`, past `offset`.
    mutating func witnessInside(segment sequence: UInt64, past offset: Int) throws(StorageError) -> Bool {
        guard !(try witnessPasses(LogCursor(segment: sequence, offset: Int.max))) else { return false }
        return witness.segment == sequence && offset < witness.offset
    }

    /// Every segment not yet handed out by `next()`, reading those still unread; `witness` is then the log's.
    mutating func rest() throws(StorageError) -> [SegmentScan] {
        while try readOne() {}
        return readAhead
    }

    private mutating func readOne() throws(StorageError) -> Bool {
        guard let segment = unread.popLast() else { return false }
        let scan = try SegmentScan.read(
            sequence: segment.sequence, path: segment.path, decodedAbove: decodedAbove, fileSystem: fileSystem)
        witness = max(witness, scan.witness)
        readAhead.append(scan)
        return true
    }
}
