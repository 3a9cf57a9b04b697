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

extension NLRIList {
    /// The routes as text, one per element (`65000:1:10.0.0.1/32 label 100`).
    var routeDescriptions: [String] {
        switch self {
        case .ipv4(let l): l.map(\.description)
        case .ipv6(let l): l.map(\.description)
        case .labeledIPv4(let l): l.map(\.description)
        case .labeledIPv6(let l): l.map(\.description)
        case .vpnIPv4(let l): l.map(\.description)
        case .vpnIPv6(let l): l.map(\.description)
        case .evpn(let l): l.map(\.description)
        case .rtc(let l): l.map(\.description)
        case .flowspec(let l): l.map(\.description)
        case .raw(let b): b.isEmpty ? [] : ["raw \(b.count) octets"]
        }
    }
}

extension [RouteEntry] {
    /// Sorted by family, then by text, each text made once (a table of thousands is read while it changes).
    func sortedForDisplay() -> [RouteEntry] {
        map { ($0.family, $0.description, $0) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }
}
