/// BGP Hold Time (RFC 4271 §4.2): zero, meaning neither hold timer nor KEEPALIVEs, or 3...65535 seconds.
///
/// One and two seconds are invalid (RFC 4271 §6.2 answers them with OPEN Message Error / Unacceptable Hold
/// Time), so they cannot be represented.
public struct HoldTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let seconds: UInt16

    public init?(_ seconds: UInt16) {
        guard seconds == 0 || seconds >= 3 else { return nil }
        self.seconds = seconds
    }

    /// No hold timer and no KEEPALIVEs once negotiated (RFC 4271 §4.4).
    public static let disabled = HoldTime(0)!
    /// 180 s, what bagpipe-bgp proposed (RFC 4271 §10 suggests 90 s; the smaller of the two OPENs wins anyway).
    public static let bagpipeDefault = HoldTime(180)!

    /// RFC 4271 §8.2.2: while waiting for the peer's OPEN the hold timer is set to "a large value"; 4 minutes is
    /// the suggested one.
    public static let openSentSeconds: Double = 240

    public var isDisabled: Bool { seconds == 0 }

    /// RFC 4271 §4.4: KEEPALIVEs go out at one third of the hold time.
    public var keepaliveSeconds: Double { Double(seconds) / 3 }

    /// RFC 4271 §4.2: the session uses the smaller of the two proposals.
    public func negotiated(with remote: HoldTime) -> HoldTime { min(self, remote) }

    public static func < (a: Self, b: Self) -> Bool { a.seconds < b.seconds }

    public var description: String { "\(seconds) s" }
}
