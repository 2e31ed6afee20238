import FerryRaft

/// One simulated machine's process as the nemesis sees it, in either mode (raft mode's `SimNode`, queue
/// mode's `QueueHost`): up or down, paused or running, and an incarnation that a crash or restart bumps.
protocol SimulatedProcess: AnyObject {
    var id: NodeID { get }
    var isUp: Bool { get }
    var isRunning: Bool { get }
    var pausedUntil: SimMicros? { get set }
    var incarnation: UInt32 { get }
}

/// The fault draws both modes' nemeses share. Each mode schedules what follows (a restart, a resume) as
/// its own event.
enum Nemesis {
    /// The processes a crash may hit: the ones up, unless `crashedNodesMax` are down already.
    static func crashCandidates<Process: SimulatedProcess>(_ processes: [Process], crashedNodesMax: Int) -> [Process] {
        let down = processes.filter { !$0.isUp }.count
        guard down < crashedNodesMax else { return [] }
        return processes.filter { $0.isUp }
    }

    /// Stops one running process for longer than an election timeout (a GC pause, SIGSTOP): sets its
    /// `pausedUntil` and returns it with the pause's length, or nil when no process runs.
    static func pauseOne<Process: SimulatedProcess>(
        of processes: [Process], now: SimMicros, pauseMicrosMax: SimMicros, random: inout Xoshiro256StarStar
    ) -> (victim: Process, durationMicros: SimMicros)? {
        let candidates = processes.filter { $0.isRunning }
        guard !candidates.isEmpty else { return nil }
        let victim = random.pick(candidates)
        let electionMicros = SimMicros(RaftOptions(id: victim.id).electionTimeoutTicks) * SimConstants.tickMicros
        let duration = random.uint64(in: electionMicros...max(electionMicros, pauseMicrosMax))
        victim.pausedUntil = now + duration
        return (victim, duration)
    }
}

extension SimulatedProcess {
    /// Ends a pause, unless the process crashed since (its incarnation moved on) or already runs.
    func resume(incarnation: UInt32) -> Bool {
        guard self.incarnation == incarnation, pausedUntil != nil else { return false }
        pausedUntil = nil
        return true
    }
}

extension SimNode: SimulatedProcess {}
extension QueueHost: SimulatedProcess {}
