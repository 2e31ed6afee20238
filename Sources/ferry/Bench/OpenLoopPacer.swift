/// The open-loop schedule of `ferry bench` and `ferry bench fanout`: every `periodMs` it issues the requests due
/// since the start at `requestsPerSecond`, round robin over the connections with room, and remembers how far it
/// ever fell behind (the rate was not held when that is more than a moment's worth).
struct OpenLoopPacer {
    /// 1 ms spreads a 1,000 msgs/s run (100 batches/s) evenly.
    static let periodMs: UInt64 = 1

    let requestsPerSecond: Double
    let startNs: UInt64
    private(set) var issued = 0
    /// The most requests the pacer was ever behind its schedule.
    private(set) var lagMax = 0
    private var nextConnection = 0

    init(messagesPerSecond: Double, messagesPerRequest: Int, startNs: UInt64) {
        requestsPerSecond = messagesPerSecond / Double(messagesPerRequest)
        self.startNs = startNs
    }

    /// Issues what is due at `nowNs` over `connections`: `issue(i)` sends one request on connection i and says
    /// whether it could (false: the connection has no room); `mayIssue` stops the round early (a message cap).
    mutating func pace(nowNs: UInt64, connections: Int, mayIssue: () -> Bool = { true }, issue: (Int) -> Bool) {
        let due = Int(Double(nowNs - startNs) / 1e9 * requestsPerSecond) - issued
        var sent = 0
        var tried = 0
        while sent < due, tried < connections, mayIssue() {
            let index = nextConnection
            nextConnection = (nextConnection + 1) % connections
            if issue(index) {
                sent += 1
                tried = 0
            } else {
                tried += 1
            }
        }
        issued += sent
        lagMax = max(lagMax, due - sent)
    }
}
