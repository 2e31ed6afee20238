import FerryNode
import FerryQueue
import FerryRaft

/// The SQS queue machine as the state a node replicates.
public struct QueueReplica: ReplicatedStateMachine {
    public private(set) var queues: QueueMachine
    /// The leader proposes the housekeeping command (retention, dedup windows, move tasks) at most this often.
    public static let housekeepingPeriodMs: Int64 = 1_000
    var lastHousekeepingMs: Int64 = 0

    public init(config: QueueMachine.Config) {
        queues = QueueMachine(config: config)
    }

    public static func encode(_ command: QueueCommand) -> [UInt8] { command.encode() }
    public static func decode(_ bytes: [UInt8]) throws -> QueueCommand { try QueueCommand.decode(bytes) }
    public static func decode(_ bytes: [UInt8], startingAt offset: Int) throws -> QueueCommand {
        try QueueCommand.decode(bytes, startingAt: offset)
    }

    public mutating func apply(_ command: QueueCommand, stamp: EntryStamp) -> QueueResult {
        let time = Int64(clamping: stamp.timeMs)
        if case .tick = command { lastHousekeepingMs = max(lastHousekeepingMs, time) }
        return queues.apply(command, at: CommandStamp(logIndex: stamp.index, timeMs: time))
    }

    public func snapshot() -> [UInt8] { queues.snapshot() }
    public func snapshot(after prefix: [UInt8], capacityBytes: Int) -> [UInt8] {
        queues.snapshot(after: prefix, capacityBytes: capacityBytes)
    }
    public mutating func restore(from bytes: [UInt8]) throws { try queues.restore(from: bytes) }
    public mutating func restore(from bytes: [UInt8], startingAt offset: Int) throws {
        try queues.restore(from: bytes, startingAt: offset)
    }
    /// Decoded as the chunks arrive: at a million queued messages the data is most of a gigabyte.
    public mutating func restore(
        from bytes: [UInt8], startingAt offset: Int, continuedBy source: any SnapshotDataSource
    ) throws {
        var reader = VarintReader(
            bytes, offset: offset, thenChunks: source.nextChunk, unreadBytes: source.sizeBytes - bytes.count)
        try queues.restore(from: &reader)
    }

    public func housekeeping(nowMs: UInt64) -> QueueCommand? {
        Int64(clamping: nowMs) - lastHousekeepingMs >= Self.housekeepingPeriodMs ? .tick : nil
    }
}
