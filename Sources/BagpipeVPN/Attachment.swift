public import BGPWire

/// A validated `attach_localport` request (bagpipe-bgp.md §6.2), as the VPN manager uses it. The REST layer
/// parses and validates the JSON body; this is what it produces.
public struct Attachment: Hashable, Sendable {
    /// `vpn_instance_id`: every attachment with the same id shares one VPN instance.
    public var instanceID: String
    public var type: VPNType
    public var mac: MACAddress
    /// `ip_address` with its prefix length as given; optional for E-VPN (a MAC-only endpoint).
    public var ip: IPPrefixWithHost?
    /// Advertise `ip` with its prefix length rather than as a host route.
    public var advertiseSubnet: Bool
    /// Required for IP VPN; used when the instance is created.
    public var gatewayIP: IPAddress?
    public var port: PortSpec
    public var importRouteTargets: [RouteTarget]
    public var exportRouteTargets: [RouteTarget]
    /// Consistent Hash Sort Order of this endpoint's route.
    public var consistentHashOrder: UInt32
    /// LOCAL_PREF of this endpoint's route (default 100).
    public var localPreference: UInt32?
    /// Forces the instance's VNI/label (unique across instances); used when the instance is created.
    public var vni: UInt32?
    /// An existing Linux bridge for the E-VPN instance; used when the instance is created.
    public var linuxBridge: String?
    public var direction: Direction
    public var instanceDescription: String?
    /// Free text or JSON stored with the endpoint (the agent sends `{"port": "<uuid>"}`).
    public var endpointDescription: String?
    /// `readvertise`: routes carrying `from` are re-advertised with `to` via the local ports.
    public var readvertise: Readvertise?
    /// `attract_traffic`: used when the instance is created.
    public var attractTraffic: AttractTraffic?
    /// `fallback` (IP VPN): set on every attach, as the original's `update_fallback`.
    public var fallback: Fallback?

    public init(
        instanceID: String, type: VPNType, mac: MACAddress, ip: IPPrefixWithHost? = nil, advertiseSubnet: Bool = false,
        gatewayIP: IPAddress? = nil, port: PortSpec, importRouteTargets: [RouteTarget],
        exportRouteTargets: [RouteTarget], consistentHashOrder: UInt32 = 0, localPreference: UInt32? = nil,
        vni: UInt32? = nil, linuxBridge: String? = nil, direction: Direction = .both,
        instanceDescription: String? = nil, endpointDescription: String? = nil, readvertise: Readvertise? = nil,
        attractTraffic: AttractTraffic? = nil, fallback: Fallback? = nil
    ) {
        self.instanceID = instanceID
        self.type = type
        self.mac = mac
        self.ip = ip
        self.advertiseSubnet = advertiseSubnet
        self.gatewayIP = gatewayIP
        self.port = port
        self.importRouteTargets = importRouteTargets
        self.exportRouteTargets = exportRouteTargets
        self.consistentHashOrder = consistentHashOrder
        self.localPreference = localPreference
        self.vni = vni
        self.linuxBridge = linuxBridge
        self.direction = direction
        self.instanceDescription = instanceDescription
        self.endpointDescription = endpointDescription
        self.readvertise = readvertise
        self.attractTraffic = attractTraffic
        self.fallback = fallback
    }
}

/// `readvertise` (bagpipe-bgp.md §4.3): route leaking between VPNs through the local ports.
public struct Readvertise: Hashable, Sendable {
    public var from: [RouteTarget]
    public var to: [RouteTarget]

    public init(from: [RouteTarget], to: [RouteTarget]) {
        self.from = from
        self.to = to
    }
}

/// A validated `detach_localport` request (bagpipe-bgp.md §6.3).
public struct Detachment: Hashable, Sendable {
    public var instanceID: String
    public var type: VPNType
    public var mac: MACAddress
    /// Required for IP VPN; for E-VPN, absent means every IP of the MAC, then the MAC itself.
    public var ip: IPPrefixWithHost?
    public var port: PortSpec

    public init(instanceID: String, type: VPNType, mac: MACAddress, ip: IPPrefixWithHost? = nil, port: PortSpec) {
        self.instanceID = instanceID
        self.type = type
        self.mac = mac
        self.ip = ip
        self.port = port
    }
}

/// `local_port`: a Linux interface, or (IP VPN only) an existing EVI to stitch to the VRF (§4.5).
public struct PortSpec: Hashable, Sendable {
    public var linuxInterface: String?
    public var vlan: UInt16?
    /// `evpn.id`: the external id of the EVI to plug into this VRF.
    public var evpnLink: String?

    public init(linuxInterface: String? = nil, vlan: UInt16? = nil, evpnLink: String? = nil) {
        self.linuxInterface = linuxInterface
        self.vlan = vlan
        self.evpnLink = evpnLink
    }
}

/// An address with the prefix length it was given with (`10.0.0.2/24`: the host 10.0.0.2 in 10.0.0.0/24).
/// The endpoint is the host; the length matters only with `advertise_subnet` (and for the VRF's subnet).
public struct IPPrefixWithHost: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var length: UInt8

    public init(address: IPAddress, length: UInt8) {
        self.address = address
        self.length = length
    }

    /// Parses `10.0.0.2`, `10.0.0.2/32`, `10.1.0.0/24` and the IPv6 forms; a bare address is a host.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
        let host: UInt8 = address.isIPv4 ? 32 : 128
        if parts.count == 2 {
            guard let l = UInt8(parts[1]), l <= host else { return nil }
            self.init(address: address, length: l)
        } else {
            self.init(address: address, length: host)
        }
    }

    public var hostLength: UInt8 { address.isIPv4 ? 32 : 128 }

    /// The prefix to advertise: the host route, or the subnet with `advertise_subnet`.
    public func prefix(subnet: Bool) -> IPPrefix {
        let l = subnet ? length : hostLength
        switch address {
        case .v4(let a): return .v4(IPv4Prefix(a, length: l))
        case .v6(let a): return .v6(IPv6Prefix(a, length: l))
        }
    }

    public var description: String { "\(address)/\(length)" }
}
