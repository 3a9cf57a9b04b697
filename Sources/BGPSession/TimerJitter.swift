/// Jitter for the timers RFC 4271 §10 asks to randomise, without a global random number generator.
///
/// RFC 4271 §10: the ConnectRetryTimer and KeepaliveTimer (and MinASOriginationIntervalTimer and
/// MinRouteAdvertisementIntervalTimer, which a session does not run) are multiplied by a random factor
/// uniformly distributed between 0.75 and 1.0, drawn anew each time the timer is set, so that peers do not
/// synchronise. The idle-hold timer is jittered the same way for the same reason.
///
/// The generator is a small deterministic one (SplitMix64) seeded by the caller, so the state machine stays a
/// pure value: the same seed and the same events give the same actions. The I/O shell seeds it from the
/// system's random source; tests use ``none`` or a fixed seed.
public struct TimerJitter: Hashable, Sendable {
    private var state: UInt64
    private let enabled: Bool

    private init(state: UInt64, enabled: Bool) {
        self.state = state
        self.enabled = enabled
    }

    /// RFC 4271 §10 jitter from a generator started at `seed`.
    public static func seeded(_ seed: UInt64) -> TimerJitter { TimerJitter(state: seed, enabled: true) }

    /// No jitter: every timer gets its base value. For tests that assert exact durations.
    public static let none = TimerJitter(state: 0, enabled: false)

    /// The lowest factor RFC 4271 §10 allows.
    public static let lowestFactor = 0.75

    /// `seconds` multiplied by a fresh factor in 0.75...1.0 (or unchanged without jitter).
    public mutating func apply(to seconds: Double) -> Double {
        guard enabled else { return seconds }
        return seconds * (Self.lowestFactor + (1 - Self.lowestFactor) * nextUnit())
    }

    /// A value in 0..<1 from the next 53 bits of SplitMix64.
    private mutating func nextUnit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1.0p-53
    }
}
