import BGPWire

/// The `[BGP]` section (bagpipe-bgp.md §7.2), with the peers resolved.
///
/// Options of the original: `local_address` (required), `peers`, `my_as` (required), `enable_rtc`, `bgp_port`.
///
/// Bagpipe additions, all optional; their defaults give the original's behaviour (an iBGP speaker that only
/// connects out, with the original's hold time, retry timer, families and OPEN):
/// `peer_as`, `passive`, `listen`, `listen_address`, `listen_port`, `listen_ranges`, `listen_range_peer_as`,
/// `md5_password`, `hold_time`, `connect_retry_time`, `families`, `route_reflector`, `cluster_id`,
/// `graceful_restart_time`, `router_id`, `enhanced_route_refresh`, `extended_message`.
public struct BGPSettings: Hashable, Sendable {
    /// Router ID (unless `router_id` is set), BGP source address, RD prefix, RTC next hop, default dataplane
    /// address.
    public var localAddress: LocalAddress
    /// Local AS. 1...4294967295: we send the 4-octet AS capability (RFC 6793); the original allowed 1...65535.
    public var myAS: UInt32
    /// Every configured neighbor: the `peers` list in order, then addresses that only have a `[BGP_PEER]`
    /// section, in file order.
    public var peers: [PeerSettings]
    /// RFC 4684 Route Target Constraint. Default true.
    public var enableRTC: Bool
    /// Remote TCP port of the peers. Default 179.
    public var bgpPort: UInt16

    /// Default AS of the peers (Bagpipe). Default: `my_as`, that is iBGP, the original's only mode.
    public var peerAS: UInt32
    /// Default for the peers: wait for them to connect (Bagpipe). Default false.
    public var passive: Bool
    /// Accept incoming BGP connections (Bagpipe). Default false: the original never listens (bagpipe-bgp.md §1.2).
    public var listen: Bool
    /// Address to listen on; `nil` means the local address.
    public var listenAddress: IPAddress?
    /// Default 179.
    public var listenPort: UInt16
    /// Prefixes whose addresses are accepted as dynamic peers, like FRR's `bgp listen range`.
    public var listenRanges: [IPPrefix]
    /// AS of the dynamic peers. Default: `peer_as`.
    public var listenRangePeerAS: UInt32
    /// Default TCP-MD5 key of the peers (RFC 2385); the original never set one.
    public var md5Password: String?
    /// Proposed hold time: 0 or 3...65535. Default 180, the original's `DEFAULT_HOLDTIME`.
    public var holdTime: UInt16
    /// Seconds between connection attempts. Default 5, the original's `CONNECT_RETRY_TIMER`.
    public var connectRetryTime: UInt16
    /// Default families of the peers. Default: the original's `ipv4/mpls-vpn`, `l2vpn/evpn`,
    /// `ipv4/flowspec-vpn`, plus `ipv4/rtc` when `enable_rtc`. Contains `ipv4/rtc` exactly when `enable_rtc`.
    public var families: [AddressFamily]
    /// Reflect routes between iBGP peers (RFC 4456). Default false.
    public var routeReflector: Bool
    /// Cluster ID when reflecting; `nil` means the router ID.
    public var clusterID: IPv4Address?
    /// Graceful Restart time to advertise (RFC 4724), 0...4095 seconds; 0, the default, advertises no Graceful
    /// Restart, like the original.
    public var gracefulRestartTime: UInt16
    /// BGP identifier; `nil` means the local address (the original's only choice).
    public var routerID: IPv4Address?
    /// Advertise Enhanced Route Refresh (RFC 7313). Default false, like the original's OPEN.
    public var enhancedRouteRefresh: Bool
    /// Advertise Extended Message (RFC 8654). Default false, like the original's OPEN.
    public var extendedMessage: Bool

    /// Settings with the defaults; `peers` get the defaults too.
    public init(localAddress: LocalAddress, myAS: UInt32, peers: [IPAddress] = [], enableRTC: Bool = true) {
        self.localAddress = localAddress
        self.myAS = myAS
        self.peers = []
        self.enableRTC = enableRTC
        bgpPort = 179
        peerAS = myAS
        passive = false
        listen = false
        listenAddress = nil
        listenPort = 179
        listenRanges = []
        listenRangePeerAS = myAS
        md5Password = nil
        holdTime = 180
        connectRetryTime = 5
        families = Self.defaultFamilies(enableRTC: enableRTC)
        routeReflector = false
        clusterID = nil
        gracefulRestartTime = 0
        routerID = nil
        enhancedRouteRefresh = false
        extendedMessage = false
        self.peers = peers.map(defaultPeer)
    }

    /// The families the original announced (bagpipe-bgp.md §1.2).
    public static func defaultFamilies(enableRTC: Bool) -> [AddressFamily] {
        [.vpnIPv4, .evpn, .vpnIPv4Flowspec] + (enableRTC ? [.routeTargetConstraint] : [])
    }

    /// A peer at `address` with the settings of this section.
    public func defaultPeer(_ address: IPAddress) -> PeerSettings {
        PeerSettings(
            address: address, peerAS: peerAS, passive: passive, md5Password: md5Password, holdTime: holdTime,
            port: bgpPort, families: families)
    }

    /// The router ID: `router_id`, else the local address when it is one (an interface is resolved by the shell).
    public var effectiveRouterID: IPv4Address? { routerID ?? localAddress.ipv4 }

    /// Keys of `[BGP]`.
    static let keys = [
        "local_address", "peers", "my_as", "enable_rtc", "bgp_port", "peer_as", "passive", "listen", "listen_address",
        "listen_port", "listen_ranges", "listen_range_peer_as", "md5_password", "hold_time", "connect_retry_time",
        "families", "route_reflector", "cluster_id", "graceful_restart_time", "router_id", "enhanced_route_refresh",
        "extended_message",
    ]

    /// `families` of `reader`, `nil` when absent. `ipv4/rtc` is added when `enableRTC` and refused when it is
    /// false; `nil` `enableRTC` (its value was refused) checks neither.
    static func readFamilies(
        _ reader: inout SectionReader, _ diagnostics: inout Diagnostics, enableRTC: Bool?
    )
        -> [AddressFamily]?
    {
        guard let parsed = reader.readList("families", &diagnostics, FamilyName.parse),
            let entry = reader.section?["families"]
        else { return nil }
        var families: [AddressFamily] = []
        for family in parsed {
            if families.contains(family) {
                diagnostics.warn(section: reader.name, key: "families", line: entry.line, "\(family) listed twice")
            } else {
                families.append(family)
            }
        }
        if families.isEmpty, !reader.failed.contains("families") {
            diagnostics.error(reader.invalid(entry, ValueProblem("empty list: at least one address family is needed")))
        }
        if enableRTC == false, families.contains(.routeTargetConstraint) {
            diagnostics.error(reader.conflict(entry, "ipv4/rtc needs [BGP] enable_rtc = true"))
        }
        if enableRTC == true, !families.contains(.routeTargetConstraint) {
            families.append(.routeTargetConstraint)
        }
        return families
    }
}
