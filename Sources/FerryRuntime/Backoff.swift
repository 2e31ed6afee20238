/// Exponential backoff with jitter for reconnects: a pure value, so its schedule is testable.
///
/// Delay for attempt n (0-based) is `min(backoffMsMax, backoffMsMin << n)`, of which the upper half is
/// drawn at random ("equal jitter"): nodes restarting together do not redial in lockstep, and a delay
/// never drops below half the nominal one.
public struct ExponentialBackoff: Sendable {
    /// Default first delay. A restarted peer usually listens again within a few hundred milliseconds.
    public static let backoffMsMinDefault: UInt64 = 50
    /// Default cap. A peer that comes back is found within about 2 s, and a dead one costs one connect
    /// attempt every 1–2 s, which is negligible.
    public static let backoffMsMaxDefault: UInt64 = 2_000

    public let backoffMsMin: UInt64
    public let backoffMsMax: UInt64
    /// Consecutive failed attempts since the last `reset()`.
    public private(set) var attempt = 0

    public init(backoffMsMin: UInt64 = backoffMsMinDefault, backoffMsMax: UInt64 = backoffMsMaxDefault) {
        precondition(backoffMsMin > 0 && backoffMsMin <= backoffMsMax, "backoff bounds out of order")
        self.backoffMsMin = backoffMsMin
        self.backoffMsMax = backoffMsMax
    }

    /// The nominal (un-jittered) delay of the next attempt.
    public var nominalDelayMs: UInt64 {
        let shift = min(attempt, 32)  // beyond 2^32 × min the cap applies anyway; avoids overflow
        let (shifted, overflow) = backoffMsMin.multipliedReportingOverflow(by: 1 << UInt64(shift))
        return overflow ? backoffMsMax : min(backoffMsMax, shifted)
    }

    /// The delay before the next attempt, in [nominal/2, nominal]; counts the attempt.
    public mutating func nextDelayMs<R: RandomNumberGenerator>(using random: inout R) -> UInt64 {
        let nominal = nominalDelayMs
        attempt += 1
        let half = nominal / 2
        return half + UInt64.random(in: 0...(nominal - half), using: &random)
    }

    /// Back to `backoffMsMin`: call once a connection proved healthy (e.g. after its handshake).
    public mutating func reset() { attempt = 0 }
}
