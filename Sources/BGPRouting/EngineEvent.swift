public import BGPWire

/// Everything that changes the routing state arrives as one of these, in order, to the single owner of the
/// engine (bagpipe-bgp's RouteTableManager queue, architecture-references §3.3).
public enum EngineEvent: Hashable, Sendable {
    /// A session reached Established: the engine sends it the routes it should have, then End-of-RIB per family.
    /// A peer that comes back while its routes are kept stale (graceful restart) keeps them.
    case peerUp(PeerInfo)
    /// The session went down. Routes learned from the peer are withdrawn from everyone else, except those of
    /// `retainingStale` families, which stay in use, marked stale, until re-announced or swept (RFC 4724 §4.2).
    case peerDown(PeerID, retainingStale: Set<AddressFamily> = [])
    /// One UPDATE from a peer, as decoded, with RFC 7606 treat-as-withdraw already applied
    /// (`DecodedMessage.effectiveMessage`). An End-of-RIB marker sweeps the family's stale routes.
    case routesReceived(PeerID, UpdateMessage)
    /// Marks the peer's routes of `families` stale (RFC 7313 §4 Beginning of RIB refresh, or graceful restart).
    case markStale(PeerID, families: Set<AddressFamily>)
    /// Removes the peer's routes of `families` still stale (End of RIB refresh, restart timer expiry).
    case sweepStale(PeerID, families: Set<AddressFamily>)
    /// A route advertised or withdrawn by a local VPN instance.
    case localRoute(SubscriberID, LocalRouteChange)
    /// A VPN instance starts or stops importing a route target of a family.
    case subscribe(Subscription)
    case unsubscribe(Subscription)
    /// A VPN instance is gone: its routes are withdrawn and its subscriptions dropped.
    case removeSubscriber(SubscriberID)
    /// The peer asked for the family again (RFC 2918): the Adj-RIB-Out is re-sent.
    case routeRefreshRequested(PeerID, AddressFamily)
}

/// A VPN instance's interest in one route target of one family.
public struct Subscription: Hashable, Sendable {
    public var subscriber: SubscriberID
    public var family: AddressFamily
    public var routeTarget: RouteTarget
    /// Deliver the ECMP set with each best path (multipath-capable dataplanes); the last subscription a subscriber
    /// made sets it for all its routes.
    public var multipath: Bool

    public init(_ subscriber: SubscriberID, family: AddressFamily, routeTarget: RouteTarget, multipath: Bool = false) {
        self.subscriber = subscriber
        self.family = family
        self.routeTarget = routeTarget
        self.multipath = multipath
    }
}

/// A route a VPN instance exports, or its withdrawal.
public enum LocalRouteChange: Hashable, Sendable {
    case advertise(LocalRoute)
    case withdraw(RouteKey)
}

/// A route as a VPN instance exports it: the attributes it chose and the route targets to add to them.
public struct LocalRoute: Hashable, Sendable {
    public var family: AddressFamily
    public var nlri: RouteNLRI
    public var nextHop: NextHop?
    /// ORIGIN, AS_PATH and LOCAL_PREF are added when missing (RFC 4271 §5.1).
    public var attributes: [PathAttribute]
    /// Export route targets, added to EXTENDED_COMMUNITIES (RFC 4360 §4).
    public var routeTargets: [RouteTarget]

    public init(
        family: AddressFamily, nlri: RouteNLRI, nextHop: NextHop?, attributes: [PathAttribute] = [],
        routeTargets: [RouteTarget] = []
    ) {
        self.family = family
        self.nlri = nlri
        self.nextHop = nextHop
        self.attributes = attributes
        self.routeTargets = routeTargets
    }
}
