/// One frame's payload where it arrived: a range of the link's receive buffer, handed on without copying it
/// out (a peer's append carries a whole replicated command; the copy was an allocation and a memcpy a frame).
///
/// Valid as a value like any array: holding on to it past the callback only costs the receive buffer a copy
/// the next time bytes arrive (copy on write), never a wrong byte.
public struct ReceivedFrame {
    /// The buffer the payload lies in; bytes outside `payload` belong to other frames.
    public let buffer: [UInt8]
    /// The payload's bytes in `buffer`.
    public let payload: Range<Int>

    public init(buffer: [UInt8], payload: Range<Int>) {
        precondition(payload.lowerBound >= 0 && payload.upperBound <= buffer.count, "frame outside its buffer")
        self.buffer = buffer
        self.payload = payload
    }

    /// The payload copied into an array of its own.
    public var bytes: [UInt8] { Array(buffer[payload]) }

    public var count: Int { payload.count }
}
