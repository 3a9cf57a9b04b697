public import BGPWire

/// The identity of one route: its address family and the NLRI fields that name it, without labels or next hop,
/// with the ADD-PATH path identifier.
///
/// Two announcements with equal keys from the same source are the same route, the later replacing the earlier;
/// a withdrawal finds what it removes by key. Labels are not part of the key: RFC 8277 §2.4 lets a withdrawal
/// carry any label field, and RFC 4364 §4.3.4 names a VPN route by route distinguisher and prefix. The path
/// identifier is (RFC 7911 §3: each path is its own route), but only between routes of one peer: the engine
/// selects among paths of different peers under the key without it (``withoutPathID``).
///
/// Each identity case holds plain value fields (EVPN routes with their non-key fields zeroed, RFC 7432 §7), so a
/// key costs no heap allocation except for flowspec rules and EVPN route types this codec does not know.
public struct RouteKey: Hashable, Sendable, CustomStringConvertible {
    public var family: AddressFamily
    public var identity: Identity
    public var pathID: UInt32?

    public init(family: AddressFamily, identity: Identity, pathID: UInt32? = nil) {
        self.family = family
        self.identity = identity
        self.pathID = pathID
    }

    /// What names a route within its family.
    public enum Identity: Hashable, Sendable, CustomStringConvertible {
        /// IPv4 unicast, multicast and labeled unicast (RFC 4271, RFC 8277).
        case ipv4(IPv4Prefix)
        /// IPv6 unicast, multicast and labeled unicast (RFC 4760, RFC 8277).
        case ipv6(IPv6Prefix)
        /// VPN-IPv4 (RFC 4364 §4.3.4).
        case vpnIPv4(RouteDistinguisher, IPv4Prefix)
        /// VPN-IPv6 (RFC 4659 §3.2).
        case vpnIPv6(RouteDistinguisher, IPv6Prefix)
        /// EVPN: the route with its attribute-like fields zeroed (``EVPNRoute/routeKey``).
        case evpn(EVPNRoute)
        /// RT membership (RFC 4684 §4): origin AS and route target prefix; the path identifier is not kept here.
        case rtc(RTCNLRI)
        /// A flow specification rule (RFC 8955 §4), in its canonical length form, without path identifier.
        case flowspec(FlowspecNLRI)

        public var description: String {
            switch self {
            case .ipv4(let p): p.description
            case .ipv6(let p): p.description
            case .vpnIPv4(let rd, let p): "\(rd):\(p)"
            case .vpnIPv6(let rd, let p): "\(rd):\(p)"
            case .evpn(let r): r.description
            case .rtc(let r): r.description
            case .flowspec(let f): f.description
            }
        }
    }

    /// The key with no path identifier: what names the route in the Loc-RIB, where paths of all peers compete.
    public var withoutPathID: RouteKey { RouteKey(family: family, identity: identity) }

    /// `ipv4/mpls-vpn 65000:1:10.0.0.1/32`, with ` path-id N` when there is one.
    public var description: String {
        "\(family) \(identity)" + (pathID.map { " path-id \($0)" } ?? "")
    }
}
