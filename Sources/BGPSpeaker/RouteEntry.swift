public import BGPWire

/// One route as the looking glass shows it: from a peer's Adj-RIB-In, or originated by this speaker.
public struct RouteEntry: Hashable, Sendable, CustomStringConvertible {
    public var family: AddressFamily
    /// The route, as a list of exactly one NLRI of the family's kind (labels and path identifier included).
    public var nlri: NLRIList
    /// MP_REACH_NLRI's next hop, or NEXT_HOP for IPv4 unicast; nil when the route has none (flowspec).
    public var nextHop: NextHop?
    /// The path attributes, without MP_REACH_NLRI / MP_UNREACH_NLRI.
    public var attributes: [PathAttribute]
    /// Kept from a previous session of a restarting peer, not yet re-announced (RFC 4724 §4.2), or between
    /// Beginning and End of an enhanced route refresh (RFC 7313 §4).
    public var isStale: Bool

    public init(
        family: AddressFamily, nlri: NLRIList, nextHop: NextHop?, attributes: [PathAttribute], isStale: Bool = false
    ) {
        self.family = family
        self.nlri = nlri
        self.nextHop = nextHop
        self.attributes = attributes
        self.isStale = isStale
    }

    /// `l2vpn/evpn [type:multicast]... next-hop 192.0.2.1 (stale)`.
    public var description: String {
        let route = nlri.routeDescriptions.joined(separator: ", ")
        let hop = nextHop.map { " next-hop \($0)" } ?? ""
        return "\(family) \(route)\(hop)\(isStale ? " (stale)" : "")"
    }
}
