import BGPWire

/// `readvertise` (§6.2): routes received with ``fromRTs`` are advertised again with ``toRTs`` and the local
/// ports as next hop. Used only when the instance is created (§4.1).
public struct Readvertise: Hashable, Sendable {
    public var fromRTs: [RouteTarget]
    public var toRTs: [RouteTarget]

    public init(fromRTs: [RouteTarget], toRTs: [RouteTarget]) {
        self.fromRTs = fromRTs
        self.toRTs = toRTs
    }
}

/// A port or port range of a traffic classifier (`"80"`, `"1000:2000"`).
public struct PortRange: Hashable, Sendable, CustomStringConvertible {
    public var lower: UInt16
    public var upper: UInt16

    public init(_ lower: UInt16, _ upper: UInt16) {
        self.lower = lower
        self.upper = upper
    }

    /// Parses `n` or `low:high` (high ≥ low).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let lo = UInt16(parts[0]), let hi = UInt16(parts.last!), lo <= hi else {
            return nil
        }
        (lower, upper) = (lo, hi)
    }

    public var description: String { lower == upper ? "\(lower)" : "\(lower):\(upper)" }
}

/// `attract_traffic.classifier` (camelCase keys, as in the original's `TrafficClassifier`).
public struct TrafficClassifier: Hashable, Sendable {
    public var sourcePrefix: IPPrefix?
    public var destinationPrefix: IPPrefix?
    public var sourcePort: PortRange?
    public var destinationPort: PortRange?
    /// An IP protocol name as ExaBGP spells it (`tcp`, `udp`, ...); `tcp` when absent.
    public var `protocol`: String

    public init(
        sourcePrefix: IPPrefix? = nil, destinationPrefix: IPPrefix? = nil, sourcePort: PortRange? = nil,
        destinationPort: PortRange? = nil, protocol: String = "tcp"
    ) {
        self.sourcePrefix = sourcePrefix
        self.destinationPrefix = destinationPrefix
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.protocol = `protocol`
    }

    /// The object form with the API's keys (for the looking glass).
    public var json: JSONValue {
        var o = JSONObject()
        if let v = sourcePrefix { o["sourcePrefix"] = .string(v.description) }
        if let v = destinationPrefix { o["destinationPrefix"] = .string(v.description) }
        if let v = sourcePort { o["sourcePort"] = .string(v.description) }
        if let v = destinationPort { o["destinationPort"] = .string(v.description) }
        o["protocol"] = .string(`protocol`)
        return .object(o)
    }
}

/// `attract_traffic` (§4.2), kept only when it is in force: when the request also has `readvertise`, or has
/// `attract_traffic.to_rt` (the original ignores it otherwise). Used only when the instance is created.
public struct AttractTraffic: Hashable, Sendable {
    /// RTs of the generated Flowspec routes.
    public var redirectRTs: [RouteTarget]
    public var classifier: TrafficClassifier
    /// The single redirect-to-VRF target: `attract_traffic.to_rt`, else `readvertise.to_rt`.
    public var toRT: RouteTarget
    /// Prefixes for which Flowspec routes are generated besides the readvertised ones (required with `to_rt`).
    public var staticDestinationPrefixes: [IPPrefix]

    public init(
        redirectRTs: [RouteTarget], classifier: TrafficClassifier, toRT: RouteTarget,
        staticDestinationPrefixes: [IPPrefix] = []
    ) {
        self.redirectRTs = redirectRTs
        self.classifier = classifier
        self.toRT = toRT
        self.staticDestinationPrefixes = staticDestinationPrefixes
    }
}

/// `fallback` (§5.4): on a VRF lookup miss, rewrite the MACs and send the packet to ``ovsPortNumber``.
public struct Fallback: Hashable, Sendable {
    public var srcMAC: MACAddress?
    public var dstMAC: MACAddress?
    public var ovsPortNumber: Int?
    public var ovsPortName: String?
    /// `(<port>,<table>)`; documented by the original as unsupported, kept so it round-trips.
    public var ovsResubmit: String?

    public init(
        srcMAC: MACAddress? = nil, dstMAC: MACAddress? = nil, ovsPortNumber: Int? = nil, ovsPortName: String? = nil,
        ovsResubmit: String? = nil
    ) {
        self.srcMAC = srcMAC
        self.dstMAC = dstMAC
        self.ovsPortNumber = ovsPortNumber
        self.ovsPortName = ovsPortName
        self.ovsResubmit = ovsResubmit
    }

    /// The object form with the API's keys (for the looking glass).
    public var json: JSONValue {
        var o = JSONObject()
        if let v = srcMAC { o["src_mac"] = .string(v.description) }
        if let v = dstMAC { o["dst_mac"] = .string(v.description) }
        if let v = ovsPortNumber { o["ovs_port_number"] = .int(Int64(v)) }
        if let v = ovsPortName { o["ovs_port_name"] = .string(v) }
        if let v = ovsResubmit { o["ovs_resubmit"] = .string(v) }
        return .object(o)
    }
}
