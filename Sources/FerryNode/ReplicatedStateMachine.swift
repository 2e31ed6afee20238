import FerryRaft

/// The application a node replicates. It must be deterministic: the same commands with the same stamps
/// give the same outputs and the same snapshot bytes on every replica. It never reads a clock: time comes
/// from the stamp the leader put on each command.
///
/// A value type (`Sendable`): the node freezes a copy of it at a snapshot's index and `snapshot()` encodes
/// that copy on another thread while the node goes on applying to its own (`SnapshotSave`). So its shared
/// parts must be copy-on-write or immutable.
public protocol ReplicatedStateMachine: Sendable {
    associatedtype Command
    associatedtype Output

    static func encode(_ command: Command) -> [UInt8]
    static func decode(_ bytes: [UInt8]) throws -> Command
    /// Decodes the command starting at `offset` in `bytes` (after the node's stamp in a log entry), where the
    /// machine can without copying it out first.
    static func decode(_ bytes: [UInt8], startingAt offset: Int) throws -> Command

    mutating func apply(_ command: Command, stamp: EntryStamp) -> Output

    func snapshot() -> [UInt8]
    /// `prefix` followed by `snapshot()`, built in one buffer of about `capacityBytes` where the machine can.
    func snapshot(after prefix: [UInt8], capacityBytes: Int) -> [UInt8]
    mutating func restore(from bytes: [UInt8]) throws
    /// Restores from the snapshot starting at `offset` in `bytes` (after the node's session table), where the
    /// machine can without copying it out first: a node's snapshot can be a gigabyte.
    mutating func restore(from bytes: [UInt8], startingAt offset: Int) throws
    /// Restores from the snapshot starting at `offset` in `bytes` and continued by the rest of `source` (a node's
    /// snapshot at start, never held whole), reading `source` to its end. Throws what `source` throws (a chunk that
    /// does not verify); the caller discards the machine then.
    mutating func restore(
        from bytes: [UInt8], startingAt offset: Int, continuedBy source: any SnapshotDataSource) throws

    /// A command the leader should propose now for time-driven work (expiry, delayed messages), if any is
    /// due at `nowMs`. Called on the leader every `NodeOptions.housekeepingIntervalTicks`.
    func housekeeping(nowMs: UInt64) -> Command?
}

extension ReplicatedStateMachine {
    /// Two buffers: machines whose snapshots are small need no more.
    public func snapshot(after prefix: [UInt8], capacityBytes: Int) -> [UInt8] { prefix + snapshot() }
    /// A copy of the rest: machines whose snapshots are small need no more.
    public mutating func restore(from bytes: [UInt8], startingAt offset: Int) throws {
        try restore(from: Array(bytes[offset...]))
    }
    /// The snapshot gathered in one buffer: machines whose snapshots are small need no more.
    public mutating func restore(
        from bytes: [UInt8], startingAt offset: Int, continuedBy source: any SnapshotDataSource
    ) throws {
        try restore(from: Array(bytes[offset...]) + source.readAll())
    }
    /// A copy of the rest: machines whose commands are small need no more.
    public static func decode(_ bytes: [UInt8], startingAt offset: Int) throws -> Command {
        try decode(Array(bytes[offset...]))
    }
}

/// Where and when a command was committed: the log index and the leader's wall-clock stamp.
public struct EntryStamp: Hashable, Sendable {
    public var index: LogIndex
    public var timeMs: UInt64
    public init(index: LogIndex, timeMs: UInt64) {
        self.index = index
        self.timeMs = timeMs
    }
}

/// What a log entry's command bytes hold: the leader's stamp, the submitting node's session and sequence
/// (0 and 0 for the leader's own housekeeping, which is never deduplicated), and the application's command.
/// Layout: timeMs u64, session u64, sequence u64, then the command bytes to the end.
struct LogCommand {
    var timeMs: UInt64
    var session: UInt64
    var sequence: UInt64
    var body: [UInt8]

    static let headerBytes = 24

    func encoded() -> [UInt8] {
        var writer = LittleEndianWriter(capacity: Self.headerBytes + body.count)
        writer.write(timeMs)
        writer.write(session)
        writer.write(sequence)
        writer.writeRaw(body)
        return writer.bytes
    }

    /// The stamp, session and sequence of a log command's `bytes`. Its body stays where it is, from `headerBytes`
    /// on, for the machine to decode there: copying it out was an allocation and a copy of every command on
    /// every replica (a 1 KiB send's body twice, with the machine's own copy).
    static func decodeHeader(_ bytes: [UInt8]) throws(WireError) -> (timeMs: UInt64, session: UInt64, sequence: UInt64)
    {
        var reader = LittleEndianReader(bytes)
        let time = try reader.readUInt64()
        let session = try reader.readUInt64()
        let sequence = try reader.readUInt64()
        guard (session == 0) == (sequence == 0) else {
            throw .invalidValue("session \(session) with sequence \(sequence)")
        }
        return (time, session, sequence)
    }
}
