import FerryRaft

/// The files of one node's data directory, and how their names encode what they hold.
///
/// ```
/// wal-0000000000000007.log                                 log segment number 7 (hex, 16 digits)
/// hardstate                                                 term, vote, commit hint (atomic)
/// snapshot-00000000000003e8-0000000000000005.snap           snapshot at index 1000, term 5 (atomic)
/// *.tmp                                                     an atomic write cut short by a crash
/// wal-spare-0000000000000001.log.tmp                        a spare: the next segment, zero-filled ahead of need
/// ```
/// Fixed-width hex keeps lexicographic order equal to numeric order, so a sorted listing is
/// already in log order.
public enum StorageLayout {
    public static let hardStateName = "hardstate"
    public static let temporarySuffix = ".tmp"
    static let segmentPrefix = "wal-"
    static let segmentSuffix = ".log"
    static let sparePrefix = "wal-spare-"
    static let snapshotPrefix = "snapshot-"
    static let snapshotSuffix = ".snap"

    /// Spare segment `number` of this run (`SegmentPreparation`). A temporary name: recovery removes a spare
    /// it finds, ready or not. Numbered, so a new spare never shares a name with one whose rename into place
    /// is still in flight.
    public static func spareSegmentName(number: UInt64) -> String {
        sparePrefix + hex16(number) + segmentSuffix + temporarySuffix
    }

    public static func isSpareSegmentName(_ name: String) -> Bool {
        name.hasPrefix(sparePrefix) && name.hasSuffix(temporarySuffix)
    }

    public static func segmentName(sequence: UInt64) -> String {
        segmentPrefix + hex16(sequence) + segmentSuffix
    }

    public static func segmentSequence(ofName name: String) -> UInt64? {
        guard name.hasPrefix(segmentPrefix), name.hasSuffix(segmentSuffix) else { return nil }
        let digits = name.dropFirst(segmentPrefix.count).dropLast(segmentSuffix.count)
        guard digits.count == 16 else { return nil }
        return UInt64(digits, radix: 16)
    }

    public static func snapshotName(index: LogIndex, term: Term) -> String {
        snapshotPrefix + hex16(index) + "-" + hex16(term) + snapshotSuffix
    }

    /// The index and term a snapshot file name claims; the file's checksummed contents must agree.
    public static func snapshotPosition(ofName name: String) -> (index: LogIndex, term: Term)? {
        guard name.hasPrefix(snapshotPrefix), name.hasSuffix(snapshotSuffix) else { return nil }
        let middle = name.dropFirst(snapshotPrefix.count).dropLast(snapshotSuffix.count)
        let parts = middle.split(separator: "-")
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16,
            let index = UInt64(parts[0], radix: 16), let term = UInt64(parts[1], radix: 16)
        else { return nil }
        return (index, term)
    }

    public static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The parent directory of an absolute path.
    public static func directory(of path: String) -> String {
        // Over UTF-8 bytes: searching Characters breaks graphemes, a few percent of a simulation's time.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
