import FerryRaft

/// What the run loop needs of a mode's events.
protocol SimulationEvent {
    /// A small integer naming the kind, for the trace hash.
    var kindCode: UInt64 { get }
    /// The node whose process handles the event (pauses delay these); nil for global events.
    var targetNode: NodeID? { get }
}

/// One seed's world as the simulator core drives it. Raft mode (`Simulation`: FerryRaft cores over the
/// simulator's own log) and queue mode (`QueueSimulation`: the production node over a simulated file
/// system) are its two workloads; each brings its events, its processes and its checks, and the core
/// runs them the same way: one event queue in simulated time, paused processes' events held back, every
/// event folded into the trace hash.
protocol SimulationWorld: AnyObject {
    associatedtype Event: SimulationEvent
    var events: EventQueue<Event> { get set }
    var now: SimMicros { get set }
    var checker: Checker { get }
    var trace: TraceHasher { get set }
    var eventCount: Int { get set }
    /// The run reached its end before the event queue did (raft mode converged, queue mode finished).
    var hasEnded: Bool { get }
    /// While set, the node's process is stopped and its events wait until then.
    func pausedUntil(_ node: NodeID) -> SimMicros?
    /// Carries out one event (the mode's own dispatch).
    func handle(_ event: Event)
    /// LIVE: fails a run whose traffic grows without bound. Called every 4096 events.
    func checkForStorm()
}

extension SimulationWorld {
    func schedule(_ event: Event, after delay: SimMicros) {
        events.schedule(event, at: now + delay)
    }

    /// Runs events in time order until the run ends, a checker fails or no event is left.
    func runEvents() {
        while !hasEnded, checker.violation == nil, let next = events.pop() {
            now = next.time
            checker.now = now
            CrashReporter.nowMicros = now
            eventCount += 1
            dispatch(next.event)
            if eventCount & 0xFFF == 0 { checkForStorm() }
        }
    }

    private func dispatch(_ event: Event) {
        // A stopped process handles nothing until it resumes: its events wait (in order) until then.
        if let target = event.targetNode, let pausedUntil = pausedUntil(target) {
            events.schedule(event, at: pausedUntil)
            return
        }
        trace.combine(now)
        trace.combine(event.kindCode)
        handle(event)
    }

    /// The part of the storm check both modes make: too many events pending.
    func checkPendingEvents() {
        if events.count > SimConstants.pendingEventsMax {
            checker.fail("LIVE", "message storm: \(events.count) events pending")
        }
    }
}
