/// The bytes a connection has received and a parser has not consumed yet, shared by `HTTPRequestParser` and
/// the client's `HTTPResponseParser` (FerryClient; public for it). Consumption only moves `start`; the
/// consumed prefix is dropped lazily (`compact`), so pipelined messages cost O(n), and the search for the end
/// of a head resumes where it stopped instead of rescanning on every small chunk.
public struct HTTPReadBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Bytes of `bytes` before this index are consumed.
    public private(set) var start = 0
    /// Where the search for the end of the head resumes.
    private var scanFrom = 0

    public init() {}

    /// Once this many consumed bytes sit at the front, they are dropped. Large enough that compaction is
    /// rare, small enough that an idle keep-alive connection holds little.
    static let compactBytesMin = 64 * 1024

    /// Bytes received and not consumed.
    public var unconsumedCount: Int { bytes.count - start }

    public mutating func append<Bytes: Sequence>(_ more: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: more)
    }

    /// Consumes `count` bytes and returns them (a body).
    public mutating func take(_ count: Int) -> [UInt8] {
        precondition(count <= unconsumedCount, "take only what has arrived")
        let taken = Array(bytes[start..<(start + count)])
        consume(count)
        return taken
    }

    /// Consumes everything received (a body that runs until the connection closes).
    public mutating func takeAll() -> [UInt8] { take(unconsumedCount) }

    /// Consumes empty lines (RFC 9112 §2.2 lets a server ignore them before a request line).
    mutating func skipEmptyLines() {
        while start < bytes.count, bytes[start] == 0x0D || bytes[start] == 0x0A { start += 1 }
        scanFrom = max(scanFrom, start)
    }

    /// Bytes from `start` to the first `byte`, if one has arrived.
    func distanceToFirst(_ byte: UInt8) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            ASCIIWords.firstIndex(of: byte, in: buffer, from: start, to: buffer.count).map { $0 - start }
        }
    }

    /// Where the head ends, if the empty line that ends it (CRLF CRLF, or bare LF LF per RFC 9112 §2.2) has
    /// arrived: `length` bytes of head (through its last line's LF), then the empty line. Remembers how far
    /// it looked.
    public mutating func findHead() -> HeadEnd? {
        var i = max(scanFrom, start)
        // Over the buffer's memory, from line end to line end, eight bytes at a time (`ASCIIWords`): indexing
        // the array checked every byte's bounds (~6k instructions for a boto3 head), and a byte loop still
        // cost ~2k.
        let found: HeadEnd? = bytes.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            while i < count {
                guard let lineEnd = ASCIIWords.firstIndex(of: 0x0A, in: buffer, from: i, to: count) else {
                    i = count
                    break
                }
                i = lineEnd
                if i + 1 < count, buffer[i + 1] == 0x0A { return HeadEnd(length: i + 1 - start, emptyLineBytes: 1) }
                if i + 2 < count, buffer[i + 1] == 0x0D, buffer[i + 2] == 0x0A {
                    return HeadEnd(length: i + 1 - start, emptyLineBytes: 2)
                }
                if i + 2 >= count { break }  // the terminator may still be arriving
                i += 1
            }
            return nil
        }
        if let found { return found }
        scanFrom = max(start, i)
        return nil
    }

    public struct HeadEnd {
        public var length: Int
        public var emptyLineBytes: Int
    }

    /// Consumes the head `findHead()` found and the empty line after it; returns the head's bytes.
    public mutating func takeHead(_ end: HeadEnd) -> ArraySlice<UInt8> {
        let head = bytes[start..<(start + end.length)]
        consume(end.length + end.emptyLineBytes)
        return head
    }

    private mutating func consume(_ count: Int) {
        start += count
        scanFrom = start
    }

    /// Drops everything (the stream failed).
    public mutating func removeAll() {
        bytes = []
        start = 0
        scanFrom = 0
    }

    /// Drops the consumed prefix when worthwhile (between feeds).
    public mutating func compact() {
        if start == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.count <= Self.compactBytesMin)
        } else if start >= Self.compactBytesMin {
            bytes.removeFirst(start)
        } else {
            return
        }
        scanFrom -= start
        start = 0
    }
}
