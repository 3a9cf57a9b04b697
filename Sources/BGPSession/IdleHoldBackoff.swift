/// Exponential backoff of the idle-hold time for a flapping peer (RFC 4271 §8.1.1, DampPeerOscillations).
///
/// Each time the session falls back to Idle because of an error, the machine waits ``next()`` seconds before
/// starting again, and the wait doubles up to ``maximum``. Once a session has stayed Established for
/// ``stableTime`` seconds the peer is no longer considered flapping and the wait goes back to ``initial``
/// (``reset()``). bagpipe-bgp retried after a fixed 5 or 20 seconds whatever the peer did.
///
/// A pure value: the state machine owns one and tells it what happened.
public struct IdleHoldBackoff: Hashable, Sendable {
    /// The first wait, in seconds. Zero disables damping (doubling zero stays zero).
    public let initial: Double
    /// The longest wait, in seconds.
    public let maximum: Double
    /// How long, in seconds, a session must stay Established before the backoff is reset.
    public let stableTime: Double
    /// The wait the next failure will use.
    public private(set) var current: Double

    public init(initial: Double = 5, maximum: Double = 300, stableTime: Double = 120) {
        precondition(initial >= 0 && maximum >= initial && stableTime >= 0, "invalid idle-hold backoff")
        self.initial = initial
        self.maximum = maximum
        self.stableTime = stableTime
        current = initial
    }

    /// The wait to use now; the following one doubles, up to ``maximum``.
    public mutating func next() -> Double {
        let wait = current
        current = min(current * 2, maximum)
        return wait
    }

    /// The session proved stable: start again from ``initial``.
    public mutating func reset() { current = initial }
}
