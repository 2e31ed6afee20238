/// Why a framed connection closed.
public enum FramedCloseReason: Equatable, Sendable {
    /// The TCP connection closed (locally, by EOF, by error, or by write-queue overflow).
    case tcp(TCPCloseReason)
    /// The peer sent a length prefix above the bound; we closed the link.
    case frame(FrameError)
}

/// A TCP connection carrying length-prefixed frames (`FrameDecoder`). Loop thread only.
///
/// Takes over the connection's callbacks and starts reading. Frames are delivered in order to `onFrame`, where
/// they lie in the receive buffer (`ReceivedFrame`);
/// an oversize frame closes the connection and reports `.frame(.frameTooLarge)`. Write backpressure is
/// the connection's: `send` returns its `TCPWriteResult`, and `onWritable` is forwarded.
public final class FramedConnection {
    public let connection: TCPConnection
    public var onFrame: ((ReceivedFrame) -> Void)?
    public var onWritable: (() -> Void)? {
        didSet { connection.onWritable = { [unowned self] in self.onWritable?() } }
    }
    /// Fires once; all callbacks are released afterwards.
    public var onClose: ((FramedCloseReason) -> Void)?
    /// Unchecked exclusivity: see `EventLoop.endOfTurnFlushes`.
    @exclusivity(unchecked) private var decoder: FrameDecoder
    private var frameError: FrameError?

    public init(connection: TCPConnection, frameBytesMax: Int = FrameDecoder.frameBytesMaxDefault) {
        self.connection = connection
        decoder = FrameDecoder(frameBytesMax: frameBytesMax)
        // The connection's callbacks hold `self` strongly until it closes: the link lives as long as its socket.
        connection.onRead = { bytes in self.didRead(bytes) }
        connection.onClose = { reason in
            let onClose = self.onClose
            self.onFrame = nil
            self.onClose = nil
            self.onWritable = nil
            onClose?(self.frameError.map { .frame($0) } ?? .tcp(reason))
        }
        connection.startReading()
    }

    /// Sends one frame (header and payload coalesce in the connection's write queue).
    /// A payload above the decoder's bound is a programmer error: the peer would close the link.
    @discardableResult
    public func send(_ payload: [UInt8]) -> TCPWriteResult {
        precondition(payload.count <= decoder.frameBytesMax, "frame of \(payload.count) bytes exceeds frameBytesMax")
        // The length prefix (`FrameEncoder.header`) written from the stack: an array of four bytes was an
        // allocation a frame, several frames a replicated command on every node.
        var length = UInt32(payload.count).bigEndian
        guard withUnsafeBytes(of: &length, { connection.write($0) }) != .closed else { return .closed }
        return connection.write(payload)
    }

    /// The largest frame accepted from the peer (and sent to it); raising it takes effect from the next frame.
    public var frameBytesMax: Int {
        get { decoder.frameBytesMax }
        set { decoder.frameBytesMax = newValue }
    }

    /// Closes the link now (unsent frames are dropped). Idempotent.
    public func close() { connection.close() }

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        decoder.append(bytes)
        do {
            while !connection.isClosed, let frame = try decoder.nextFrameInPlace() {
                onFrame?(frame)
            }
        } catch {
            frameError = error
            connection.close()
        }
    }
}
