public import BGPWire

/// Settings of one routing engine.
public struct EngineConfiguration: Sendable {
    public var localAS: UInt32
    public var routerID: IPv4Address
    /// Route reflector mode (RFC 4456) when set: the CLUSTER_ID this reflector adds and loops on.
    public var clusterID: IPv4Address?
    /// LOCAL_PREF of routes that have none: external routes (whose LOCAL_PREF is ignored, RFC 4271 §5.1.5) and
    /// local ones.
    public var defaultLocalPreference: UInt32
    /// Originate the default RT membership route (RFC 4684 §4, length 0): "send me every VPN route".
    public var originateDefaultRTC: Bool
    /// Next hop of originated RT membership routes; nil uses the router ID.
    public var rtcNextHop: NextHop?
    /// Families whose local imports are announced as RT membership routes and whose routes to RTC peers are
    /// filtered by membership (RFC 4684 §3): L3VPN and EVPN, as in bagpipe-bgp.
    public var rtcFamilies: Set<AddressFamily>
    /// IGP cost to reach a next hop (RFC 4271 §9.1.2.2 e); nil marks it unreachable, which takes the route out of
    /// the decision (§9.1.2.1). Without a hook every next hop is reachable at cost 0.
    public var igpCost: (@Sendable (NextHop?) -> UInt32?)?

    public init(
        localAS: UInt32, routerID: IPv4Address, clusterID: IPv4Address? = nil, defaultLocalPreference: UInt32 = 100,
        originateDefaultRTC: Bool = false, rtcNextHop: NextHop? = nil,
        rtcFamilies: Set<AddressFamily> = [.vpnIPv4, .vpnIPv6, .evpn],
        igpCost: (@Sendable (NextHop?) -> UInt32?)? = nil
    ) {
        self.localAS = localAS
        self.routerID = routerID
        self.clusterID = clusterID
        self.defaultLocalPreference = defaultLocalPreference
        self.originateDefaultRTC = originateDefaultRTC
        self.rtcNextHop = rtcNextHop
        self.rtcFamilies = rtcFamilies
        self.igpCost = igpCost
    }

    public var isRouteReflector: Bool { clusterID != nil }
}
