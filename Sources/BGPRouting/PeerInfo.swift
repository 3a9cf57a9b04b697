public import BGPWire

/// What the engine needs to know about an established BGP session.
public struct PeerInfo: Hashable, Sendable {
    public var id: PeerID
    /// The peer's address: the last tie-breaker of the decision process (RFC 4271 §9.1.2.2 g).
    public var address: IPAddress
    /// The peer's BGP Identifier (RFC 4271 §9.1.2.2 f), and the ORIGINATOR_ID given to its routes when reflected.
    public var routerID: IPv4Address
    public var asn: UInt32
    /// Internal (same AS, iBGP) or external (eBGP).
    public var isInternal: Bool
    /// A route reflector client (RFC 4456 §2); meaningful when the engine has a cluster ID.
    public var isRouteReflectorClient: Bool
    /// Families negotiated (RFC 4760 §8): the engine neither accepts nor sends routes of others.
    public var families: Set<AddressFamily>
    /// Both sides negotiated AFI 1 / SAFI 132 (RFC 4684): VPN routes to this peer follow the RT membership routes
    /// it sent us. Peers without it get every VPN route.
    public var routeTargetConstraint: Bool
    /// Largest UPDATE the peer accepts: 4096, or 65535 with Extended Message (RFC 8654).
    public var maximumMessageLength: Int
    /// Whether the session writes four-octet ASNs (RFC 6793); it changes the size of an AS_PATH.
    public var fourOctetAS: Bool
    /// The address to put in the next hop of routes sent to this peer when it is external (in the form the
    /// family uses, RD-prefixed for VPN families); nil keeps the route's.
    public var nextHopSelf: IPAddress?
    /// The peer negotiated Enhanced Route Refresh (RFC 7313): re-sent tables are framed by BoRR and EoRR.
    public var enhancedRouteRefresh: Bool
    /// Hold the VPN families back until the peer's End-of-RIB for RT membership (RFC 4684 §6), so the first
    /// dump is already filtered. Set it only when the peer sends End-of-RIB (graceful restart negotiated), or the
    /// speaker must send the marker itself when its wait times out.
    public var waitsForRTCEndOfRIB: Bool

    public init(
        id: PeerID, address: IPAddress, routerID: IPv4Address, asn: UInt32, isInternal: Bool,
        isRouteReflectorClient: Bool = false, families: Set<AddressFamily>, routeTargetConstraint: Bool = false,
        maximumMessageLength: Int = 4096, fourOctetAS: Bool = true, nextHopSelf: IPAddress? = nil,
        enhancedRouteRefresh: Bool = false, waitsForRTCEndOfRIB: Bool = false
    ) {
        self.id = id
        self.address = address
        self.routerID = routerID
        self.asn = asn
        self.isInternal = isInternal
        self.isRouteReflectorClient = isRouteReflectorClient
        self.families = families
        self.routeTargetConstraint = routeTargetConstraint
        self.maximumMessageLength = maximumMessageLength
        self.fourOctetAS = fourOctetAS
        self.nextHopSelf = nextHopSelf
        self.enhancedRouteRefresh = enhancedRouteRefresh
        self.waitsForRTCEndOfRIB = waitsForRTCEndOfRIB
    }
}
