/// The Route Type Specific part of an EVPN NLRI (RFC 7432 §7, RFC 9136 §3): one case per route type this
/// codec reads, and ``unknown(type:value:)`` for the others, kept raw and re-encoded byte for byte.
///
/// Ethernet Tag IDs are 4 octets; label fields keep their raw 24 bits (an MPLS label with TC and S, or a
/// VNI with VXLAN, RFC 8365 §5.1.3).
public enum EVPNRoute: Hashable, Sendable, CustomStringConvertible {
    case ethernetAutoDiscovery(EthernetAutoDiscovery)
    case macIPAdvertisement(MACIPAdvertisement)
    case inclusiveMulticastEthernetTag(InclusiveMulticastEthernetTag)
    case ethernetSegment(EthernetSegment)
    case ipPrefix(IPPrefixRoute)
    /// A route type this codec does not know: RFC 7432 §7 says such routes are ignored, so they are skipped
    /// by their length and kept as they came.
    case unknown(type: UInt8, value: [UInt8])

    /// Ethernet Auto-Discovery route, type 1 (RFC 7432 §7.1).
    ///
    ///     +---------------------------------------+
    ///     |  Route Distinguisher (RD) (8 octets)  |
    ///     +---------------------------------------+
    ///     |Ethernet Segment Identifier (10 octets)|
    ///     +---------------------------------------+
    ///     |  Ethernet Tag ID (4 octets)           |
    ///     +---------------------------------------+
    ///     |  MPLS Label (3 octets)                |
    ///     +---------------------------------------+
    public struct EthernetAutoDiscovery: Hashable, Sendable {
        public var routeDistinguisher: RouteDistinguisher
        public var esi: EthernetSegmentIdentifier
        public var ethernetTagID: UInt32
        public var label: LabelField

        public init(
            routeDistinguisher: RouteDistinguisher, esi: EthernetSegmentIdentifier, ethernetTagID: UInt32,
            label: LabelField
        ) {
            self.routeDistinguisher = routeDistinguisher
            self.esi = esi
            self.ethernetTagID = ethernetTagID
            self.label = label
        }
    }

    /// MAC/IP Advertisement route, type 2 (RFC 7432 §7.2).
    ///
    ///     +---------------------------------------+
    ///     |  RD (8 octets)                        |
    ///     +---------------------------------------+
    ///     |Ethernet Segment Identifier (10 octets)|
    ///     +---------------------------------------+
    ///     |  Ethernet Tag ID (4 octets)           |
    ///     +---------------------------------------+
    ///     |  MAC Address Length (1 octet)         |
    ///     +---------------------------------------+
    ///     |  MAC Address (6 octets)               |
    ///     +---------------------------------------+
    ///     |  IP Address Length (1 octet)          |
    ///     +---------------------------------------+
    ///     |  IP Address (0, 4, or 16 octets)      |
    ///     +---------------------------------------+
    ///     |  MPLS Label1 (3 octets)               |
    ///     +---------------------------------------+
    ///     |  MPLS Label2 (0 or 3 octets)          |
    ///     +---------------------------------------+
    public struct MACIPAdvertisement: Hashable, Sendable {
        public var routeDistinguisher: RouteDistinguisher
        public var esi: EthernetSegmentIdentifier
        public var ethernetTagID: UInt32
        public var macAddress: MACAddress
        public var ipAddress: IPAddress?
        public var label1: LabelField
        public var label2: LabelField?

        public init(
            routeDistinguisher: RouteDistinguisher, esi: EthernetSegmentIdentifier = .zero, ethernetTagID: UInt32,
            macAddress: MACAddress, ipAddress: IPAddress? = nil, label1: LabelField, label2: LabelField? = nil
        ) {
            self.routeDistinguisher = routeDistinguisher
            self.esi = esi
            self.ethernetTagID = ethernetTagID
            self.macAddress = macAddress
            self.ipAddress = ipAddress
            self.label1 = label1
            self.label2 = label2
        }
    }

    /// Inclusive Multicast Ethernet Tag route, type 3 (RFC 7432 §7.3).
    ///
    ///     +---------------------------------------+
    ///     |  RD (8 octets)                        |
    ///     +---------------------------------------+
    ///     |  Ethernet Tag ID (4 octets)           |
    ///     +---------------------------------------+
    ///     |  IP Address Length (1 octet)          |
    ///     +---------------------------------------+
    ///     |  Originating Router's IP Address      |
    ///     |          (4 or 16 octets)             |
    ///     +---------------------------------------+
    public struct InclusiveMulticastEthernetTag: Hashable, Sendable {
        public var routeDistinguisher: RouteDistinguisher
        public var ethernetTagID: UInt32
        public var originatingRouterIP: IPAddress

        public init(routeDistinguisher: RouteDistinguisher, ethernetTagID: UInt32, originatingRouterIP: IPAddress) {
            self.routeDistinguisher = routeDistinguisher
            self.ethernetTagID = ethernetTagID
            self.originatingRouterIP = originatingRouterIP
        }
    }

    /// Ethernet Segment route, type 4 (RFC 7432 §7.4).
    ///
    ///     +---------------------------------------+
    ///     |  RD (8 octets)                        |
    ///     +---------------------------------------+
    ///     |Ethernet Segment Identifier (10 octets)|
    ///     +---------------------------------------+
    ///     |  IP Address Length (1 octet)          |
    ///     +---------------------------------------+
    ///     |  Originating Router's IP Address      |
    ///     |          (4 or 16 octets)             |
    ///     +---------------------------------------+
    public struct EthernetSegment: Hashable, Sendable {
        public var routeDistinguisher: RouteDistinguisher
        public var esi: EthernetSegmentIdentifier
        public var originatingRouterIP: IPAddress

        public init(
            routeDistinguisher: RouteDistinguisher, esi: EthernetSegmentIdentifier, originatingRouterIP: IPAddress
        ) {
            self.routeDistinguisher = routeDistinguisher
            self.esi = esi
            self.originatingRouterIP = originatingRouterIP
        }
    }

    /// IP Prefix route, type 5 (RFC 9136 §3.1). The prefix and the gateway are of one family, so the route is
    /// 34 octets long for IPv4 and 58 for IPv6.
    ///
    ///     +---------------------------------------+
    ///     |      RD (8 octets)                    |
    ///     +---------------------------------------+
    ///     |Ethernet Segment Identifier (10 octets)|
    ///     +---------------------------------------+
    ///     |  Ethernet Tag ID (4 octets)           |
    ///     +---------------------------------------+
    ///     |  IP Prefix Length (1 octet, 0 to 32)  |
    ///     +---------------------------------------+
    ///     |  IP Prefix (4 octets)                 |
    ///     +---------------------------------------+
    ///     |  GW IP Address (4 octets)             |
    ///     +---------------------------------------+
    ///     |  MPLS Label (3 octets)                |
    ///     +---------------------------------------+
    ///
    /// (IPv6: IP Prefix Length 0 to 128, IP Prefix and GW IP Address 16 octets each.) The prefix always has
    /// its host bits zero, so a route received with host bits set is re-encoded without them.
    public struct IPPrefixRoute: Hashable, Sendable {
        public var routeDistinguisher: RouteDistinguisher
        public var esi: EthernetSegmentIdentifier
        public var ethernetTagID: UInt32
        public var prefix: IPPrefix
        /// The overlay index gateway; 0.0.0.0 or :: when there is none. Same family as ``prefix``.
        public var gatewayIP: IPAddress
        public var label: LabelField

        public init(
            routeDistinguisher: RouteDistinguisher, esi: EthernetSegmentIdentifier = .zero, ethernetTagID: UInt32,
            prefix: IPPrefix, gatewayIP: IPAddress, label: LabelField
        ) {
            precondition(Self.sameFamily(prefix, gatewayIP), "gateway \(gatewayIP) and prefix \(prefix) differ")
            self.routeDistinguisher = routeDistinguisher
            self.esi = esi
            self.ethernetTagID = ethernetTagID
            self.prefix = prefix
            self.gatewayIP = gatewayIP
            self.label = label
        }

        /// Whether `prefix` and `gateway` are both IPv4 or both IPv6.
        static func sameFamily(_ prefix: IPPrefix, _ gateway: IPAddress) -> Bool {
            switch (prefix, gateway) {
            case (.v4, .v4), (.v6, .v6): true
            default: false
            }
        }
    }
}

// MARK: - Identity

extension EVPNRoute {
    /// The Route Type octet.
    public var type: UInt8 {
        switch self {
        case .ethernetAutoDiscovery: 1
        case .macIPAdvertisement: 2
        case .inclusiveMulticastEthernetTag: 3
        case .ethernetSegment: 4
        case .ipPrefix: 5
        case .unknown(let type, _): type
        }
    }

    /// The IANA name of a route type ("EVPN Route Types" registry), nil for types this codec does not know.
    public static func name(ofType type: UInt8) -> String? {
        switch type {
        case 1: "Ethernet Auto-discovery"
        case 2: "MAC/IP Advertisement"
        case 3: "Inclusive Multicast Ethernet Tag"
        case 4: "Ethernet Segment"
        case 5: "IP Prefix"
        default: nil
        }
    }

    /// The RD of every known route type; nil for an unknown one.
    public var routeDistinguisher: RouteDistinguisher? {
        switch self {
        case .ethernetAutoDiscovery(let r): r.routeDistinguisher
        case .macIPAdvertisement(let r): r.routeDistinguisher
        case .inclusiveMulticastEthernetTag(let r): r.routeDistinguisher
        case .ethernetSegment(let r): r.routeDistinguisher
        case .ipPrefix(let r): r.routeDistinguisher
        case .unknown: nil
        }
    }

    /// The route with the fields that are route attributes rather than part of the prefix set to zero, so
    /// that routes with equal keys are the same route (a later one replaces an earlier one). RFC 7432 §7.1:
    /// the label of type 1; §7.2: the ESI and labels of type 2; RFC 9136 §3.1: the ESI, gateway and label of
    /// type 5. Types 3 and 4 are all key; an unknown route is its own key.
    public var routeKey: EVPNRoute {
        switch self {
        case .ethernetAutoDiscovery(var r):
            r.label = LabelField(rawValue: 0)
            return .ethernetAutoDiscovery(r)
        case .macIPAdvertisement(var r):
            r.esi = .zero
            r.label1 = LabelField(rawValue: 0)
            r.label2 = nil
            return .macIPAdvertisement(r)
        case .ipPrefix(var r):
            r.esi = .zero
            r.gatewayIP = r.gatewayIP.bitLength == 32 ? .v4(.zero) : .v6(.zero)
            r.label = LabelField(rawValue: 0)
            return .ipPrefix(r)
        case .inclusiveMulticastEthernetTag, .ethernetSegment, .unknown:
            return self
        }
    }

    /// GoBGP-like text: `[type:macadv][rd:65000:1][esi:0][etag:10][mac:00:11:22:33:44:66][ip:10.0.0.1]
    /// [label:1000,2000]`. Labels are the raw 24-bit fields in decimal; a zero ESI prints as `0`.
    public var description: String {
        func esi(_ e: EthernetSegmentIdentifier) -> String { "[esi:\(e == .zero ? "0" : e.description)]" }
        switch self {
        case .ethernetAutoDiscovery(let r):
            return "[type:ethernet-ad][rd:\(r.routeDistinguisher)]\(esi(r.esi))[etag:\(r.ethernetTagID)]"
                + "[label:\(r.label.rawValue)]"
        case .macIPAdvertisement(let r):
            let ip = r.ipAddress.map { "[ip:\($0)]" } ?? ""
            let labels = [r.label1.rawValue] + (r.label2.map { [$0.rawValue] } ?? [])
            return "[type:macadv][rd:\(r.routeDistinguisher)]\(esi(r.esi))[etag:\(r.ethernetTagID)]"
                + "[mac:\(r.macAddress)]\(ip)[label:\(labels.map(String.init).joined(separator: ","))]"
        case .inclusiveMulticastEthernetTag(let r):
            return "[type:multicast][rd:\(r.routeDistinguisher)][etag:\(r.ethernetTagID)][ip:\(r.originatingRouterIP)]"
        case .ethernetSegment(let r):
            return "[type:es][rd:\(r.routeDistinguisher)]\(esi(r.esi))[ip:\(r.originatingRouterIP)]"
        case .ipPrefix(let r):
            return "[type:prefix][rd:\(r.routeDistinguisher)]\(esi(r.esi))[etag:\(r.ethernetTagID)]"
                + "[prefix:\(r.prefix)][gw:\(r.gatewayIP)][label:\(r.label.rawValue)]"
        case .unknown(let type, let value):
            return "[type:\(type)][length:\(value.count)]"
        }
    }
}
