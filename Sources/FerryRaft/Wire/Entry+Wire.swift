/// Binary encodings of the Raft types that are stored and sent. Storage frames and checksums these
/// bytes itself; the encodings here only have to be unambiguous and bounded.
///
/// Layouts (little-endian, see `LittleEndianWriter`):
/// - Entry:         index u64, term u64, payload
/// - EntryPayload:  tag u8 (0 noop, 1 command, 2 configuration), then command bytes (u32 length +
///                  bytes) or a Configuration
/// - Configuration: voter count u32, voters u64..., learner count u32, learners u64... (version 1, the only
///                  form before addresses; still written for a configuration without addresses, so such
///                  configurations are byte-identical to what older nodes wrote and read)
///                  or, with addresses: marker u32 0xFFFFFFFF, version u8 2, the version 1 fields, address
///                  count u32, then per address: id u64, peer address (u32 length + bytes), client URL (same).
///                  The marker is larger than any member count, so a version 1 reader refuses it by name.
/// - HardState:     term u64, votedFor u64 (0 = none; 0 is never a node id), commit u64
/// - SnapshotMetadata: index u64, term u64, Configuration
public enum WireLimits {
    /// The largest command an entry may carry: 1 MiB + 64 KiB.
    ///
    /// Derivation: the largest command an application can cause is a SendMessageBatch whose messages add up
    /// to SQS's 1 MiB batch limit (a single SendMessage is bounded by the same 1 MiB), plus what is not
    /// counted against it: per entry an id (80 bytes), group and deduplication ids (128 each), a trace
    /// header (1 KiB), a body MD5 and length prefixes — about 1.5 KiB an entry, 15 KiB for ten — plus the
    /// queue name and the node's 24-byte stamp. `QueueLimits.encodedCommandBytesMax` (FerryQueue) is that
    /// worst case with room, and a test in FerryNodeTests checks it fits under this bound. Anything larger
    /// is refused before it is proposed (`ProposeError.commandTooLarge`), and a decoder never allocates
    /// more than this for a corrupt or hostile length.
    public static let commandBytesMax = (1 << 20) + (64 << 10)
    /// The largest cluster Ferry supports, with generous room; bounds a corrupt member count.
    public static let configurationMembersMax = 1024
}

extension Configuration {
    /// Starts a versioned configuration encoding in place of the voter count (never this large).
    static let versionedMarker = UInt32.max
    static let versionWithAddresses: UInt8 = 2

    public func encode(into writer: inout LittleEndianWriter) {
        if !addresses.isEmpty {
            writer.write(Self.versionedMarker)
            writer.write(Self.versionWithAddresses)
        }
        writer.write(UInt32(voters.count))
        for voter in voters { writer.write(voter) }
        writer.write(UInt32(learners.count))
        for learner in learners { writer.write(learner) }
        guard !addresses.isEmpty else { return }
        writer.write(UInt32(addresses.count))
        for id in addresses.keys.sorted() {
            let address = addresses[id]!
            writer.write(id)
            writer.writeLengthPrefixed(Array(address.peer.utf8))
            writer.writeLengthPrefixed(Array(address.clientURL.utf8))
        }
    }

    /// Bytes the address section takes at most, with the version marker: room to reserve for it.
    public var addressBytesEstimate: Int {
        addresses.isEmpty
            ? 0 : 9 + addresses.values.reduce(0) { $0 + 16 + $1.peer.utf8.count + $1.clientURL.utf8.count }
    }

    public static func decode(from reader: inout LittleEndianReader) throws(WireError) -> Configuration {
        var first = try reader.readUInt32()
        let versioned = first == versionedMarker
        if versioned {
            let version = try reader.readUInt8()
            guard version == versionWithAddresses else {
                throw .unknownTag(type: "Configuration version", tag: version)
            }
            first = try reader.readUInt32()
        }
        let voters = try decodeIDs(count: first, from: &reader)
        let learners = try decodeIDs(count: try reader.readUInt32(), from: &reader)
        guard Set(voters).isDisjoint(with: learners) else {
            throw .invalidValue("a node is both voter and learner")
        }
        guard versioned else { return Configuration(voters: voters, learners: learners) }
        let members = Set(voters).union(learners)
        let count = Int(try reader.readUInt32())
        guard count <= members.count else { throw .lengthTooLarge(length: count, max: members.count) }
        var addresses: [NodeID: MemberAddress] = [:]
        for _ in 0..<count {
            let id = try reader.readUInt64()
            guard members.contains(id), addresses[id] == nil else {
                throw .invalidValue("an address for \(id), not a member or listed twice")
            }
            let peer = try decodeField(from: &reader)
            let address = MemberAddress(peer: peer, clientURL: try decodeField(from: &reader))
            if let problem = address.problem { throw .invalidValue("address of \(id): \(problem)") }
            addresses[id] = address
        }
        return Configuration(voters: voters, learners: learners, addresses: addresses)
    }

    private static func decodeIDs(
        count raw: UInt32, from reader: inout LittleEndianReader
    ) throws(WireError) -> [NodeID] {
        let count = Int(raw)
        guard count <= WireLimits.configurationMembersMax else {
            throw .lengthTooLarge(length: count, max: WireLimits.configurationMembersMax)
        }
        var ids: [NodeID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try reader.readUInt64()) }
        return ids
    }

    private static func decodeField(from reader: inout LittleEndianReader) throws(WireError) -> String {
        let bytes = try reader.readLengthPrefixed(max: MemberAddress.fieldBytesMax)
        // `problem` then refuses anything but printable ASCII, so no byte is lost to repair here.
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension EntryPayload {
    private static let tagNoop: UInt8 = 0
    private static let tagCommand: UInt8 = 1
    private static let tagConfiguration: UInt8 = 2

    public func encode(into writer: inout LittleEndianWriter) {
        switch self {
        case .noop:
            writer.write(Self.tagNoop)
        case .command(let data):
            // `RaftNode.propose` refuses a larger command, and the decoder a larger length.
            precondition(data.count <= WireLimits.commandBytesMax, "command exceeds commandBytesMax")
            writer.write(Self.tagCommand)
            writer.writeLengthPrefixed(data)
        case .configuration(let configuration):
            writer.write(Self.tagConfiguration)
            configuration.encode(into: &writer)
        }
    }

    public static func decode(from reader: inout LittleEndianReader) throws(WireError) -> EntryPayload {
        let tag = try reader.readUInt8()
        switch tag {
        case tagNoop: return .noop
        case tagCommand: return .command(try reader.readLengthPrefixed(max: WireLimits.commandBytesMax))
        case tagConfiguration: return .configuration(try Configuration.decode(from: &reader))
        default: throw .unknownTag(type: "EntryPayload", tag: tag)
        }
    }
}

extension Entry {
    public func encode(into writer: inout LittleEndianWriter) {
        writer.write(index)
        writer.write(term)
        payload.encode(into: &writer)
    }

    public static func decode(from reader: inout LittleEndianReader) throws(WireError) -> Entry {
        let index = try reader.readUInt64()
        let term = try reader.readUInt64()
        return Entry(index: index, term: term, payload: try EntryPayload.decode(from: &reader))
    }
}

extension HardState {
    public func encode(into writer: inout LittleEndianWriter) {
        writer.write(term)
        writer.write(votedFor ?? 0)
        writer.write(commit)
    }

    public static func decode(from reader: inout LittleEndianReader) throws(WireError) -> HardState {
        let term = try reader.readUInt64()
        let vote = try reader.readUInt64()
        let commit = try reader.readUInt64()
        return HardState(term: term, votedFor: vote == 0 ? nil : vote, commit: commit)
    }
}

extension SnapshotMetadata {
    public func encode(into writer: inout LittleEndianWriter) {
        writer.write(index)
        writer.write(term)
        configuration.encode(into: &writer)
    }

    public static func decode(from reader: inout LittleEndianReader) throws(WireError) -> SnapshotMetadata {
        let index = try reader.readUInt64()
        let term = try reader.readUInt64()
        return SnapshotMetadata(index: index, term: term, configuration: try Configuration.decode(from: &reader))
    }
}
