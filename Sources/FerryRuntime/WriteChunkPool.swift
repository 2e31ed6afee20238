/// Write-queue chunks of the usual size (`TCPConnection.writeChunkBytes`) that connections have written out,
/// kept for the loop's next writes: a replicated command queued and written a few frames at a time allocated
/// and freed a 64 KiB chunk for each write, on every node. Loop thread only.
///
/// Bounded (`sparesMax`), so idle connections pin nothing and the loop at most half a megabyte.
final class WriteChunkPool {
    /// Chunks kept at most.
    static let sparesMax = 8

    /// Unchecked exclusivity (touched on every flush), as `EventLoop.endOfTurnFlushes`: no access spans a call out.
    @exclusivity(unchecked) private var spares: [UnsafeMutableRawPointer] = []

    init() { spares.reserveCapacity(Self.sparesMax) }

    deinit {
        for memory in spares { memory.deallocate() }
    }

    /// An empty chunk of `TCPConnection.writeChunkBytes`: a spare when there is one.
    func take() -> WriteChunk {
        guard let memory = spares.popLast() else { return WriteChunk(capacity: TCPConnection.writeChunkBytes) }
        return WriteChunk(memory: memory, capacity: TCPConnection.writeChunkBytes)
    }

    /// Takes back a chunk whose bytes are written (or dropped): kept when it is of the usual size and there is
    /// room, freed otherwise.
    func give(_ chunk: WriteChunk) {
        guard chunk.capacity == TCPConnection.writeChunkBytes, spares.count < Self.sparesMax else {
            return chunk.free()
        }
        spares.append(chunk.memory)
    }

    /// Chunks kept now (tests).
    var spareCount: Int { spares.count }
}
