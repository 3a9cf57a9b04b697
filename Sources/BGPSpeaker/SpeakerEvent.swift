public import BGPSession
public import BGPWire

/// What happens to the speaker's sessions, for whoever listens (``BGPSpeaker/events()``): the engine, tests,
/// the looking glass.
public enum SpeakerEvent: Hashable, Sendable {
    /// A session changed state (RFC 4271 §8.2.2).
    case stateChanged(peer: IPAddress, from: SessionState, to: SessionState)
    /// A session reached Established with these negotiated parameters.
    case established(peer: IPAddress, NegotiatedSession)
    /// Routes received from a peer and applied to its Adj-RIB-In (treat-as-withdraw already applied).
    case routesReceived(peer: IPAddress, UpdateMessage)
    /// The peer sent End-of-RIB for this family (RFC 4724 §2).
    case endOfRIB(peer: IPAddress, AddressFamily)
    /// Every route of the peer in these families was dropped (session down, or a family disabled).
    case routesDropped(peer: IPAddress, [AddressFamily])
    /// The session went down, and why.
    case sessionDown(peer: IPAddress, SessionDownReason)
    /// An error caused by the peer (also logged).
    case error(SessionErrorReport)
}
