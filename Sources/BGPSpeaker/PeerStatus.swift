public import BGPSession
public import BGPWire

/// One peer as the looking glass shows it: configuration, session state, negotiated capabilities, counters and
/// routes received.
public struct PeerStatus: Hashable, Sendable {
    public var address: IPAddress
    public var peerAS: UInt32
    /// Created from a `listen_ranges` prefix when it connected, not configured.
    public var isDynamic: Bool
    public var isPassive: Bool
    /// The peer's `description` from its `[BGP_PEER]` section.
    public var description: String?
    public var state: SessionState
    /// Time since the session reached Established; nil when it is not.
    public var uptime: Duration?
    /// What the OPENs negotiated, from OpenConfirm on.
    public var negotiated: NegotiatedSession?
    /// Messages, errors and the RFC 4271 ConnectRetryCounter.
    public var counters: SessionCounters
    /// Routes in the Adj-RIB-In, per family.
    public var prefixesReceived: [AddressFamily: Int]
    /// Families whose End-of-RIB the peer sent in this session.
    public var endOfRIBReceived: Set<AddressFamily>
    /// Why the last session ended, if one did.
    public var lastDownReason: SessionDownReason?
    /// `address:port` of both ends of the current connection.
    public var localEndpoint: String?
    public var remoteEndpoint: String?
}
