/// When a parked long poll may propose its next receive command.
///
/// A receive that was proposed because the local machine said the queue was ready, and that comes back
/// empty (another consumer, perhaps at another node, won the message first), holds the poll's next receive
/// back `retryIntervalMs` from its own start: a readiness the receive cannot honour then never spins
/// proposals through the log. The receive a request makes when it arrives holds nothing back: a message
/// that lands a moment after it is taken at once. (Pacing every attempt made `ferry bench --rate 1000`
/// deliver some messages 50 ms late, waiting out the pause of a poll that had just parked.)
struct ReceivePacing {
    static let retryIntervalMs: UInt64 = 50

    /// Loop time before which no receive may be proposed.
    private(set) var notBeforeMs: UInt64 = 0
    private var attempts = 0
    private var attemptStartedMs: UInt64 = 0

    /// A receive command for the poll is proposed at `nowMs`.
    mutating func started(atMs nowMs: UInt64) {
        attempts += 1
        attemptStartedMs = nowMs
    }

    /// The receive proposed last came back with nothing.
    mutating func cameBackEmpty() {
        // Only a retry (a wake) can be a readiness the receive could not honour; the first is the arrival.
        if attempts > 1 { notBeforeMs = attemptStartedMs + Self.retryIntervalMs }
    }

    /// `ms`, or later if the poll is held back.
    func earliest(_ ms: UInt64) -> UInt64 { max(ms, notBeforeMs) }
}
