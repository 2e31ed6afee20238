import CLibUV

/// A one-shot or repeating timer on the loop (`uv_timer_t`). Loop thread only.
///
/// Usage: `let tick = try LoopTimer(loop: loop); tick.start(afterMs: 100, repeatMs: 100) { node.tick() }`.
/// `cancel()` stops it and it may be started again; `close()` releases it for good. The callback is
/// dropped on `cancel()` and `close()`, so whatever it captures is released then.
///
/// Named `LoopTimer` so it never collides with Foundation's `Timer`.
public final class LoopTimer: LoopHandle {
    private var fire: (() -> Void)?

    public init(loop: EventLoop) throws(UVError) {
        super.init(loop: loop, handleType: uv_timer_t.self)
        try uvCheck(uv_timer_init(loop.uvLoop, timer), "uv_timer_init")
        retainIntoHandle()
    }

    private var timer: UnsafeMutablePointer<uv_timer_t> { handleMemory.assumingMemoryBound(to: uv_timer_t.self) }

    /// True while started and not yet fired (one-shot) or cancelled.
    public var isActive: Bool { !isClosing && uv_is_active(uvHandle) != 0 }

    /// Starts (or restarts) the timer: `fire` runs after `afterMs`, then every `repeatMs` if non-zero.
    /// Timeouts are measured against the loop's cached clock (`EventLoop.nowMs`).
    public func start(afterMs: UInt64, repeatMs: UInt64 = 0, _ fire: @escaping () -> Void) {
        loop.preconditionInLoop()
        precondition(!isClosing, "start() on a closed timer")
        self.fire = fire
        let status = uv_timer_start(
            timer,
            { timer in
                let me = LoopHandle.owner(timer, as: LoopTimer.self)
                let fire = me.fire
                if uv_is_active(me.uvHandle) == 0 { me.fire = nil }  // one-shot: fired for the last time
                fire?()
            }, afterMs, repeatMs)
        precondition(status == 0, "uv_timer_start fails only on a closing handle")
    }

    /// Stops the timer if active; it may be started again. Idempotent.
    public func cancel() {
        loop.preconditionInLoop()
        guard !isClosing else { return }
        uv_timer_stop(timer)
        fire = nil
    }

    /// Stops and releases the timer. Idempotent.
    public func close() { closeHandle() }

    override func willClose() {
        uv_timer_stop(timer)
        fire = nil
    }
}

extension EventLoop {
    /// A started one-shot timer: `fire` runs once after `afterMs`. Keep the result to `cancel()` it;
    /// the loop keeps it alive until it is closed (at the latest by `shutdown()`).
    @discardableResult
    public func scheduleOnce(afterMs: UInt64, _ fire: @escaping () -> Void) throws(UVError) -> LoopTimer {
        let timer = try LoopTimer(loop: self)
        timer.start(afterMs: afterMs) { [unowned timer] in
            fire()
            timer.close()
        }
        return timer
    }

    /// A started repeating timer: `fire` runs every `everyMs`, first after `everyMs`. Use it for a node's tick.
    public func scheduleRepeating(everyMs: UInt64, _ fire: @escaping () -> Void) throws(UVError) -> LoopTimer {
        precondition(everyMs > 0, "a repeating timer needs a non-zero period")
        let timer = try LoopTimer(loop: self)
        timer.start(afterMs: everyMs, repeatMs: everyMs, fire)
        return timer
    }
}
