import BGPWire

/// The identity of one route within its address family: the fields that make two announcements the same route,
/// so that a later one replaces an earlier one and a withdrawal finds what it removes.
///
/// Labels, next hops and other route attributes are not part of a route's identity: a withdrawal carries whatever
/// label field its sender chose (RFC 8277 §2.4), and a VPN route re-announced with a new label replaces the old
/// one (RFC 4364 §4.3.4 keys routes by route distinguisher and prefix). The path identifier is, where ADD-PATH is
/// in use (RFC 7911 §3: each path is its own route).
enum NLRIKey: Hashable, Sendable {
    case ipv4(pathID: UInt32?, IPv4Prefix)
    case ipv6(pathID: UInt32?, IPv6Prefix)
    case vpnIPv4(pathID: UInt32?, RouteDistinguisher, IPv4Prefix)
    case vpnIPv6(pathID: UInt32?, RouteDistinguisher, IPv6Prefix)
    /// RFC 7432 §7: the route with its non-key fields (ESI and labels of type 2, …) cleared.
    case evpn(pathID: UInt32?, EVPNRoute)
    /// RFC 4684 §4: origin AS and route target prefix.
    case rtc(RTCNLRI)
    /// RFC 8955 §4: the rule itself (route distinguisher and components).
    case flowspec(FlowspecNLRI)
    /// A family this codec does not decode: its NLRI bytes, as one opaque route.
    case raw([UInt8])
}

extension NLRIList {
    /// Every route of the list with its key, each as a list of one.
    var keyedRoutes: [(key: NLRIKey, nlri: NLRIList)] {
        switch self {
        case .ipv4(let l): l.map { (.ipv4(pathID: $0.pathID, $0.prefix), .ipv4([$0])) }
        case .ipv6(let l): l.map { (.ipv6(pathID: $0.pathID, $0.prefix), .ipv6([$0])) }
        case .labeledIPv4(let l): l.map { (.ipv4(pathID: $0.pathID, $0.prefix), .labeledIPv4([$0])) }
        case .labeledIPv6(let l): l.map { (.ipv6(pathID: $0.pathID, $0.prefix), .labeledIPv6([$0])) }
        case .vpnIPv4(let l):
            l.map { (.vpnIPv4(pathID: $0.pathID, $0.routeDistinguisher, $0.prefix), .vpnIPv4([$0])) }
        case .vpnIPv6(let l):
            l.map { (.vpnIPv6(pathID: $0.pathID, $0.routeDistinguisher, $0.prefix), .vpnIPv6([$0])) }
        case .evpn(let l): l.map { (.evpn(pathID: $0.pathID, $0.route.routeKey), .evpn([$0])) }
        case .rtc(let l): l.map { (.rtc($0), .rtc([$0])) }
        case .flowspec(let l):
            l.map { nlri in
                var key = nlri
                // The 2-octet length form is an encoding detail, not part of the rule.
                key.usesExtendedLength = false
                return (.flowspec(key), .flowspec([nlri]))
            }
        case .raw(let bytes): bytes.isEmpty ? [] : [(.raw(bytes), .raw(bytes))]
        }
    }

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
