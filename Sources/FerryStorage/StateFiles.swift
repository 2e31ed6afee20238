import FerryRaft

/// The two small files storage replaces atomically (`FileSystem.writeFileAtomically`): the hard
/// state and the snapshots. Each is framed the same way:
///
/// ```
/// 0  8  magic (names the file kind and format version)
/// 8  4  CRC32C of bytes 12..<end
/// 12 8  body length
/// 20 n  body
/// ```
/// Atomic replacement means a named file is never legitimately torn, so any verification failure
/// of a named (non-.tmp) file is corruption, reported with the file and offset 0.
enum StateFile {
    static let headerBytes = 20
    static let hardStateMagic: [UInt8] = Array("FRYHS001".utf8)
    static let snapshotMagic: [UInt8] = Array("FRYSN001".utf8)
    /// The largest snapshot storage will read back: a corrupt length must not make it allocate
    /// without bound. 16 GiB is far above what one queue group's state should reach.
    static let snapshotBytesMax = 16 << 30

    static func frame(magic: [UInt8], body: [UInt8]) -> [UInt8] {
        frame(magic: magic, bodyBytes: body.count) { $0.writeRaw(body) }
    }

    /// A framed file whose body `writeBody` writes in place, `bodyBytes` long: one buffer of the exact size.
    static func frame(magic: [UInt8], bodyBytes: Int, _ writeBody: (inout LittleEndianWriter) -> Void) -> [UInt8] {
        var writer = LittleEndianWriter(capacity: headerBytes + bodyBytes)
        writer.writeRaw(magic)
        writer.write(UInt32(0))  // the CRC, once the body is written
        writer.write(UInt64(bodyBytes))
        writeBody(&writer)
        precondition(writer.bytes.count == headerBytes + bodyBytes, "the body must be as long as its header says")
        writer.overwrite(CRC32C.checksum(writer.bytes[12...]), at: 8)
        return writer.bytes
    }

    /// The body of a framed file, or why it does not verify.
    static func unframe(magic: [UInt8], bytes: [UInt8], bodyBytesMax: Int) -> Result<[UInt8], StorageErrorReason> {
        guard bytes.count >= headerBytes else {
            return .failure(.init("file of \(bytes.count) bytes is shorter than its header"))
        }
        guard Array(bytes[0..<8]) == magic else { return .failure(.init("bad magic")) }
        var reader = LittleEndianReader(bytes, offset: 8)
        guard let stored = try? reader.readUInt32(), let length = try? reader.readUInt64() else {
            return .failure(.init("unreadable header"))
        }
        guard length <= UInt64(bodyBytesMax), Int(length) == bytes.count - headerBytes else {
            return .failure(.init("body length \(length) does not match file size \(bytes.count)"))
        }
        let computed = CRC32C.checksum(bytes[12...])
        guard computed == stored else { return .failure(.init("checksum mismatch")) }
        return .success(Array(bytes[headerBytes...]))
    }

    static func encode(_ hardState: HardState) -> [UInt8] {
        var writer = LittleEndianWriter(capacity: 24)
        hardState.encode(into: &writer)
        return frame(magic: hardStateMagic, body: writer.bytes)
    }

    static func decodeHardState(_ bytes: [UInt8]) -> Result<HardState, StorageErrorReason> {
        unframe(magic: hardStateMagic, bytes: bytes, bodyBytesMax: 64).flatMap { body in
            var reader = LittleEndianReader(body)
            guard let state = try? HardState.decode(from: &reader), reader.remaining == 0 else {
                return .failure(.init("hard state body does not decode"))
            }
            return .success(state)
        }
    }

    /// The data is copied once, into the file's buffer: a snapshot can be hundreds of MB, and each
    /// intermediate copy was another pass over it and as many fresh pages to fault in.
    static func encode(_ snapshot: Snapshot) -> [UInt8] {
        encodeHead(snapshot) + snapshot.data
    }

    /// The snapshot file up to its data: header, metadata and data length, with the CRC already covering
    /// the data that follows. Written as two parts (`FileSystem.writeFileAtomically(_:parts:)`), the data
    /// is never copied into a file image: at a million queued messages that image was another gigabyte.
    static func encodeHead(_ snapshot: Snapshot) -> [UInt8] {
        var metadata = LittleEndianWriter(capacity: 256)
        snapshot.metadata.encode(into: &metadata)
        var writer = LittleEndianWriter(capacity: headerBytes + metadata.bytes.count + 8)
        writer.writeRaw(snapshotMagic)
        writer.write(UInt32(0))  // the CRC, once the rest is known
        writer.write(UInt64(metadata.bytes.count + 8 + snapshot.data.count))
        writer.writeRaw(metadata.bytes)
        writer.write(UInt64(snapshot.data.count))
        var crc = CRC32C()
        crc.update(writer.bytes[12...])
        crc.update(snapshot.data)
        writer.overwrite(crc.value, at: 8)
        return writer.bytes
    }

    /// Where a snapshot file's data starts: header, metadata, data length.
    static func snapshotDataOffset(_ metadata: SnapshotMetadata) -> Int {
        var writer = LittleEndianWriter(capacity: 256)
        metadata.encode(into: &writer)
        return headerBytes + writer.bytes.count + 8
    }

    /// Verifies a snapshot file without holding its data: the header and metadata first (a small read), then
    /// the data a chunk (`snapshotReadChunkBytes`) at a time, its file CRC and block checksums computed in one
    /// pass. Holding the data whole at start doubled a node's peak memory at a million queued messages; it is
    /// read again, a chunk at a time and each chunk verified against these block checksums, when the node
    /// restores its state (`SnapshotFileData`), unless the node decodes it during this one read
    /// (`SnapshotFileStream`).
    static func verifySnapshot(
        _ path: String, fileSystem: FileSystem
    ) throws(FileSystemError) -> Result<VerifiedSnapshotFile, StorageErrorReason> {
        let handle = try fileSystem.open(path, create: false)
        defer { fileSystem.close(handle) }
        switch try readSnapshotHead(handle, fileSystem: fileSystem) {
        case .failure(let why): return .failure(why)
        case .success(let head):
            var verifier = SnapshotFileVerifier(head)
            while true {
                switch try verifier.nextChunk(handle, fileSystem: fileSystem) {
                case .failure(let why): return .failure(why)
                case .success(let chunk) where chunk.isEmpty:
                    // `[]` comes only once the file verified.
                    guard let verified = verifier.verified else { return .failure(.init("checksum mismatch")) }
                    return .success(verified)
                case .success: continue
                }
            }
        }
    }

    /// A snapshot file's header and metadata, parsed but not yet verified: the file's checksum covers them
    /// with the data, so nothing may act on them before the data is read (`SnapshotFileVerifier`).
    static func readSnapshotHead(
        _ handle: FileHandle, fileSystem: FileSystem
    ) throws(FileSystemError) -> Result<SnapshotFileHead, StorageErrorReason> {
        let fileBytes = try fileSystem.size(handle)
        let head = try fileSystem.read(handle, at: 0, count: min(fileBytes, snapshotHeadBytesMax))
        guard head.count >= headerBytes else {
            return .failure(.init("file of \(head.count) bytes is shorter than its header"))
        }
        guard Array(head[0..<8]) == snapshotMagic else { return .failure(.init("bad magic")) }
        var reader = LittleEndianReader(head, offset: 8)
        guard let stored = try? reader.readUInt32(), let length = try? reader.readUInt64(),
            length <= UInt64(snapshotBytesMax), Int(length) == fileBytes - headerBytes
        else {
            return .failure(.init("body length does not match file size \(fileBytes)"))
        }
        guard let metadata = try? SnapshotMetadata.decode(from: &reader), let count = try? reader.readUInt64(),
            count == UInt64(fileBytes - reader.offset)
        else { return .failure(.init("snapshot body does not decode")) }
        var crc = CRC32C()
        crc.update(head[12..<reader.offset])
        return .success(
            SnapshotFileHead(
                snapshot: StoredSnapshot(metadata: metadata, sizeBytes: Int(count)), dataOffset: reader.offset,
                storedChecksum: stored, headChecksum: crc))
    }

    /// How much of a snapshot's data one read takes at start: a whole number of checksum blocks, small enough
    /// that the buffer stays in cache and its pages are reused, large enough that the reads are few.
    static let snapshotReadChunkBytes = 16 * SnapshotBlockChecksums.blockBytes

    /// Enough of a snapshot file to hold its header and metadata (a configuration with its addresses).
    static let snapshotHeadBytesMax = 1 << 20

    static func decodeSnapshot(_ bytes: [UInt8]) -> Result<Snapshot, StorageErrorReason> {
        unframe(magic: snapshotMagic, bytes: bytes, bodyBytesMax: snapshotBytesMax).flatMap { body in
            var reader = LittleEndianReader(body)
            guard let metadata = try? SnapshotMetadata.decode(from: &reader),
                let count = try? reader.readUInt64(), count == UInt64(reader.remaining),
                let data = try? reader.readRaw(count: Int(count))
            else { return .failure(.init("snapshot body does not decode")) }
            return .success(Snapshot(metadata: metadata, data: data))
        }
    }
}

/// What a snapshot file says about itself before its data is read: believed only once the data verifies.
struct SnapshotFileHead {
    var snapshot: StoredSnapshot
    var dataOffset: Int
    var storedChecksum: UInt32
    /// The file's checksum over the bytes before the data.
    var headChecksum: CRC32C
}

/// Reads a snapshot file's data front to back a chunk at a time, computing the file's checksum and the data's
/// block checksums as it goes. The last chunk is given out only once the whole file's checksum matched: whoever
/// decodes the chunks as they come never sees the end of a file that does not verify.
struct SnapshotFileVerifier {
    let head: SnapshotFileHead
    private var crc: CRC32C
    private var sums: [UInt32] = []
    private(set) var readBytes = 0
    /// Set once every byte was read and the file verified.
    private(set) var verified: VerifiedSnapshotFile?

    init(_ head: SnapshotFileHead) {
        self.head = head
        crc = head.headChecksum
        sums.reserveCapacity(
            (head.snapshot.sizeBytes + SnapshotBlockChecksums.blockBytes - 1) / SnapshotBlockChecksums.blockBytes)
        if head.snapshot.sizeBytes == 0, crc.value == head.storedChecksum {
            verified = VerifiedSnapshotFile(
                checksums: SnapshotBlockChecksums(of: head.snapshot, sums: []), dataOffset: head.dataOffset)
        }
    }

    /// The next chunk of the data, `[]` after the last; a failure once the file does not verify.
    mutating func nextChunk(
        _ handle: FileHandle, fileSystem: FileSystem
    ) throws(FileSystemError) -> Result<[UInt8], StorageErrorReason> {
        let sizeBytes = head.snapshot.sizeBytes
        guard readBytes < sizeBytes else {
            return verified == nil ? .failure(.init("checksum mismatch")) : .success([])
        }
        let count = min(StateFile.snapshotReadChunkBytes, sizeBytes - readBytes)
        let chunk = try fileSystem.read(handle, at: head.dataOffset + readBytes, count: count)
        // A short read would misalign the blocks: only the data's last chunk may end a block early.
        guard chunk.count == count else { return .failure(.init("file shrank while read")) }
        SnapshotBlockChecksums.appendSums(of: chunk, to: &sums, feeding: &crc)
        readBytes += count
        if readBytes == sizeBytes {
            guard crc.value == head.storedChecksum else { return .failure(.init("checksum mismatch")) }
            verified = VerifiedSnapshotFile(
                checksums: SnapshotBlockChecksums(of: head.snapshot, sums: sums), dataOffset: head.dataOffset)
        }
        return .success(chunk)
    }
}

/// A snapshot file whose whole checksum verified: where its data starts and the checksums of its blocks.
struct VerifiedSnapshotFile {
    var checksums: SnapshotBlockChecksums
    var dataOffset: Int
    var snapshot: StoredSnapshot { checksums.snapshot }
}

/// A reason string carried in a `Result` (String is not an Error).
struct StorageErrorReason: Error {
    var text: String
    init(_ text: String) { self.text = text }
}
