/// Binary encoding of peer messages (the payload of one frame on a peer link).
///
/// Layout: from u64, to u64, tag u8, then the payload's fields in declaration order. Booleans are one
/// byte (0 or 1); optional indexes are a presence byte then the value. Decoding never traps on bad
/// input and checks every count against a bound.
public enum RaftWireLimits {
    /// Entries in one AppendEntries; above RaftOptions.appendEntriesMax with room to spare.
    public static let appendEntriesMax = 65_536
    /// Bytes of one snapshot chunk; above RaftOptions.snapshotChunkBytesMax with room to spare.
    public static let snapshotChunkBytesMax = 16 << 20
}

extension Envelope {
    public func encode(into writer: inout LittleEndianWriter) {
        writer.write(from)
        writer.write(to)
        message.encode(into: &writer)
    }

    public func encoded() -> [UInt8] {
        var writer = LittleEndianWriter(capacity: encodedBytesEstimate)
        encode(into: &writer)
        return writer.bytes
    }

    /// Room to reserve for the encoding: at least its size for every message, so that encoding an
    /// AppendEntries of many entries copies each entry once instead of regrowing the buffer.
    public var encodedBytesEstimate: Int { 16 + message.encodedBytesEstimate }

    public static func decode(from reader: inout LittleEndianReader) throws(WireError) -> Envelope {
        let from = try reader.readUInt64()
        let to = try reader.readUInt64()
        guard from != 0, to != 0 else { throw .invalidValue("node id 0 in an envelope") }
        return Envelope(from: from, to: to, message: try RaftMessage.decode(from: &reader))
    }

    /// Decodes a whole buffer holding exactly one envelope.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Envelope {
        var reader = LittleEndianReader(bytes)
        let envelope = try decode(from: &reader)
        try reader.expectEnd()
        return envelope
    }
}

extension RaftMessage {
    /// Room to reserve for `encode(into:)`: at least its size (fixed fields fit in 64 bytes; an entry's
    /// encoding is its `sizeBytes` and the payload's tag and length).
    var encodedBytesEstimate: Int {
        switch self {
        case .appendEntries(let m): return 64 + m.entries.reduce(0) { $0 + $1.sizeBytes + 8 }
        case .snapshotChunk(let m):
            return 64 + 16
                * (m.metadata.configuration.voters.count
                    + m.metadata.configuration.learners.count)
                + m.metadata.configuration.addressBytesEstimate + m.data.count
        default: return 64
        }
    }

    private enum Tag: UInt8 {
        case voteRequest = 1
        case voteResponse, appendEntries, appendResponse, heartbeat, heartbeatResponse,
            snapshotChunk, snapshotResponse, timeoutNow, readIndexRequest, readIndexResponse
    }

    public func encode(into w: inout LittleEndianWriter) {
        switch self {
        case .voteRequest(let m):
            w.write(Tag.voteRequest.rawValue)
            w.write(m.term)
            w.write(m.lastLogIndex)
            w.write(m.lastLogTerm)
            w.writeBool(m.isPreVote)
            w.writeBool(m.isLeadershipTransfer)
        case .voteResponse(let m):
            w.write(Tag.voteResponse.rawValue)
            w.write(m.term)
            w.writeBool(m.granted)
            w.writeBool(m.isPreVote)
        case .appendEntries(let m):
            w.write(Tag.appendEntries.rawValue)
            w.write(m.term)
            w.write(m.prevLogIndex)
            w.write(m.prevLogTerm)
            w.write(m.leaderCommit)
            w.write(UInt32(m.entries.count))
            for entry in m.entries { entry.encode(into: &w) }
        case .appendResponse(let m):
            w.write(Tag.appendResponse.rawValue)
            w.write(m.term)
            w.writeBool(m.success)
            w.write(m.index)
            w.write(m.conflictTerm)
            w.write(m.conflictIndex)
        case .heartbeat(let m):
            w.write(Tag.heartbeat.rawValue)
            w.write(m.term)
            w.write(m.commit)
            w.write(m.readRound)
        case .heartbeatResponse(let m):
            w.write(Tag.heartbeatResponse.rawValue)
            w.write(m.term)
            w.write(m.readRound)
        case .snapshotChunk(let m):
            w.write(Tag.snapshotChunk.rawValue)
            w.write(m.term)
            m.metadata.encode(into: &w)
            w.write(UInt64(m.offset))
            w.write(UInt64(m.totalBytes))
            w.writeLengthPrefixed(m.data)
        case .snapshotResponse(let m):
            w.write(Tag.snapshotResponse.rawValue)
            w.write(m.term)
            w.write(m.snapshotIndex)
            w.write(UInt64(m.nextOffset))
            w.writeBool(m.done)
        case .timeoutNow(let m):
            w.write(Tag.timeoutNow.rawValue)
            w.write(m.term)
        case .readIndexRequest(let m):
            w.write(Tag.readIndexRequest.rawValue)
            w.write(m.term)
            w.write(m.requestID)
        case .readIndexResponse(let m):
            w.write(Tag.readIndexResponse.rawValue)
            w.write(m.term)
            w.write(m.requestID)
            w.writeBool(m.index != nil)
            w.write(m.index ?? 0)
        }
    }

    public static func decode(from r: inout LittleEndianReader) throws(WireError) -> RaftMessage {
        let rawTag = try r.readUInt8()
        guard let tag = Tag(rawValue: rawTag) else { throw .unknownTag(type: "RaftMessage", tag: rawTag) }
        switch tag {
        case .voteRequest:
            return .voteRequest(
                VoteRequest(
                    term: try r.readUInt64(), lastLogIndex: try r.readUInt64(), lastLogTerm: try r.readUInt64(),
                    isPreVote: try r.readBool(), isLeadershipTransfer: try r.readBool()))
        case .voteResponse:
            return .voteResponse(
                VoteResponse(term: try r.readUInt64(), granted: try r.readBool(), isPreVote: try r.readBool()))
        case .appendEntries:
            let term = try r.readUInt64()
            let prevIndex = try r.readUInt64()
            let prevTerm = try r.readUInt64()
            let commit = try r.readUInt64()
            let count = Int(try r.readUInt32())
            guard count <= RaftWireLimits.appendEntriesMax else {
                throw .lengthTooLarge(length: count, max: RaftWireLimits.appendEntriesMax)
            }
            var entries: [Entry] = []
            entries.reserveCapacity(min(count, r.remaining / 17))
            for k in 0..<count {
                let entry = try Entry.decode(from: &r)
                guard entry.index == prevIndex + 1 + LogIndex(k) else {
                    throw .invalidValue("append entries are not contiguous")
                }
                entries.append(entry)
            }
            return .appendEntries(
                AppendEntries(
                    term: term, prevLogIndex: prevIndex, prevLogTerm: prevTerm, entries: entries, leaderCommit: commit))
        case .appendResponse:
            return .appendResponse(
                AppendResponse(
                    term: try r.readUInt64(), success: try r.readBool(), index: try r.readUInt64(),
                    conflictTerm: try r.readUInt64(), conflictIndex: try r.readUInt64()))
        case .heartbeat:
            return .heartbeat(
                Heartbeat(term: try r.readUInt64(), commit: try r.readUInt64(), readRound: try r.readUInt64()))
        case .heartbeatResponse:
            return .heartbeatResponse(HeartbeatResponse(term: try r.readUInt64(), readRound: try r.readUInt64()))
        case .snapshotChunk:
            let term = try r.readUInt64()
            let metadata = try SnapshotMetadata.decode(from: &r)
            let offset = try r.readUInt64()
            let total = try r.readUInt64()
            let data = try r.readLengthPrefixed(max: RaftWireLimits.snapshotChunkBytesMax)
            guard offset <= total, total <= UInt64(Int.max), offset + UInt64(data.count) <= total else {
                throw .invalidValue("snapshot chunk outside the snapshot")
            }
            return .snapshotChunk(
                SnapshotChunk(term: term, metadata: metadata, offset: Int(offset), data: data, totalBytes: Int(total)))
        case .snapshotResponse:
            let term = try r.readUInt64()
            let index = try r.readUInt64()
            let next = try r.readUInt64()
            guard next <= UInt64(Int.max) else { throw .invalidValue("snapshot offset overflows") }
            return .snapshotResponse(
                SnapshotResponse(term: term, snapshotIndex: index, nextOffset: Int(next), done: try r.readBool()))
        case .timeoutNow:
            return .timeoutNow(TimeoutNow(term: try r.readUInt64()))
        case .readIndexRequest:
            return .readIndexRequest(ReadIndexRequest(term: try r.readUInt64(), requestID: try r.readUInt64()))
        case .readIndexResponse:
            let term = try r.readUInt64()
            let requestID = try r.readUInt64()
            let present = try r.readBool()
            let index = try r.readUInt64()
            return .readIndexResponse(ReadIndexResponse(term: term, requestID: requestID, index: present ? index : nil))
        }
    }
}

extension LittleEndianWriter {
    public mutating func writeBool(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
}

extension LittleEndianReader {
    public mutating func readBool() throws(WireError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other: throw .invalidValue("boolean byte \(other)")
        }
    }
}
