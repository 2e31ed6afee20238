/// An array kept in chunks of `chunkCapacity` elements, each an array of its own, so that copy-on-write
/// copies one chunk, not the whole array.
///
/// Why: a node freezes a copy of its machine (O(1), a value) and encodes it off the loop for a snapshot
/// (`ReplicatedStateMachine`). The loop's next write to a queue then copied the queue's whole `slots` array
/// under copy-on-write, 56 bytes and a retain per queued message, on the loop: a stall of 100-580 ms at the
/// start of each snapshot at 100k-1M queued messages. In chunks, the first write after the freeze copies
/// the list of chunks (one reference per 4,096 elements) and the one chunk it writes.
///
/// `removeFirst(_:)` drops whole chunks; the dropped elements of a chunk that is only partly dropped stay
/// alive until all of it goes (for slots: tombstones, which hold nothing).
struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral {
    static var chunkCapacity: Int { 4096 }
    private static var shift: Int { 12 }

    private var chunks: [[Element]] = []
    /// Elements dropped from the front of the first chunk.
    private var headOffset = 0
    private(set) var count = 0

    init() {}

    init<S: Sequence>(_ elements: S) where S.Element == Element {
        for element in elements { append(element) }
    }

    init(arrayLiteral elements: Element...) { self.init(elements) }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Element {
        // Yielded in place, so reading one field of an element does not copy (retain) the whole element.
        _read {
            precondition(position >= 0 && position < count, "index out of range")
            let p = position + headOffset
            yield chunks[p >> Self.shift][p & (Self.chunkCapacity - 1)]
        }
        _modify {
            precondition(position >= 0 && position < count, "index out of range")
            let p = position + headOffset
            yield &chunks[p >> Self.shift][p & (Self.chunkCapacity - 1)]
        }
    }

    mutating func append(_ element: Element) {
        if (headOffset + count) & (Self.chunkCapacity - 1) == 0 {
            var chunk: [Element] = []
            // The first chunk grows as an array does: reserved whole, every queue that ever held a message
            // kept 4,096 slots (229 KB) of address space, 2.3 GB over 10,000 queues holding a few each.
            if !chunks.isEmpty { chunk.reserveCapacity(Self.chunkCapacity) }
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    mutating func removeFirst(_ n: Int) {
        precondition(n >= 0 && n <= count, "cannot remove more elements than there are")
        let p = headOffset + n
        count -= n
        if count == 0 {
            self = ChunkedArray()
            return
        }
        chunks.removeFirst(p >> Self.shift)
        headOffset = p & (Self.chunkCapacity - 1)
    }

    /// How many chunks this array and `other` share (the same storage): what a copy has not copied yet.
    func chunksShared(with other: ChunkedArray) -> Int {
        zip(chunks, other.chunks).filter { mine, theirs in
            mine.withUnsafeBufferPointer { a in theirs.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        }.count
    }

    var chunkCount: Int { chunks.count }
    /// Elements the chunks have room for, allocated or not yet used.
    var capacity: Int { chunks.reduce(0) { $0 + $1.capacity } }
}

extension ChunkedArray: Sendable where Element: Sendable {}
