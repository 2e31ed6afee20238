import CLibUV

/// The base of every object that owns exactly one libuv handle (timer, TCP socket, signal watcher).
///
/// Lifetime contract: once the subclass has initialised the handle it calls `retainIntoHandle()`, which
/// stores a retained `Unmanaged` pointer to `self` in the handle's `data` field (C callbacks cannot
/// capture context, they find the object there). `close()` calls `uv_close`; the close callback releases
/// that retain, so the object lives at least until libuv is done with the handle. The handle memory is
/// freed in `deinit`, which cannot run before the close callback.
///
/// Every method runs on the loop thread only. Public only because public handle types inherit from it;
/// it has no public members and cannot be subclassed outside the module.
public class LoopHandle {
    /// The loop this handle belongs to; every call on the handle happens on its thread.
    let loop: EventLoop
    /// The raw `uv_xxx_t` memory, sized for the concrete handle type.
    let handleMemory: UnsafeMutableRawPointer
    /// True from `close()` on; libuv forbids using a handle that is closing.
    private(set) var isClosing = false
    /// True once `retainIntoHandle()` ran: the handle is initialised and must be closed with `uv_close`.
    private(set) var isOpen = false

    init<Handle>(loop: EventLoop, handleType: Handle.Type) {
        loop.preconditionInLoop()
        self.loop = loop
        handleMemory = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<Handle>.size, alignment: MemoryLayout<Handle>.alignment)
        handleMemory.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Handle>.size)
    }

    deinit {
        precondition(!isOpen || isClosing, "a libuv handle was freed while open: close() was never called")
        handleMemory.deallocate()
    }

    var uvHandle: UnsafeMutablePointer<uv_handle_t> { handleMemory.assumingMemoryBound(to: uv_handle_t.self) }

    /// Marks the handle initialised and stores a retained pointer to `self` in its `data` field.
    final func retainIntoHandle() {
        precondition(!isOpen, "retainIntoHandle() called twice")
        isOpen = true
        uvHandle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Recovers the owner of a handle from its `data` field inside a C callback (no retain change).
    static func owner<T: LoopHandle, Handle>(_ handle: UnsafeMutablePointer<Handle>?, as: T.Type) -> T {
        let uv = UnsafeMutableRawPointer(handle!).assumingMemoryBound(to: uv_handle_t.self)
        return Unmanaged<LoopHandle>.fromOpaque(uv.pointee.data!).takeUnretainedValue() as! T
    }

    /// Closes the handle: `willClose()` now, `didClose()` from libuv's close callback. Idempotent.
    final func closeHandle() {
        loop.preconditionInLoop()
        guard isOpen, !isClosing else { return }
        isClosing = true
        willClose()
        uv_close(uvHandle) { handle in
            let owner = Unmanaged<LoopHandle>.fromOpaque(handle!.pointee.data!)
            handle!.pointee.data = nil
            owner.takeUnretainedValue().didClose()
            owner.release()
        }
    }

    /// Called synchronously by `closeHandle()` before `uv_close`: stop timers, cancel work.
    func willClose() {}

    /// Called from libuv's close callback: the handle is gone; report to the user.
    func didClose() {}

    /// Closes this handle as part of `EventLoop.shutdown()`.
    func closeForShutdown() { closeHandle() }
}
