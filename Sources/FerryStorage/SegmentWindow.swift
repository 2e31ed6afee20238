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

    /// True when every byte from `offset` through `count` bytes, or to the file's end if that comes first, is
    /// zero. Bytes past that are not read.
    mutating func isZeroRun(from offset: Int, count: Int) throws(FileSystemError) -> Bool {
        try hold(from: offset, count: count)
        let local = min(offset - start, bytes.count)
        let checked = max(0, min(bytes.count - local, count))
        return bytes.withUnsafeBytes { buffer in
            SegmentScan.isZero(UnsafeRawBufferPointer(rebasing: buffer[local..<local + checked]))
        }
    }
}
