public import BGPWire

/// One route of any family as it is carried on the wire: an element of an ``NLRIList``, labels and path
/// identifier included.
///
/// The family is not part of it (an `.ipv4` route may be unicast or multicast); ``Route`` keeps the two together.
public enum RouteNLRI: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4PrefixNLRI)
    case ipv6(IPv6PrefixNLRI)
    case labeledIPv4(LabeledIPv4NLRI)
    case labeledIPv6(LabeledIPv6NLRI)
    case vpnIPv4(VPNIPv4NLRI)
    case vpnIPv6(VPNIPv6NLRI)
    case evpn(EVPNNLRI)
    case rtc(RTCNLRI)
    case flowspec(FlowspecNLRI)

    /// The ADD-PATH path identifier (RFC 7911 §3), if the route carries one.
    public var pathID: UInt32? {
        switch self {
        case .ipv4(let n): n.pathID
        case .ipv6(let n): n.pathID
        case .labeledIPv4(let n): n.pathID
        case .labeledIPv6(let n): n.pathID
        case .vpnIPv4(let n): n.pathID
        case .vpnIPv6(let n): n.pathID
        case .evpn(let n): n.pathID
        case .rtc(let n): n.pathID
        case .flowspec(let n): n.pathID
        }
    }

    /// The label stack of labeled and VPN routes (RFC 8277 §2); empty for the other families. EVPN labels live in
    /// the route itself (RFC 7432 §7) and are not repeated here.
    public var labels: LabelStack {
        switch self {
        case .labeledIPv4(let n): n.labels
        case .labeledIPv6(let n): n.labels
        case .vpnIPv4(let n): n.labels
        case .vpnIPv6(let n): n.labels
        case .ipv4, .ipv6, .evpn, .rtc, .flowspec: LabelStack()
        }
    }

    /// The fields that name the route (see ``RouteKey``).
    public var identity: RouteKey.Identity {
        switch self {
        case .ipv4(let n): .ipv4(n.prefix)
        case .ipv6(let n): .ipv6(n.prefix)
        case .labeledIPv4(let n): .ipv4(n.prefix)
        case .labeledIPv6(let n): .ipv6(n.prefix)
        case .vpnIPv4(let n): .vpnIPv4(n.routeDistinguisher, n.prefix)
        case .vpnIPv6(let n): .vpnIPv6(n.routeDistinguisher, n.prefix)
        case .evpn(let n): .evpn(n.route.routeKey)
        case .rtc(let n): .rtc(RTCKey(n).nlri)
        case .flowspec(let n): .flowspec(FlowspecKey(n).rule)
        }
    }

    public func key(family: AddressFamily) -> RouteKey {
        RouteKey(family: family, identity: identity, pathID: pathID)
    }

    /// The routes of a list, one element each; nil for a family the engine does not route (raw NLRI).
    public static func routes(in list: NLRIList) -> [RouteNLRI]? {
        switch list {
        case .ipv4(let l): l.map(RouteNLRI.ipv4)
        case .ipv6(let l): l.map(RouteNLRI.ipv6)
        case .labeledIPv4(let l): l.map(RouteNLRI.labeledIPv4)
        case .labeledIPv6(let l): l.map(RouteNLRI.labeledIPv6)
        case .vpnIPv4(let l): l.map(RouteNLRI.vpnIPv4)
        case .vpnIPv6(let l): l.map(RouteNLRI.vpnIPv6)
        case .evpn(let l): l.map(RouteNLRI.evpn)
        case .rtc(let l): l.map(RouteNLRI.rtc)
        case .flowspec(let l): l.map(RouteNLRI.flowspec)
        case .raw: nil
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let n): n.description
        case .ipv6(let n): n.description
        case .labeledIPv4(let n): n.description
        case .labeledIPv6(let n): n.description
        case .vpnIPv4(let n): n.description
        case .vpnIPv6(let n): n.description
        case .evpn(let n): n.description
        case .rtc(let n): n.description
        case .flowspec(let n): n.description
        }
    }
}
