public import BGPWire

/// What the engine asks its owner to do after an event, in order.
public enum EngineEffect: Hashable, Sendable {
    /// UPDATEs for the peer, each within its maximum message length, withdrawals first.
    case sendUpdates(PeerID, [UpdateMessage])
    /// The End-of-RIB marker of the family (RFC 4724 §2): the initial table has been sent.
    case sendEndOfRIB(PeerID, AddressFamily)
    /// A ROUTE-REFRESH message: the BoRR and EoRR markers around a re-sent table (RFC 7313 §4).
    case sendRouteRefresh(PeerID, RouteRefreshMessage)
    /// Route changes for a VPN instance, in the order they happened.
    case deliver(SubscriberID, [RouteChange])
    /// The engine started announcing this RT membership route (first importer of the route target).
    case rtcOriginated(RTCNLRI)
    /// The engine stopped announcing this RT membership route (last importer gone).
    case rtcWithdrawn(RTCNLRI)
}
