import BGPWire

/// The key type of one family's table, with the conversions between it and the wire.
///
/// Each family has its own key type so that a table stores exactly the octets that name its routes: a VPN-IPv4
/// key is 16 octets (RD and prefix), where a key type shared by all families would be as large as the largest EVPN
/// route. The non-key fields of an NLRI (labels, EVPN ESI and labels) are the per-path ``Payload``; the path
/// identifier is kept per path too, because ADD-PATH identifiers name paths of one peer, not destinations.
protocol FamilyKey: Hashable, Sendable {
    /// The BGPWire NLRI type of the family.
    associatedtype Wire: Hashable, Sendable
    /// What a path keeps of its NLRI besides the key.
    associatedtype Payload: Hashable, Sendable

    /// Key, path identifier and payload of one received NLRI.
    static func split(_ wire: Wire) -> (key: Self, pathID: UInt32?, payload: Payload)
    /// The NLRI announcing the key with `payload`.
    func announcement(_ payload: Payload, pathID: UInt32?) -> Wire
    /// The NLRI withdrawing the key.
    var withdrawal: Wire { get }
    /// Octets `wire` takes in an UPDATE; equal to what BGPWire's encoder writes (tested).
    static func encodedLength(_ wire: Wire) -> Int
    static func list(_ wires: [Wire]) -> NLRIList
    static func wires(in list: NLRIList) -> [Wire]?
    static func routeNLRI(_ wire: Wire) -> RouteNLRI
    static func wire(_ nlri: RouteNLRI) -> Wire?
    var identity: RouteKey.Identity { get }
    init?(identity: RouteKey.Identity)
    /// The RT membership prefix this key stands for, for the RT Constraint family only.
    var membership: RTCMembership.Prefix? { get }
}

extension FamilyKey {
    var membership: RTCMembership.Prefix? { nil }
}

/// No per-path data beyond the key (unicast, RT membership, flowspec).
struct EmptyPayload: Hashable, Sendable {}

/// Octets of the address part of a prefix of `length` bits (RFC 4271 §4.3).
@inline(__always)
func prefixOctets(_ length: UInt8) -> Int { (Int(length) + 7) / 8 }

@inline(__always)
func pathIDOctets(_ pathID: UInt32?) -> Int { pathID == nil ? 0 : 4 }

/// RFC 8277 §2.4: the label field of a withdrawal is not interpreted; 0x800000 is the compatibility value.
let withdrawnLabels = LabelStack(LabelField.withdrawCompatibility)

// MARK: - Unicast

struct IPv4Key: FamilyKey {
    var prefix: IPv4Prefix

    static func split(_ w: IPv4PrefixNLRI) -> (key: Self, pathID: UInt32?, payload: EmptyPayload) {
        (Self(prefix: w.prefix), w.pathID, EmptyPayload())
    }
    func announcement(_ payload: EmptyPayload, pathID: UInt32?) -> IPv4PrefixNLRI {
        IPv4PrefixNLRI(pathID: pathID, prefix: prefix)
    }
    var withdrawal: IPv4PrefixNLRI { IPv4PrefixNLRI(prefix: prefix) }
    static func encodedLength(_ w: IPv4PrefixNLRI) -> Int { pathIDOctets(w.pathID) + 1 + prefixOctets(w.prefix.length) }
    static func list(_ wires: [IPv4PrefixNLRI]) -> NLRIList { .ipv4(wires) }
    static func wires(in list: NLRIList) -> [IPv4PrefixNLRI]? {
        if case .ipv4(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: IPv4PrefixNLRI) -> RouteNLRI { .ipv4(w) }
    static func wire(_ n: RouteNLRI) -> IPv4PrefixNLRI? {
        if case .ipv4(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .ipv4(prefix) }
    init(prefix: IPv4Prefix) { self.prefix = prefix }
    init?(identity: RouteKey.Identity) {
        guard case .ipv4(let p) = identity else { return nil }
        prefix = p
    }
}

struct IPv6Key: FamilyKey {
    var prefix: IPv6Prefix

    static func split(_ w: IPv6PrefixNLRI) -> (key: Self, pathID: UInt32?, payload: EmptyPayload) {
        (Self(prefix: w.prefix), w.pathID, EmptyPayload())
    }
    func announcement(_ payload: EmptyPayload, pathID: UInt32?) -> IPv6PrefixNLRI {
        IPv6PrefixNLRI(pathID: pathID, prefix: prefix)
    }
    var withdrawal: IPv6PrefixNLRI { IPv6PrefixNLRI(prefix: prefix) }
    static func encodedLength(_ w: IPv6PrefixNLRI) -> Int { pathIDOctets(w.pathID) + 1 + prefixOctets(w.prefix.length) }
    static func list(_ wires: [IPv6PrefixNLRI]) -> NLRIList { .ipv6(wires) }
    static func wires(in list: NLRIList) -> [IPv6PrefixNLRI]? {
        if case .ipv6(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: IPv6PrefixNLRI) -> RouteNLRI { .ipv6(w) }
    static func wire(_ n: RouteNLRI) -> IPv6PrefixNLRI? {
        if case .ipv6(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .ipv6(prefix) }
    init(prefix: IPv6Prefix) { self.prefix = prefix }
    init?(identity: RouteKey.Identity) {
        guard case .ipv6(let p) = identity else { return nil }
        prefix = p
    }
}

// MARK: - Labeled unicast (RFC 8277)

struct LabeledIPv4Key: FamilyKey {
    var prefix: IPv4Prefix

    static func split(_ w: LabeledIPv4NLRI) -> (key: Self, pathID: UInt32?, payload: LabelStack) {
        (Self(prefix: w.prefix), w.pathID, w.labels)
    }
    func announcement(_ labels: LabelStack, pathID: UInt32?) -> LabeledIPv4NLRI {
        LabeledIPv4NLRI(pathID: pathID, labels: labels, prefix: prefix)
    }
    var withdrawal: LabeledIPv4NLRI { LabeledIPv4NLRI(labels: withdrawnLabels, prefix: prefix) }
    static func encodedLength(_ w: LabeledIPv4NLRI) -> Int {
        pathIDOctets(w.pathID) + 1 + 3 * w.labels.count + prefixOctets(w.prefix.length)
    }
    static func list(_ wires: [LabeledIPv4NLRI]) -> NLRIList { .labeledIPv4(wires) }
    static func wires(in list: NLRIList) -> [LabeledIPv4NLRI]? {
        if case .labeledIPv4(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: LabeledIPv4NLRI) -> RouteNLRI { .labeledIPv4(w) }
    static func wire(_ n: RouteNLRI) -> LabeledIPv4NLRI? {
        if case .labeledIPv4(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .ipv4(prefix) }
    init(prefix: IPv4Prefix) { self.prefix = prefix }
    init?(identity: RouteKey.Identity) {
        guard case .ipv4(let p) = identity else { return nil }
        prefix = p
    }
}

struct LabeledIPv6Key: FamilyKey {
    var prefix: IPv6Prefix

    static func split(_ w: LabeledIPv6NLRI) -> (key: Self, pathID: UInt32?, payload: LabelStack) {
        (Self(prefix: w.prefix), w.pathID, w.labels)
    }
    func announcement(_ labels: LabelStack, pathID: UInt32?) -> LabeledIPv6NLRI {
        LabeledIPv6NLRI(pathID: pathID, labels: labels, prefix: prefix)
    }
    var withdrawal: LabeledIPv6NLRI { LabeledIPv6NLRI(labels: withdrawnLabels, prefix: prefix) }
    static func encodedLength(_ w: LabeledIPv6NLRI) -> Int {
        pathIDOctets(w.pathID) + 1 + 3 * w.labels.count + prefixOctets(w.prefix.length)
    }
    static func list(_ wires: [LabeledIPv6NLRI]) -> NLRIList { .labeledIPv6(wires) }
    static func wires(in list: NLRIList) -> [LabeledIPv6NLRI]? {
        if case .labeledIPv6(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: LabeledIPv6NLRI) -> RouteNLRI { .labeledIPv6(w) }
    static func wire(_ n: RouteNLRI) -> LabeledIPv6NLRI? {
        if case .labeledIPv6(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .ipv6(prefix) }
    init(prefix: IPv6Prefix) { self.prefix = prefix }
    init?(identity: RouteKey.Identity) {
        guard case .ipv6(let p) = identity else { return nil }
        prefix = p
    }
}

// MARK: - L3VPN (RFC 4364, RFC 4659)

/// 16 octets: the route distinguisher and the prefix, nothing else.
struct VPNIPv4Key: FamilyKey {
    var routeDistinguisher: UInt64
    var address: UInt32
    var length: UInt8

    @inline(__always)
    static func split(_ w: VPNIPv4NLRI) -> (key: Self, pathID: UInt32?, payload: LabelStack) {
        (
            Self(
                routeDistinguisher: w.routeDistinguisher.rawValue, address: w.prefix.address.value,
                length: w.prefix.length),
            w.pathID, w.labels
        )
    }
    var prefix: IPv4Prefix { IPv4Prefix(IPv4Address(address), length: length) }
    var rd: RouteDistinguisher { RouteDistinguisher(rawValue: routeDistinguisher) }
    @inline(__always)
    func announcement(_ labels: LabelStack, pathID: UInt32?) -> VPNIPv4NLRI {
        VPNIPv4NLRI(pathID: pathID, labels: labels, routeDistinguisher: rd, prefix: prefix)
    }
    var withdrawal: VPNIPv4NLRI { VPNIPv4NLRI(labels: withdrawnLabels, routeDistinguisher: rd, prefix: prefix) }
    @inline(__always)
    static func encodedLength(_ w: VPNIPv4NLRI) -> Int {
        pathIDOctets(w.pathID) + 1 + 3 * w.labels.count + 8 + prefixOctets(w.prefix.length)
    }
    static func list(_ wires: [VPNIPv4NLRI]) -> NLRIList { .vpnIPv4(wires) }
    static func wires(in list: NLRIList) -> [VPNIPv4NLRI]? {
        if case .vpnIPv4(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: VPNIPv4NLRI) -> RouteNLRI { .vpnIPv4(w) }
    static func wire(_ n: RouteNLRI) -> VPNIPv4NLRI? {
        if case .vpnIPv4(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .vpnIPv4(rd, prefix) }
    init(routeDistinguisher: UInt64, address: UInt32, length: UInt8) {
        self.routeDistinguisher = routeDistinguisher
        self.address = address
        self.length = length
    }
    init?(identity: RouteKey.Identity) {
        guard case .vpnIPv4(let rd, let p) = identity else { return nil }
        self.init(routeDistinguisher: rd.rawValue, address: p.address.value, length: p.length)
    }
}

struct VPNIPv6Key: FamilyKey {
    var routeDistinguisher: RouteDistinguisher
    var prefix: IPv6Prefix

    static func split(_ w: VPNIPv6NLRI) -> (key: Self, pathID: UInt32?, payload: LabelStack) {
        (Self(routeDistinguisher: w.routeDistinguisher, prefix: w.prefix), w.pathID, w.labels)
    }
    func announcement(_ labels: LabelStack, pathID: UInt32?) -> VPNIPv6NLRI {
        VPNIPv6NLRI(pathID: pathID, labels: labels, routeDistinguisher: routeDistinguisher, prefix: prefix)
    }
    var withdrawal: VPNIPv6NLRI {
        VPNIPv6NLRI(labels: withdrawnLabels, routeDistinguisher: routeDistinguisher, prefix: prefix)
    }
    static func encodedLength(_ w: VPNIPv6NLRI) -> Int {
        pathIDOctets(w.pathID) + 1 + 3 * w.labels.count + 8 + prefixOctets(w.prefix.length)
    }
    static func list(_ wires: [VPNIPv6NLRI]) -> NLRIList { .vpnIPv6(wires) }
    static func wires(in list: NLRIList) -> [VPNIPv6NLRI]? {
        if case .vpnIPv6(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: VPNIPv6NLRI) -> RouteNLRI { .vpnIPv6(w) }
    static func wire(_ n: RouteNLRI) -> VPNIPv6NLRI? {
        if case .vpnIPv6(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .vpnIPv6(routeDistinguisher, prefix) }
    init(routeDistinguisher: RouteDistinguisher, prefix: IPv6Prefix) {
        self.routeDistinguisher = routeDistinguisher
        self.prefix = prefix
    }
    init?(identity: RouteKey.Identity) {
        guard case .vpnIPv6(let rd, let p) = identity else { return nil }
        self.init(routeDistinguisher: rd, prefix: p)
    }
}

// MARK: - EVPN (RFC 7432, RFC 9136)

/// The route with its non-key fields zeroed (``EVPNRoute/routeKey``); the path keeps the route as received, since
/// ESI, labels and gateway differ between paths to the same key.
struct EVPNKey: FamilyKey {
    var route: EVPNRoute

    static func split(_ w: EVPNNLRI) -> (key: Self, pathID: UInt32?, payload: EVPNRoute) {
        (Self(route: w.route.routeKey), w.pathID, w.route)
    }
    func announcement(_ payload: EVPNRoute, pathID: UInt32?) -> EVPNNLRI { EVPNNLRI(pathID: pathID, route: payload) }
    var withdrawal: EVPNNLRI { EVPNNLRI(route: route) }
    static func encodedLength(_ w: EVPNNLRI) -> Int { pathIDOctets(w.pathID) + 2 + Self.valueLength(w.route) }
    static func list(_ wires: [EVPNNLRI]) -> NLRIList { .evpn(wires) }
    static func wires(in list: NLRIList) -> [EVPNNLRI]? {
        if case .evpn(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: EVPNNLRI) -> RouteNLRI { .evpn(w) }
    static func wire(_ n: RouteNLRI) -> EVPNNLRI? {
        if case .evpn(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .evpn(route) }
    init(route: EVPNRoute) { self.route = route }
    init?(identity: RouteKey.Identity) {
        guard case .evpn(let r) = identity else { return nil }
        route = r.routeKey
    }

    /// Route Type Specific octets (RFC 7432 §7.1-7.4, RFC 9136 §3.1).
    static func valueLength(_ route: EVPNRoute) -> Int {
        func octets(_ a: IPAddress?) -> Int { (a?.bitLength ?? 0) / 8 }
        switch route {
        case .ethernetAutoDiscovery: return 25
        case .macIPAdvertisement(let r): return 33 + octets(r.ipAddress) + (r.label2 == nil ? 0 : 3)
        case .inclusiveMulticastEthernetTag(let r): return 13 + octets(r.originatingRouterIP)
        case .ethernetSegment(let r): return 19 + octets(r.originatingRouterIP)
        case .ipPrefix(let r): return 26 + 2 * octets(r.gatewayIP)
        case .unknown(_, let value): return value.count
        }
    }
}

// MARK: - RT membership (RFC 4684)

struct RTCKey: FamilyKey {
    var routeTarget: UInt64
    var originAS: UInt32
    var length: UInt8

    init(_ n: RTCNLRI) {
        routeTarget = n.routeTarget.rawValue
        originAS = n.originAS
        length = n.prefixLength
    }
    var nlri: RTCNLRI {
        RTCNLRI(originAS: originAS, routeTarget: ExtendedCommunity(rawValue: routeTarget), prefixLength: length)
    }

    static func split(_ w: RTCNLRI) -> (key: Self, pathID: UInt32?, payload: EmptyPayload) {
        (Self(w), w.pathID, EmptyPayload())
    }
    func announcement(_ payload: EmptyPayload, pathID: UInt32?) -> RTCNLRI {
        var n = nlri
        n.pathID = pathID
        return n
    }
    var withdrawal: RTCNLRI { nlri }
    static func encodedLength(_ w: RTCNLRI) -> Int {
        pathIDOctets(w.pathID) + 1 + (w.prefixLength == 0 ? 0 : 4 + (Int(w.prefixLength) - 32 + 7) / 8)
    }
    static func list(_ wires: [RTCNLRI]) -> NLRIList { .rtc(wires) }
    static func wires(in list: NLRIList) -> [RTCNLRI]? {
        if case .rtc(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: RTCNLRI) -> RouteNLRI { .rtc(w) }
    static func wire(_ n: RouteNLRI) -> RTCNLRI? {
        if case .rtc(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .rtc(nlri) }
    init?(identity: RouteKey.Identity) {
        guard case .rtc(let n) = identity else { return nil }
        self.init(n)
    }
    var membership: RTCMembership.Prefix? {
        length == 0 ? .everything : RTCMembership.Prefix(routeTarget: routeTarget, bits: Int(length) - 32)
    }
}

// MARK: - Flowspec (RFC 8955, RFC 8956)

struct FlowspecKey: FamilyKey {
    /// The rule without path identifier, in the shortest length form.
    var rule: FlowspecNLRI

    init(_ n: FlowspecNLRI) {
        var r = n
        r.pathID = nil
        r.usesExtendedLength = false
        rule = r
    }

    static func split(_ w: FlowspecNLRI) -> (key: Self, pathID: UInt32?, payload: EmptyPayload) {
        (Self(w), w.pathID, EmptyPayload())
    }
    func announcement(_ payload: EmptyPayload, pathID: UInt32?) -> FlowspecNLRI {
        var n = rule
        n.pathID = pathID
        return n
    }
    var withdrawal: FlowspecNLRI { rule }
    static func encodedLength(_ w: FlowspecNLRI) -> Int {
        let value = w.valueLength
        return pathIDOctets(w.pathID) + (value >= 0xF0 || w.usesExtendedLength ? 2 : 1) + value
    }
    static func list(_ wires: [FlowspecNLRI]) -> NLRIList { .flowspec(wires) }
    static func wires(in list: NLRIList) -> [FlowspecNLRI]? {
        if case .flowspec(let l) = list { return l }
        return nil
    }
    static func routeNLRI(_ w: FlowspecNLRI) -> RouteNLRI { .flowspec(w) }
    static func wire(_ n: RouteNLRI) -> FlowspecNLRI? {
        if case .flowspec(let w) = n { return w }
        return nil
    }
    var identity: RouteKey.Identity { .flowspec(rule) }
    init?(identity: RouteKey.Identity) {
        guard case .flowspec(let n) = identity else { return nil }
        self.init(n)
    }
}
