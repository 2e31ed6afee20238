import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// Calls back on the loop thread when the process receives a signal (`uv_signal_t`). Loop thread only.
///
/// libuv's handler only writes to a pipe; the callback runs later on the loop, where it may do anything
/// (typically: stop accepting, flush, `loop.stop()`). Closing the last watcher of a signal restores the
/// default disposition.
///
/// ```swift
/// let watchers = try SignalWatcher.gracefulStop(loop: loop) { signal in node.beginGracefulStop() }
/// ```
public final class SignalWatcher: LoopHandle {
    public let signal: Int32
    private var onSignal: ((Int32) -> Void)?

    public init(loop: EventLoop, signal: Int32, onSignal: @escaping (Int32) -> Void) throws(UVError) {
        self.signal = signal
        self.onSignal = onSignal
        super.init(loop: loop, handleType: uv_signal_t.self)
        let handle = handleMemory.assumingMemoryBound(to: uv_signal_t.self)
        try uvCheck(uv_signal_init(loop.uvLoop, handle), "uv_signal_init")
        retainIntoHandle()
        let status = uv_signal_start(
            handle,
            { handle, signal in
                let watcher = LoopHandle.owner(handle, as: SignalWatcher.self)
                watcher.loop.noteAwake()
                watcher.onSignal?(signal)
            }, signal)
        if status < 0 {
            closeHandle()
            throw UVError(code: status, operation: "uv_signal_start \(signal)")
        }
        // A signal watcher alone must not keep the loop running.
        uv_unref(uvHandle)
    }

    /// Stops watching; the signal's default disposition returns with the last watcher. Idempotent.
    public func close() { closeHandle() }

    override func willClose() { onSignal = nil }

    /// Watchers for SIGTERM and SIGINT (systemd / kubectl stop, Ctrl-C) calling `onSignal` on the loop.
    public static func gracefulStop(
        loop: EventLoop, onSignal: @escaping (Int32) -> Void
    ) throws(UVError) -> [SignalWatcher] {
        let term = try SignalWatcher(loop: loop, signal: SIGTERM, onSignal: onSignal)
        do {
            return [term, try SignalWatcher(loop: loop, signal: SIGINT, onSignal: onSignal)]
        } catch {
            term.close()
            throw error
        }
    }
}
