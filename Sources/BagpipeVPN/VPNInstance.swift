public import BGPRouting
public import BGPWire

/// An E-VPN ↔ IP VPN stitch (bagpipe-bgp.md §4.5): the other instance and the interface on this side.
public struct Link: Hashable, Sendable {
    public var instance: String
    public var interface: String
}

/// One local endpoint: a MAC, with an IP or not, on a port (bagpipe-bgp.md §4.2).
public struct EndpointKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var mac: MACAddress
    /// The host address; nil for a MAC-only (E-VPN) endpoint. `10.0.0.2`, `10.0.0.2/32` and `10.0.0.2/24` name
    /// the same endpoint (the original keyed them by the string, §11.3 item 15).
    public var ip: IPAddress?

    public init(mac: MACAddress, ip: IPAddress?) {
        self.mac = mac
        self.ip = ip
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.mac.value, a.ip?.description ?? "") < (b.mac.value, b.ip?.description ?? "")
    }
    public var description: String { "(\(mac), \(ip.map { "\($0)" } ?? "None"))" }
}

/// What is kept of an endpoint.
public struct Endpoint: Hashable, Sendable {
    public var key: EndpointKey
    public var ip: IPPrefixWithHost?
    public var advertiseSubnet: Bool
    public var port: LocalPort
    /// The MAC's port label (IP VPN), or the instance label (E-VPN).
    public var label: UInt32
    /// The route distinguisher of its route: the instance's for a host route, one of its own otherwise.
    public var routeDistinguisher: RouteDistinguisher?
    /// The endpoint's own RD number (a subnet, a MAC-only endpoint, or any endpoint of an instance that
    /// readvertises), to release it.
    var ownRD: UInt32?
    public var localPreference: UInt32?
    public var direction: Direction
    public var consistentHashOrder: UInt32
    public var description: String?
    /// The key of the route it advertises, when it advertises one.
    public var advertised: RouteKey?
    /// E-VPN with `advertise_subnet`: the IP Prefix route (type 5, RFC 9136) of its subnet.
    public var prefixRoute: RouteKey?
    /// E-VPN: the MAC Mobility sequence number its route carries, set when the MAC was known elsewhere as it was
    /// attached here (RFC 7432 §15.1).
    public var mobilitySequence: UInt32?
}

/// A MAC plugged in an instance: one port and one label per MAC (§4.2).
struct MACBinding: Hashable, Sendable {
    var port: LocalPort
    var label: UInt32
    var endpoints: Int
}

/// What routes are compared by in an instance: IP VPN routes by prefix (two RDs, one destination), E-VPN MAC/IP
/// routes by MAC and IP (bagpipe-bgp.md §3.5).
public enum TrackedEntry: Hashable, Sendable, CustomStringConvertible {
    case prefix(IPPrefix)
    case mac(MACAddress, ip: IPAddress?)

    public var description: String {
        switch self {
        case .prefix(let p): "\(p)"
        case .mac(let m, let ip): ip.map { "\(m) \($0)" } ?? "\(m)"
        }
    }
}

/// A received Flowspec redirect-to-VRF (RFC 8955 §7.4) as applied: the traffic, and the instance it goes to.
public struct Redirect: Hashable, Sendable {
    public var classifier: TrafficClassifier
    public var routeTarget: RouteTarget
    /// External id of the redirect instance.
    public var instance: String
}

/// One received route for a tracked entry.
struct Candidate: Hashable, Sendable {
    /// The route's next hops: several with multipath (same RD, several paths).
    var endpoints: [RemoteEndpoint]
    var localPreference: UInt32
    /// MAC Mobility (RFC 7432 §7.7).
    var sequence: UInt32
    var sticky: Bool
}

/// A VRF or an EVI: its configuration, its endpoints, and what its dataplane holds. A value; the manager owns it.
public struct VPNInstance: Hashable, Sendable {
    public let type: VPNType
    public let id: UInt32
    public let externalID: String
    public var description: String?
    public var importRouteTargets: [RouteTarget]
    public var exportRouteTargets: [RouteTarget]
    public let gatewayIP: IPAddress?
    public let prefixLength: UInt8?
    /// The instance label: the VNI of an EVI, the label of a VRF.
    public let label: UInt32
    /// Given by the attach request (`vni`), so not released to the allocator.
    public let forcedLabel: Bool
    public let routeDistinguisher: RouteDistinguisher
    let rdNumber: UInt32
    public let linuxBridge: String?
    public let readvertise: Readvertise?
    /// `attract_traffic`, when active (it needs `readvertise` or its own `to`).
    public let attractTraffic: AttractTraffic?
    /// The routes advertised for readvertisement (leaked copies, or in attract mode default routes and Flowspec
    /// redirect routes), as last computed.
    var leaked: [RouteKey: LocalRoute] = [:]
    /// Flowspec redirections received and applied: the classified traffic goes to the VRF of the route target.
    public internal(set) var redirects: [RouteKey: Redirect] = [:]
    /// The dataplane's fallback, as last given (§4.2 `update_fallback`).
    public internal(set) var fallback: Fallback?
    /// A redirect instance: the instances whose redirections use it; it goes with the last of them.
    public internal(set) var redirectUsers: Set<String> = []
    public internal(set) var endpoints: [EndpointKey: Endpoint] = [:]
    var macs: [MACAddress: MACBinding] = [:]
    /// Received routes per tracked entry (a prefix, or a MAC and IP), whatever their route distinguisher: the
    /// instance chooses among them (bagpipe-bgp.md §3.5).
    var candidates: [TrackedEntry: [RouteKey: Candidate]] = [:]
    /// What the dataplane holds, per tracked entry.
    public internal(set) var installed: [TrackedEntry: [RemoteEndpoint]] = [:]
    /// E-VPN flood list entries, per received Inclusive Multicast route.
    public internal(set) var flood: [RouteKey: RemoteEndpoint] = [:]
    /// E-VPN: the Inclusive Multicast route advertised for the instance.
    var inclusiveMulticast: RouteKey?
    /// Readvertise: the prefixes re-advertised through the local ports, with the received routes that make them so
    /// and the route targets those carried (recorded as RT-Records on the copies).
    public internal(set) var readvertised: [IPPrefix: [RouteKey: [RouteTarget]]] = [:]
    /// IP VPN: the EVI stitched to this VRF (its external id) and the VRF-side interface (§4.5).
    public internal(set) var evpnLink: Link?
    /// E-VPN: the gateway port towards a VRF (its external id).
    public internal(set) var gatewayPort: Link?

    public var name: String { "\(type == .ipvpn ? "VRF" : "EVI")-\(id)" }
    public var subscriber: SubscriberID { SubscriberID(name) }

    public var dataplane: DataplaneInstance {
        DataplaneInstance(
            type: type, id: id, name: name, externalID: externalID, label: label, gatewayIP: gatewayIP,
            prefixLength: prefixLength, linuxBridge: linuxBridge)
    }

    /// Every received route per tracked entry (the election's candidates), for the looking glass.
    public var receivedRoutes: [TrackedEntry: [RemoteEndpoint]] {
        candidates.mapValues { $0.values.flatMap(\.endpoints) }
    }

    /// The families the instance imports: a VRF also takes Flowspec redirections (§4.2 subscriptions).
    var families: [AddressFamily] { type == .ipvpn ? [.vpnIPv4, .vpnIPv6, .vpnIPv4Flowspec] : [.evpn] }
}
