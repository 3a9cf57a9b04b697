import BGPWire

/// One thing the routing engine asked to send to a peer, waiting in the peer's outbox until the end of the
/// event-loop turn (``BGPSpeaker/flushOutput()``).
enum OutboxItem: Hashable, Sendable {
    /// An UPDATE built by the engine, within the peer's maximum message length.
    case update(UpdateMessage)
    /// The family's initial table is out: End-of-RIB follows (RFC 4724 §2), sent by the session.
    case endOfRIB(AddressFamily)
    /// A family re-sent on the peer's request is out: with enhanced route refresh the session sends the End of
    /// RIB ROUTE-REFRESH (RFC 7313 §4).
    case endOfRouteRefresh(AddressFamily)
}
