public import BGPSession

extension BGPSpeaker {
    /// Runtime settings that `bgp.conf` does not carry: damping, timers' edges, limits. The defaults suit a daemon;
    /// tests shorten the waits.
    public struct Options: Sendable {
        /// Idle-hold backoff after a session fails (RFC 4271 §8.1.1 DampPeerOscillations): also the pace of an
        /// active peer's connection attempts while the peer is unreachable.
        public var idleHold: IdleHoldBackoff
        /// RFC 4724 §4.2: how long a restarting peer's stale routes are kept once it is back, waiting for its
        /// End-of-RIB.
        public var staleRoutesTime: Double
        /// RFC 9687 send-hold timer.
        public var sendHoldTime: SendHoldTime
        /// RFC 4271 §10 jitter on the connect-retry, keepalive and idle-hold timers. Off only for tests that need
        /// exact timings.
        public var timerJitter: Bool
        /// How long a closing connection may take to write its last messages (the NOTIFICATION) before it is cut.
        public var closeTimeout: Duration
        /// The most dynamic peers (from `listen_ranges`) at once; further connections are refused with Cease 8,
        /// Out of Resources (RFC 4486).
        public var maximumDynamicPeers: Int
        /// RFC 4684 §6: how long the VPN routes for a peer with RT Constraint and graceful restart wait for its
        /// End-of-RIB of RT membership routes, so that the table and its End-of-RIB it gets are complete for what it
        /// asked for. A peer that sends no End-of-RIB gets them when the wait is over; zero sends at once.
        public var membershipEndOfRIBWait: Duration

        public init(
            idleHold: IdleHoldBackoff = IdleHoldBackoff(), staleRoutesTime: Double = 360,
            sendHoldTime: SendHoldTime = .automatic, timerJitter: Bool = true, closeTimeout: Duration = .seconds(3),
            maximumDynamicPeers: Int = 1000, membershipEndOfRIBWait: Duration = .seconds(10)
        ) {
            self.idleHold = idleHold
            self.staleRoutesTime = staleRoutesTime
            self.sendHoldTime = sendHoldTime
            self.timerJitter = timerJitter
            self.closeTimeout = closeTimeout
            self.maximumDynamicPeers = maximumDynamicPeers
            self.membershipEndOfRIBWait = membershipEndOfRIBWait
        }
    }
}
