import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// Blocking work (fsync, fdatasync, large reads) run on libuv's thread pool (`uv_queue_work`), with the
/// completion called back on the loop thread. The loop thread itself never blocks on the disk.
///
/// Contract: `work` runs on a pool thread and must touch nothing loop-owned (it is `@Sendable`);
/// `completion` runs later on the loop thread with its result, exactly once, even during `shutdown()`.
///
/// ```swift
/// try pool.fsync(fd: segmentFD) { result in storage.didSync(result) }   // group commit: one per batch
/// ```
public final class WorkPool {
    /// Bound on jobs queued or running. libuv's pool has 4 threads and an unbounded queue; a node has a
    /// few syncs in flight at most (group commit), so more means the disk stalled and callers must wait.
    public static let jobsInFlightMax = 1_024

    public let loop: EventLoop
    /// Jobs submitted whose completion has not run yet. Invariant: <= jobsInFlightMax.
    /// Unchecked exclusivity: see `EventLoop.endOfTurnFlushes`.
    @exclusivity(unchecked) public private(set) var jobsInFlight = 0

    public init(loop: EventLoop) { self.loop = loop }

    /// Runs `work` on the pool, then `completion(result)` on the loop thread.
    public func submit<T: Sendable>(
        _ work: @escaping @Sendable () -> T, completion: @escaping (T) -> Void
    ) throws(WorkPoolError) {
        loop.preconditionInLoop()
        guard jobsInFlight < Self.jobsInFlightMax else { throw .saturated(jobsInFlightMax: Self.jobsInFlightMax) }
        let job = TypedPoolJob(work: work, completion: completion, pool: self)
        let request = UnsafeMutablePointer<uv_work_t>.allocate(capacity: 1)
        request.pointee.data = Unmanaged<PoolJob>.passRetained(job).toOpaque()
        let status = uv_queue_work(
            loop.uvLoop, request,
            { request in
                Unmanaged<PoolJob>.fromOpaque(request!.pointee.data!).takeUnretainedValue().runOnPoolThread()
            },
            { request, status in
                EventLoop.from(request!.pointee.loop).noteAwake()
                let job = Unmanaged<PoolJob>.fromOpaque(request!.pointee.data!).takeRetainedValue()
                request!.deallocate()
                job.completeOnLoopThread()
            })
        guard status == 0 else {
            Unmanaged<PoolJob>.fromOpaque(request.pointee.data!).release()
            request.deallocate()
            throw .queue(UVError(code: status, operation: "uv_queue_work"))
        }
        jobsInFlight += 1
    }

    fileprivate func jobDidComplete() {
        loop.preconditionInLoop()
        precondition(jobsInFlight > 0, "a job completed that was never counted")
        jobsInFlight -= 1
    }

    /// `fsync(fd)` (or `fdatasync` when `dataOnly`) on the pool; the result comes back on the loop thread.
    /// The caller keeps `fd` open until the completion runs.
    public func fsync(
        fd: Int32, dataOnly: Bool = false, completion: @escaping (Result<Void, FileError>) -> Void
    ) throws(WorkPoolError) {
        try submit(
            { () -> Result<Void, FileError> in
                let status = dataOnly ? Glibc.fdatasync(fd) : Glibc.fsync(fd)
                return status == 0
                    ? .success(()) : .failure(FileError(errno: errno, operation: dataOnly ? "fdatasync" : "fsync"))
            }, completion: completion)
    }
}

/// The pool refused a job.
public enum WorkPoolError: Error, Equatable, Sendable {
    /// `jobsInFlightMax` jobs are pending: wait for completions before submitting more.
    case saturated(jobsInFlightMax: Int)
    /// libuv refused the job.
    case queue(UVError)
}

/// A failed file system call, with the errno it set.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let errno: Int32
    public let operation: String
    public init(errno: Int32, operation: String) {
        self.errno = errno
        self.operation = operation
    }
    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// One job; the base class lets the C callbacks call into a generic subclass.
///
/// `@unchecked Sendable`: `runOnPoolThread` runs on a pool thread and only writes the result, and libuv
/// runs the after-work callback (`completeOnLoopThread`, which reads it) only after the work returned.
class PoolJob: @unchecked Sendable {
    func runOnPoolThread() { preconditionFailure("abstract") }
    func completeOnLoopThread() { preconditionFailure("abstract") }
}

/// `@unchecked Sendable`: as `PoolJob`; `completion` and `pool` are touched on the loop thread only.
private final class TypedPoolJob<T: Sendable>: PoolJob, @unchecked Sendable {
    private let work: @Sendable () -> T
    private var result: T?
    /// Loop thread only.
    private let completion: (T) -> Void
    private let pool: WorkPool

    init(work: @escaping @Sendable () -> T, completion: @escaping (T) -> Void, pool: WorkPool) {
        self.work = work
        self.completion = completion
        self.pool = pool
    }

    override func runOnPoolThread() { result = work() }

    override func completeOnLoopThread() {
        pool.jobDidComplete()
        // uv_cancel is never called, so the work always ran and `result` is set.
        completion(result!)
    }
}
