import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own that runs jobs one at a time, in submission order, and calls their completions
/// back on the loop thread in the same order. For the node's durable writes, which go out one at a time
/// anyway (group commit) and wait on nothing else.
///
/// Why not `WorkPool`: libuv's pool signals its condition variable while holding the pool's mutex, so the
/// woken pool thread blocked on that mutex at once (two more futex calls and a second context switch per
/// write), and each write woke a different one of its four threads. Here the one thread sleeps on a
/// semaphore, posted only when it sleeps and after the mutex is released: one futex call each side.
///
/// Contract: `submit` is loop-thread only; `work` runs on the worker thread and must touch nothing
/// loop-owned (it is `@Sendable`); `completion` runs later on the loop thread, exactly once, unless the
/// worker is closed first (`close()`, or the loop's `shutdown()`): then the jobs already submitted still run
/// (closing waits for them) and their completions are dropped. Jobs in flight keep the loop alive.
///
/// ```swift
/// let writer = try SerialWorker(loop: loop)
/// writer.submit({ write.performCatching(on: fileSystem) }) { result in storage.didWrite(result) }
/// ```
public final class SerialWorker: LoopHandle {
    /// Jobs submitted whose completion has not run yet.
    public private(set) var jobsInFlight = 0
    private let queue: SerialWorkQueue
    private var thread = uv_thread_t()
    private var isThreadRunning = false

    public init(loop: EventLoop) throws(UVError) {
        queue = SerialWorkQueue()
        super.init(loop: loop, handleType: uv_async_t.self)
        let async = handleMemory.assumingMemoryBound(to: uv_async_t.self)
        try uvCheck(
            uv_async_init(loop.uvLoop, async) { async in
                let worker = LoopHandle.owner(async, as: SerialWorker.self)
                worker.loop.noteAwake()
                worker.completeFinishedJobs()
            }, "uv_async_init")
        retainIntoHandle()
        // Idle, the worker must not keep the loop running; `submit` refs the handle while jobs are out.
        uv_unref(uvHandle)
        queue.completionSignal = async
        let started = uv_thread_create(
            &thread,
            { context in
                Unmanaged<SerialWorkQueue>.fromOpaque(context!).takeRetainedValue().runJobs()
            }, Unmanaged.passRetained(queue).toOpaque())
        guard started == 0 else {
            Unmanaged.passUnretained(queue).release()
            closeHandle()
            throw UVError(code: started, operation: "uv_thread_create")
        }
        isThreadRunning = true
    }

    /// Runs `work` on the worker thread after every job submitted before it, then `completion(result)` on
    /// the loop thread.
    public func submit<T: Sendable>(_ work: @escaping @Sendable () -> T, completion: @escaping (T) -> Void) {
        loop.preconditionInLoop()
        precondition(!isClosing, "SerialWorker.submit after close()")
        if jobsInFlight == 0 { uv_ref(uvHandle) }
        jobsInFlight += 1
        queue.enqueue(ClosureJob(work: work, completion: completion))
    }

    /// Stops the thread once the jobs submitted so far have run (waiting for them), then closes; their
    /// completions are dropped. Idempotent.
    public func close() { closeHandle() }

    override func willClose() {
        guard isThreadRunning else { return }
        isThreadRunning = false
        queue.stop()
        uv_thread_join(&thread)
        jobsInFlight -= queue.takeFinished().count
    }

    private func completeFinishedJobs() {
        for job in queue.takeFinished() {
            jobsInFlight -= 1
            job.completeOnLoopThread()
        }
        if jobsInFlight == 0 && !isClosing { uv_unref(uvHandle) }
    }
}

/// The state shared by the loop thread and the worker thread, all of it guarded by `mutex`.
///
/// `@unchecked Sendable`: every stored property but `completionSignal` and `wakeup` is read and written with
/// `mutex` held; `completionSignal` is set before the thread starts and only passed to `uv_async_send`, which
/// is thread-safe (the handle is closed only after the thread was joined); `wakeup` is a semaphore.
private final class SerialWorkQueue: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<uv_mutex_t>.allocate(capacity: 1)
    /// Posted once for each time the thread goes to sleep with nothing queued, by whoever clears `isSleeping`.
    /// A semaphore, not a condition variable: glibc's `pthread_cond_wait` takes the mutex back marked
    /// contended, which cost the thread a needless futex wake on every job.
    private let wakeup = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    var completionSignal: UnsafeMutablePointer<uv_async_t>?
    private var queued: [PoolJob] = []
    private var finished: [PoolJob] = []
    private var isSleeping = false
    private var isStopping = false

    init() {
        precondition(uv_mutex_init(mutex) == 0, "uv_mutex_init cannot fail on Linux without ENOMEM")
        precondition(sem_init(wakeup, 0, 0) == 0, "sem_init of a private semaphore cannot fail")
    }

    deinit {
        sem_destroy(wakeup)
        uv_mutex_destroy(mutex)
        wakeup.deallocate()
        mutex.deallocate()
    }

    /// Loop thread.
    func enqueue(_ job: PoolJob) {
        uv_mutex_lock(mutex)
        queued.append(job)
        wakeIfSleepingAndUnlock()
    }

    /// Loop thread: the thread finishes what is queued, then returns from `runJobs`.
    func stop() {
        uv_mutex_lock(mutex)
        isStopping = true
        wakeIfSleepingAndUnlock()
    }

    private func wakeIfSleepingAndUnlock() {
        let wake = isSleeping
        isSleeping = false
        uv_mutex_unlock(mutex)
        if wake { sem_post(wakeup) }
    }

    /// Loop thread.
    func takeFinished() -> [PoolJob] {
        uv_mutex_lock(mutex)
        defer { uv_mutex_unlock(mutex) }
        let batch = finished
        finished.removeAll(keepingCapacity: true)
        return batch
    }

    /// The worker thread's body.
    func runJobs() {
        while true {
            uv_mutex_lock(mutex)
            if queued.isEmpty {
                if isStopping {
                    uv_mutex_unlock(mutex)
                    return
                }
                isSleeping = true
                uv_mutex_unlock(mutex)
                while sem_wait(wakeup) != 0 {}  // EINTR only
                continue
            }
            let job = queued.removeFirst()
            uv_mutex_unlock(mutex)
            job.runOnPoolThread()
            uv_mutex_lock(mutex)
            finished.append(job)
            uv_mutex_unlock(mutex)
            uv_async_send(completionSignal!)
        }
    }
}
