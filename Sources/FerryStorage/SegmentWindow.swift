/// The part of a segment file recovery is looking at: read in bounded chunks, so that opening a log never
/// holds a whole segment (nor reads one in a single call) however large segments are configured.
/// A file no larger than a chunk is read in one call, as a whole-file read would.
struct SegmentWindow {
    /// Bytes of the file from `start`.
    private(set) var bytes: [UInt8]
    private(set) var start = 0
    let fileBytes: Int
    private let readChunk: ((_ offset: Int, _ count: Int) throws(FileSystemError) -> [UInt8])?

    static let chunkBytes = 1 << 20

    init(handle: FileHandle, fileSystem: FileSystem) throws(FileSystemError) {
        fileBytes = try fileSystem.size(handle)
        readChunk = { (offset, count) throws(FileSystemError) in try fileSystem.read(handle, at: offset, count: count) }
        bytes = []
        try hold(from: 0, count: Self.chunkBytes)
    }

    /// A file already in memory.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        fileBytes = bytes.count
        readChunk = nil
    }

    private var end: Int { start + bytes.count }

    /// Makes the window hold the file from `offset` through `count` bytes or the file's end, whichever
    /// comes first, dropping what lies before `offset` when it must read.
    mutating func hold(from offset: Int, count: Int) throws(FileSystemError) {
        let wanted = min(fileBytes, offset + count)
        guard wanted > end, let readChunk else { return }
        if offset > start {
            bytes.removeFirst(min(offset, end) - start)
            start = min(offset, end)
        }
        while end < wanted {
            let chunk = try readChunk(end, max(Self.chunkBytes, wanted - end))
            guard !chunk.isEmpty else { break }  // the file shrank under us: read what is there
            bytes.append(contentsOf: chunk)
        }
    }

    /// True when every byte from `offset` to the end of the file is zero, reading the rest of the file a chunk
    /// at a time (without keeping it). A record never starts with a zero header: its checksum covers a
    /// nonzero kind, so an all-zero header never verifies.
    mutating func isZeroFilled(from offset: Int) throws(FileSystemError) -> Bool {
        guard SegmentScan.isZeroFilled(bytes, from: offset - start) else { return false }
        guard let readChunk else { return true }
        var position = end
        while position < fileBytes {
            let chunk = try readChunk(position, min(Self.chunkBytes, fileBytes - position))
            guard !chunk.isEmpty else { break }
            guard SegmentScan.isZeroFilled(chunk, from: 0) else { return false }
            position += chunk.count
        }
        return true
    }
}
