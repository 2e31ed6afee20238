import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// One libuv loop driven by one thread: the only thread a node ever runs on.
///
/// Contract:
/// - `run()` blocks the calling thread (the *loop thread*) until `stop()`; every loop-owned object
///   (timers, connections, listeners, signal watchers) is created and used on that thread only, and
///   asserts it with `preconditionInLoop()`.
/// - `execute(_:)` is the one thread-safe entry point: other threads post closures that run on the loop
///   thread in posting order, woken through a `uv_async_t`.
/// - Writes queued during a loop turn are flushed once at the end of the turn (a `uv_prepare_t` before
///   the loop blocks and a `uv_check_t` after I/O callbacks), which is what coalesces many small writes
///   into one `uv_write`. Objects registered with `.last` (peer links' leftovers) are flushed after all
///   others, so a node's answers to its clients leave before its background traffic.
/// - `shutdown()` closes every remaining handle and the loop itself; the object is unusable afterwards.
///
/// `@unchecked Sendable`: only `execute(_:)` and `stopFromAnyThread()` may be called off the loop thread,
/// and they touch nothing but the mutex-guarded `posted` queue and `uv_async_send` (documented thread-safe).
public final class EventLoop: @unchecked Sendable {
    /// Bound on closures posted through `execute(_:)` that have not run yet. Posters are other threads
    /// (thread-pool completions use `uv_queue_work`, not this); a flood means a runaway producer, and
    /// dropping work silently would be worse than stopping loudly.
    public static let postedClosuresMax = 65_536

    let uvLoop: UnsafeMutablePointer<uv_loop_t>
    private let wakeup: UnsafeMutablePointer<uv_async_t>
    private let endOfTurnPrepare: UnsafeMutablePointer<uv_prepare_t>
    private let endOfTurnCheck: UnsafeMutablePointer<uv_check_t>
    private let postedMutex: UnsafeMutablePointer<uv_mutex_t>
    /// The buffer every TCP read on this loop lands in. `onRead` consumes (copies) a read's bytes before
    /// libuv starts the next read, on any connection, so connections need no buffer of their own: 4,096
    /// client connections each holding 64 KiB used to pin 256 MiB before any of them was authenticated.
    let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: TCPConnection.readBufferBytes, alignment: 16)
    /// Spare write-queue chunks for this loop's connections.
    let writeChunks = WriteChunkPool()
    /// Guarded by `postedMutex`: closures posted from any thread, not yet run.
    private var posted: [@Sendable () -> Void] = []
    /// Guarded by `postedMutex`: true after `shutdown()`, when posted closures are dropped.
    private var isShutDown = false
    /// The thread that runs the loop: the creating thread until `run()` is called on another one.
    private var loopThread: uv_thread_t
    /// Loop thread only: true once `stop()` was requested and `run()` has not yet returned.
    private var stopRequested = false
    /// Loop thread only: true while `run()` is on the stack.
    private var isRunning = false
    /// Loop thread only: objects with writes queued this turn, flushed at the end of the turn.
    /// `@exclusivity(unchecked)` here and on the few other properties the runtime touches on every
    /// message (TCPConnection, FramedConnection, PeerChannel, WorkPool): their dynamic exclusivity checks
    /// cost ~200 instructions an access, dozens of accesses a request on every node. None can fire: each is
    /// loop-thread only, and no access to it spans a call that can reach it again (the lists are taken out
    /// before any flush runs; frames are handed on after `nextFrameInPlace` returns).
    @exclusivity(unchecked) private var endOfTurnFlushes: [EndOfTurnFlushing] = []
    /// Loop thread only: flushed at the end of the turn once `endOfTurnFlushes` is empty.
    @exclusivity(unchecked) private var lastEndOfTurnFlushes: [EndOfTurnFlushing] = []
    /// Loop thread only: when this turn's poll for events started (`uv_hrtime`), 0 once the turn woke.
    private var pollStartedNs: UInt64 = 0
    /// Loop thread only: nanoseconds spent waiting for events so far (`idleTimeNs`).
    private var idleNs: UInt64 = 0

    /// libuv writes to sockets with write(2), which raises SIGPIPE when the peer has gone (a client that
    /// closed while its response was being written); the default action kills the process without a word
    /// in the log, and libuv leaves it at the default. Ignored once per process, so the write fails with
    /// EPIPE and only that connection closes.
    private static let ignoreBrokenPipeSignal: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// Creates and initialises a loop owned by the calling thread.
    public init() throws(UVError) {
        Self.ignoreBrokenPipeSignal
        uvLoop = .allocate(capacity: 1)
        wakeup = .allocate(capacity: 1)
        endOfTurnPrepare = .allocate(capacity: 1)
        endOfTurnCheck = .allocate(capacity: 1)
        postedMutex = .allocate(capacity: 1)
        loopThread = uv_thread_self()
        let status = uv_loop_init(uvLoop)
        guard status == 0 else {
            uvLoop.deallocate()
            wakeup.deallocate()
            endOfTurnPrepare.deallocate()
            endOfTurnCheck.deallocate()
            postedMutex.deallocate()
            throw UVError(code: status, operation: "uv_loop_init")
        }
        precondition(uv_mutex_init(postedMutex) == 0, "uv_mutex_init cannot fail on Linux without ENOMEM")
        let me = Unmanaged.passUnretained(self).toOpaque()
        uvLoop.pointee.data = me
        precondition(
            uv_async_init(uvLoop, wakeup) { handle in
                let loop = EventLoop.from(handle!.pointee.loop)
                loop.noteAwake()
                loop.drainPosted()
            } == 0)
        precondition(uv_prepare_init(uvLoop, endOfTurnPrepare) == 0)
        precondition(uv_check_init(uvLoop, endOfTurnCheck) == 0)
        uv_prepare_start(endOfTurnPrepare) { prepare in
            let loop = EventLoop.from(prepare!.pointee.loop)
            loop.flushEndOfTurn()
            loop.pollStartedNs = uv_hrtime()  // the poll follows the prepare handles at once
        }
        uv_check_start(endOfTurnCheck) { check in
            let loop = EventLoop.from(check!.pointee.loop)
            loop.noteAwake()  // a poll that timed out (or woke for libuv's own work) ran no callback of ours
            loop.flushEndOfTurn()
        }
        // The wakeup and end-of-turn handles must not keep the loop alive on their own.
        uv_unref(UnsafeMutableRawPointer(wakeup).assumingMemoryBound(to: uv_handle_t.self))
        uv_unref(UnsafeMutableRawPointer(endOfTurnPrepare).assumingMemoryBound(to: uv_handle_t.self))
        uv_unref(UnsafeMutableRawPointer(endOfTurnCheck).assumingMemoryBound(to: uv_handle_t.self))
    }

    deinit {
        precondition(isShutDown, "an EventLoop was released without shutdown()")
        uv_mutex_destroy(postedMutex)
        uvLoop.deallocate()
        wakeup.deallocate()
        endOfTurnPrepare.deallocate()
        endOfTurnCheck.deallocate()
        postedMutex.deallocate()
        readBuffer.deallocate()
    }

    static func from(_ loop: UnsafeMutablePointer<uv_loop_t>?) -> EventLoop {
        Unmanaged<EventLoop>.fromOpaque(loop!.pointee.data!).takeUnretainedValue()
    }

    /// Nanoseconds the loop has spent waiting for events since it was created: from the end of each turn's
    /// prepare phase (right before the poll) to the first callback of the poll's events (`noteAwake`), or to
    /// the check phase when none ran. Not libuv's own `UV_METRICS_IDLE_TIME`: to time only polls that block,
    /// libuv 1.44 polls once without waiting before each wait, one more `epoll_wait` every turn.
    public var idleTimeNs: UInt64 { idleNs }

    /// Called first by every callback of ours that libuv runs for a polled event: the loop's wait ended.
    func noteAwake() {
        guard pollStartedNs != 0 else { return }
        idleNs += uv_hrtime() - pollStartedNs
        pollStartedNs = 0
    }

    // MARK: Thread ownership

    /// True when called on the loop thread. Callable from any thread once `run()` has started
    /// (the loop thread is recorded before anything runs on it).
    public var inLoopThread: Bool {
        var me = uv_thread_self()
        return uv_thread_equal(&me, &loopThread) != 0
    }

    /// Stops the process when called off the loop thread: loop-owned state is unsynchronised, so a call
    /// from another thread is a data race, a programmer error.
    public func preconditionInLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inLoopThread, "called off the EventLoop thread", file: file, line: line)
    }

    // MARK: Running

    /// Runs the loop on the calling thread until `stop()`. The calling thread becomes the loop thread.
    /// Returns early, without a `stop()`, only if the loop has nothing left that keeps it alive.
    public func run() {
        precondition(!isRunning, "run() is not reentrant")
        loopThread = uv_thread_self()
        isRunning = true
        defer {
            isRunning = false
            stopRequested = false
        }
        while !stopRequested {
            // uv_run returns after uv_stop, or when no referenced handle or request is left.
            if uv_run(uvLoop, UV_RUN_DEFAULT) == 0 && !stopRequested {
                drainPosted()
                if uv_loop_alive(uvLoop) == 0 { return }
            }
        }
    }

    /// Asks `run()` to return once the current callback finishes. Loop thread only.
    public func stop() {
        preconditionInLoop()
        stopRequested = true
        uv_stop(uvLoop)
    }

    /// Thread-safe `stop()`: posts it to the loop.
    public func stopFromAnyThread() {
        execute { [unowned self] in self.stop() }
    }

    /// The loop's cached monotonic clock in milliseconds (`uv_now`), updated once per loop turn. This is
    /// what a node reads for its tick; it never jumps backwards.
    public var nowMs: UInt64 { uv_now(uvLoop) }

    /// A fresh monotonic high-resolution reading in nanoseconds (`uv_hrtime`), for measurements.
    public static var hrtimeNs: UInt64 { uv_hrtime() }

    // MARK: Posting work from other threads

    /// Runs `work` on the loop thread, soon, in posting order. Callable from any thread.
    /// Work posted after `shutdown()` is dropped.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        uv_mutex_lock(postedMutex)
        if isShutDown {
            uv_mutex_unlock(postedMutex)
            return
        }
        precondition(
            posted.count < Self.postedClosuresMax, "EventLoop.execute: \(Self.postedClosuresMax) closures pending")
        posted.append(work)
        uv_mutex_unlock(postedMutex)
        uv_async_send(wakeup)
    }

    private func drainPosted() {
        uv_mutex_lock(postedMutex)
        let batch = posted
        posted.removeAll(keepingCapacity: true)
        uv_mutex_unlock(postedMutex)
        for work in batch { work() }
    }

    // MARK: End-of-turn flushing

    /// Registers `object` to be flushed at the end of this loop turn: in registration order, and those
    /// registered `.last` only once every other one is flushed. The caller keeps its own "already
    /// scheduled" flag so an object is registered at most once per turn.
    func flushAtEndOfTurn(_ object: EndOfTurnFlushing, order: EndOfTurnOrder = .first) {
        preconditionInLoop()
        switch order {
        case .first: endOfTurnFlushes.append(object)
        case .last: lastEndOfTurnFlushes.append(object)
        }
    }

    /// Runs `body` at the end of this loop turn, after every I/O callback of the turn and before the
    /// sockets' own end-of-turn flush (anything `body` writes goes out in the same turn). Loop thread only.
    public func atEndOfTurn(_ body: @escaping () -> Void) {
        flushAtEndOfTurn(EndOfTurnAction(body))
    }

    private func flushEndOfTurn() {
        // A flush may register more (an action that writes): loop until both lists stay empty.
        while true {
            let batch: [EndOfTurnFlushing]
            if !endOfTurnFlushes.isEmpty {
                batch = Self.takeAll(&endOfTurnFlushes)
            } else if !lastEndOfTurnFlushes.isEmpty {
                batch = Self.takeAll(&lastEndOfTurnFlushes)
            } else {
                return
            }
            // Outside any access to the lists: a flush may register more.
            for object in batch { object.flushEndOfTurn() }
        }
    }

    private static func takeAll(_ registered: inout [EndOfTurnFlushing]) -> [EndOfTurnFlushing] {
        let batch = registered
        registered.removeAll(keepingCapacity: true)
        return batch
    }

    // MARK: Shutdown

    /// Closes every handle still open (their close callbacks run), then the loop. Loop thread only,
    /// never from inside `run()`. Afterwards the loop is unusable and `execute(_:)` drops work.
    public func shutdown() {
        preconditionInLoop()
        precondition(!isRunning, "shutdown() from inside run(): stop() first")
        uv_mutex_lock(postedMutex)
        isShutDown = true
        posted.removeAll()
        uv_mutex_unlock(postedMutex)
        endOfTurnFlushes.removeAll()
        lastEndOfTurnFlushes.removeAll()
        uv_walk(
            uvLoop,
            { handle, _ in
                guard let handle, uv_is_closing(handle) == 0 else { return }
                let loop = EventLoop.from(handle.pointee.loop)
                if loop.isLoopInternal(handle) {
                    uv_close(handle, nil)
                } else {
                    Unmanaged<LoopHandle>.fromOpaque(handle.pointee.data!).takeUnretainedValue().closeForShutdown()
                }
            }, nil)
        // Close callbacks and cancelled requests complete within a few turns; loop until none is left.
        while uv_run(uvLoop, UV_RUN_DEFAULT) != 0 {}
        let status = uv_loop_close(uvLoop)
        precondition(status == 0, "uv_loop_close: \(UVError(code: status, operation: "uv_loop_close"))")
    }

    private func isLoopInternal(_ handle: UnsafeMutablePointer<uv_handle_t>) -> Bool {
        let raw = UnsafeMutableRawPointer(handle)
        return raw == UnsafeMutableRawPointer(wakeup) || raw == UnsafeMutableRawPointer(endOfTurnPrepare)
            || raw == UnsafeMutableRawPointer(endOfTurnCheck)
    }
}

/// Where an object's end-of-turn flush goes: with the others, or after all of them.
public enum EndOfTurnOrder: Sendable {
    case first
    case last
}

/// An object with output batched per loop turn (a TCP connection's queued writes).
protocol EndOfTurnFlushing: AnyObject {
    /// Called once at the end of the loop turn in which the object registered itself.
    func flushEndOfTurn()
}

final class EndOfTurnAction: EndOfTurnFlushing {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
    func flushEndOfTurn() { body() }
}
