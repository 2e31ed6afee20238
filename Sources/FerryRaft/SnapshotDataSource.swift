/// A recovered snapshot's data, read front to back a bounded chunk at a time: at a million queued messages the
/// data is most of a gigabyte, and holding it whole at start doubled a node's peak memory. Storage's sources
/// throw a named corruption error for data that does not verify: one verifies every chunk against the checksums
/// of a file whose whole checksum it verified at open (the disk may misread between the two reads); the other,
/// read while the file is verified, gives out the last chunk only once the whole file's checksum matched.
///
/// Read once, on the node's thread, before the node starts; a state decoded from it is used only once
/// `nextChunk()` has returned `[]`, and whatever a chunk says may be false until then.
public protocol SnapshotDataSource: AnyObject, Sendable {
    /// The data's size.
    var sizeBytes: Int { get }
    /// The next bytes of the data; `[]` once all of it was read and verified.
    func nextChunk() throws -> [UInt8]
}

extension SnapshotDataSource {
    /// The rest of the data in one buffer: for machines and tests whose snapshots are small.
    public func readAll() throws -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(sizeBytes)
        while true {
            let chunk = try nextChunk()
            if chunk.isEmpty { return data }
            data += chunk
        }
    }
}

/// Snapshot data already in memory (a test's, a simulated node's), served as one chunk.
public final class InMemorySnapshotData: SnapshotDataSource, @unchecked Sendable {
    public let sizeBytes: Int
    // Read once, on one thread (the protocol's contract): never shared while it changes.
    private var unread: [UInt8]?

    public init(_ data: [UInt8]) {
        sizeBytes = data.count
        unread = data
    }

    public func nextChunk() throws -> [UInt8] {
        defer { unread = nil }
        return unread ?? []
    }
}
