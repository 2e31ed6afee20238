/// Framing for peer links: each frame is a big-endian u32 payload length followed by the payload.
///
/// `FrameDecoder` is a pure value: feed it byte chunks cut at arbitrary boundaries with `append`, then
/// call `nextFrame()` until it returns nil. A length above `frameBytesMax` is a protocol violation
/// (`FrameError.frameTooLarge`): the link must be closed, since the stream can no longer be trusted.
public struct FrameDecoder: Sendable {
    /// Default bound on one frame's payload. The largest frame is a snapshot chunk (16 MiB); a larger
    /// length is corruption or an attack, and accepting it would let a peer make us buffer gigabytes.
    public static let frameBytesMaxDefault = 16 << 20
    /// The length prefix.
    public static let headerBytes = 4

    /// Largest accepted payload, in bytes. A link may raise it once the peer is authenticated
    /// (`PeerChannel`: handshake-sized frames until then).
    public var frameBytesMax: Int {
        didSet { precondition(frameBytesMax > 0 && frameBytesMax <= Int(UInt32.max)) }
    }
    /// Received bytes; frames before `readIndex` were already returned.
    /// Invariant: `buffer.count - readIndex` < header + frameBytesMax + one appended chunk.
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(frameBytesMax: Int = frameBytesMaxDefault) {
        precondition(frameBytesMax > 0 && frameBytesMax <= Int(UInt32.max))
        self.frameBytesMax = frameBytesMax
    }

    /// Bytes received and not yet returned as frames.
    public var bufferedBytes: Int { buffer.count - readIndex }

    /// Adds a chunk. The caller drains with `nextFrame()` after every append, which bounds the buffer to
    /// one partial frame plus one chunk.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex == buffer.count {
            // Every frame was returned. Emptied only now, not as the last frame is returned: that frame still
            // lay in the buffer (`nextFrameInPlace`), and emptying it then would have copied it.
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacityBytesMax)
            readIndex = 0
        } else if readIndex > 0 && readIndex * 2 >= buffer.count {  // compact: drop returned frames
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds a chunk; see `append(_: UnsafeRawBufferPointer)`.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete frame's payload, or nil until more bytes arrive.
    public mutating func nextFrame() throws(FrameError) -> [UInt8]? {
        try nextFrameInPlace()?.bytes
    }

    /// The next complete frame where it lies in the buffer (no copy), or nil until more bytes arrive. The
    /// buffer is not changed until the next `append`, so a caller that lets go of the frame before then costs
    /// no copy at all.
    public mutating func nextFrameInPlace() throws(FrameError) -> ReceivedFrame? {
        guard bufferedBytes >= Self.headerBytes else { return nil }
        let length =
            Int(buffer[readIndex]) << 24 | Int(buffer[readIndex + 1]) << 16
            | Int(buffer[readIndex + 2]) << 8 | Int(buffer[readIndex + 3])
        guard length <= frameBytesMax else {
            throw .frameTooLarge(payloadBytes: length, frameBytesMax: frameBytesMax)
        }
        guard bufferedBytes >= Self.headerBytes + length else { return nil }
        let start = readIndex + Self.headerBytes
        readIndex = start + length
        return ReceivedFrame(buffer: buffer, payload: start..<readIndex)
    }

    /// Largest buffer capacity kept across frames; a buffer grown by a 16 MiB snapshot frame is released.
    static let retainedCapacityBytesMax = 1 << 20
}

/// A peer sent a frame the decoder refuses.
public enum FrameError: Error, Equatable, Sendable {
    /// The length prefix exceeds the bound: the stream is corrupt or hostile.
    case frameTooLarge(payloadBytes: Int, frameBytesMax: Int)
}

/// Encodes frames: the 4-byte big-endian length, then the payload.
public enum FrameEncoder {
    /// The length prefix for a payload of `payloadBytes`.
    public static func header(payloadBytes: Int) -> [UInt8] {
        precondition(payloadBytes >= 0 && payloadBytes <= Int(UInt32.max), "frame payload of \(payloadBytes) bytes")
        let length = UInt32(payloadBytes)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
    }

    /// One whole frame: header and payload.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        header(payloadBytes: payload.count) + payload
    }
}
