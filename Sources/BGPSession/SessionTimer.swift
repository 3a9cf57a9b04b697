/// The timers a session asks its owner to run (RFC 4271 §8 and §10, RFC 9687, RFC 4724).
///
/// The state machine never reads a clock: it emits ``SessionAction/arm(_:seconds:)`` and
/// ``SessionAction/cancel(_:)``, and is told of an expiry by the matching ``SessionEvent``. Arming a timer that
/// is already running restarts it with the new duration.
public enum SessionTimer: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// RFC 4271 §8: ConnectRetryTimer, between outgoing connection attempts (jittered, §10).
    case connectRetry
    /// RFC 4271 §8: HoldTimer, how long the peer may stay silent.
    case hold
    /// RFC 4271 §8: KeepaliveTimer, one third of the hold time (jittered, §10).
    case keepalive
    /// RFC 9687: SendHoldTimer, how long our own sending may make no progress.
    case sendHold
    /// RFC 4271 §8.1.1 IdleHoldTimer: time spent in Idle before restarting automatically; grows for a
    /// flapping peer (see ``IdleHoldBackoff``).
    case idleHold
    /// Runs while Established; on expiry the session counts as stable and the idle-hold backoff is reset.
    case idleHoldReset
    /// RFC 4724 §4.2 Restart Timer: the peer's advertised restart time, within which the session must come
    /// back before its stale routes are deleted.
    case gracefulRestart
    /// RFC 4724 §4.2: an upper bound on keeping stale routes once the session is back, while waiting for the
    /// peer's End-of-RIB.
    case staleRoutes

    public var description: String { rawValue }
}
