/// Typed view of an ``ExtendedCommunity`` (RFC 4360 §2): the kinds bagpipe produces or consumes, and
/// ``unknown(_:)`` for everything else.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |  Type high    |   Sub-type    |                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      Value (6 octets)         |
///     |                                                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
///     Type/Sub  Kind                       Value (6 octets)
///     0x0X/02   route target               administrator:assigned (RFC 4360 §4, RFC 5668 §2)
///     0x0X/03   route origin               administrator:assigned (RFC 4360 §5)
///     0x0X/13   RT-Record                  administrator:assigned (draft-ietf-bess-service-chaining)
///     0x03/0B   color                      flags (2) | color (4)                    (RFC 9012 §4.3)
///     0x03/0C   encapsulation              reserved (4) | tunnel type (2)           (RFC 9012 §4.1)
///     0x03/0D   default gateway            reserved (6)                             (RFC 7432 §7.8)
///     0x03/14   consistent hash sort order order (4) | reserved (2)        (draft-ietf-bess-service-chaining)
///     0x06/00   MAC mobility               flags (1, S=0x01) | reserved (1) | sequence (4) (RFC 7432 §7.7)
///     0x06/01   ESI label                  flags (1, single-active=0x01) | reserved (2) | label (3) (§7.5)
///     0x06/02   ES-import route target     MAC address (6)                          (RFC 7432 §7.6)
///     0x06/03   EVPN router's MAC          MAC address (6)                          (RFC 9135 §8.1)
///     0x80/06   traffic-rate-bytes         id (2) | IEEE 754 float32 (4)            (RFC 8955 §7.1)
///     0x80/0C   traffic-rate-packets       id (2) | IEEE 754 float32 (4)            (RFC 8955 §7.2)
///     0x80/07   traffic-action             47 bits, S=bit 46, T=bit 47              (RFC 8955 §7.3)
///     0x8X/08   redirect to VRF            administrator:assigned                   (RFC 8955 §7.4)
///     0x80/09   traffic-marking            reserved, DSCP in the low 6 bits         (RFC 8955 §7.5)
///
/// (`0x0X` is 0x00, 0x01 or 0x02 and `0x8X` is 0x80, 0x81 or 0x82: see ``RouteTarget``.)
///
/// ``community`` is the exact inverse of ``init(_:)``, so every 8 octets round-trip. For that, the kinds
/// with reserved or undefined bits carry them in a `reserved` value: the bits of the 6-octet value that the
/// case does not interpret, in their wire positions. The RFCs say to send them as zero and ignore them on
/// receipt, so they default to zero and decoding never looks at them.
public enum TypedExtendedCommunity: Hashable, Sendable, CustomStringConvertible {
    case routeTarget(RouteTarget)
    case routeOrigin(RouteTarget)
    /// RT-Record (draft-ietf-bess-service-chaining): a route target a readvertised route was imported with.
    case routeTargetRecord(RouteTarget)
    /// RFC 9012 §4.3. `flags` holds the 16 bits before the color (RFC 9256 defines two of them).
    case color(UInt32, flags: UInt16 = 0)
    /// RFC 9012 §4.1 (formerly RFC 5512): the route's tunnel type.
    case encapsulation(TunnelType, reserved: UInt64 = 0)
    /// RFC 7432 §7.8: the route's MAC/IP is a default gateway.
    case defaultGateway(reserved: UInt64 = 0)
    /// Consistent Hash Sort Order (draft-ietf-bess-service-chaining): where bagpipe's dataplane puts the
    /// route among the members of a load-balancing group.
    case consistentHashSortOrder(UInt32, reserved: UInt64 = 0)
    /// RFC 7432 §7.7: `sticky` is the low-order bit of the flags octet (a static MAC that must not move).
    case macMobility(sequence: UInt32, sticky: Bool, reserved: UInt64 = 0)
    /// RFC 7432 §7.5: `singleActive` is the low-order bit of the flags octet.
    case esiLabel(LabelField, singleActive: Bool, reserved: UInt64 = 0)
    /// RFC 7432 §7.6: the 6-octet ES-Import value, derived from the ESI's MAC.
    case esImportRouteTarget(MACAddress)
    /// RFC 9135 §8.1.
    case routerMAC(MACAddress)
    case trafficRateBytes(TrafficRate)
    case trafficRatePackets(TrafficRate)
    /// RFC 8955 §7.3: T (terminal action, bit 47) and S (sample, bit 46).
    case trafficAction(terminal: Bool, sample: Bool, reserved: UInt64 = 0)
    /// RFC 8955 §7.4: redirect to the VRF that imports this route target; the format is the type octet
    /// 0x80 (2-octet AS), 0x81 (IPv4) or 0x82 (4-octet AS).
    case redirect(RouteTarget)
    /// RFC 8955 §7.5: the DSCP to set, 6 bits.
    case trafficMarking(dscp: UInt8, reserved: UInt64 = 0)
    /// Any other community, carried unchanged: RFC 7606 §7.14 judges only the attribute's length, so no
    /// single community is malformed, and unknown kinds pass through (bgp-anchors §3.3 item 30).
    case unknown(ExtendedCommunity)

    // Bits of the 6-octet value each kind interprets; all other bits are its `reserved` value.
    static let encapsulationFields: UInt64 = 0xFFFF
    static let hashOrderFields: UInt64 = 0xFFFF_FFFF_0000
    static let stickyBit: UInt64 = 1 << 40
    static let macMobilityFields: UInt64 = stickyBit | 0xFFFF_FFFF
    static let singleActiveBit: UInt64 = 1 << 40
    static let esiLabelFields: UInt64 = singleActiveBit | 0xFF_FFFF
    static let terminalBit: UInt64 = 1 << 0
    static let sampleBit: UInt64 = 1 << 1
    static let dscpFields: UInt64 = 0x3F
    static let valueMask: UInt64 = 0xFFFF_FFFF_FFFF

    /// The typed view; never fails: a community this view does not model is ``unknown(_:)``.
    public init(_ community: ExtendedCommunity) {
        self = Self.decode(community) ?? .unknown(community)
    }

    private static func decode(_ c: ExtendedCommunity) -> TypedExtendedCommunity? {
        let v = c.rawValue & valueMask
        // RFC 4360 §3.1-3.2 and RFC 5668 §2: types 0x00, 0x01 and 0x02 share one value layout per type; the
        // sub-type says route target (0x02), route origin (0x03) or, in the service-chaining draft, RT-Record.
        if let rt = RouteTarget(c, typeBase: 0x00) {
            switch c.subtype {
            case 0x02: return .routeTarget(rt)
            case 0x03: return .routeOrigin(rt)
            case 0x13: return .routeTargetRecord(rt)
            default: return nil
            }
        }
        // RFC 8955 §7.4: redirect-to-VRF carries a route target value, in types 0x80, 0x81 and 0x82.
        if let rt = RouteTarget(c, typeBase: 0x80), c.subtype == 0x08 { return .redirect(rt) }
        switch (c.type, c.subtype) {
        case (0x03, 0x0B): return .color(UInt32(truncatingIfNeeded: v), flags: UInt16(truncatingIfNeeded: v >> 32))
        case (0x03, 0x0C):
            return .encapsulation(TunnelType(UInt16(truncatingIfNeeded: v)), reserved: v & ~encapsulationFields)
        case (0x03, 0x0D): return .defaultGateway(reserved: v)
        case (0x03, 0x14):
            return .consistentHashSortOrder(UInt32(truncatingIfNeeded: v >> 16), reserved: v & ~hashOrderFields)
        case (0x06, 0x00):
            return .macMobility(
                sequence: UInt32(truncatingIfNeeded: v), sticky: v & stickyBit != 0, reserved: v & ~macMobilityFields)
        case (0x06, 0x01):
            return .esiLabel(
                LabelField(rawValue: UInt32(truncatingIfNeeded: v)), singleActive: v & singleActiveBit != 0,
                reserved: v & ~esiLabelFields)
        case (0x06, 0x02): return .esImportRouteTarget(MACAddress(v))
        case (0x06, 0x03): return .routerMAC(MACAddress(v))
        case (0x80, 0x06): return .trafficRateBytes(TrafficRate(value: v))
        case (0x80, 0x0C): return .trafficRatePackets(TrafficRate(value: v))
        case (0x80, 0x07):
            // RFC 8955 §7.3: the other bits "MUST be set to 0 on encoding and MUST be ignored during decoding".
            return .trafficAction(
                terminal: v & terminalBit != 0, sample: v & sampleBit != 0,
                reserved: v & ~(terminalBit | sampleBit))
        case (0x80, 0x09): return .trafficMarking(dscp: UInt8(v & dscpFields), reserved: v & ~dscpFields)
        default: return nil
        }
    }

    /// The 8 octets; for a decoded value, exactly those it was decoded from.
    public var community: ExtendedCommunity {
        switch self {
        case .routeTarget(let rt): return rt.community(typeBase: 0x00, subtype: 0x02)
        case .routeOrigin(let rt): return rt.community(typeBase: 0x00, subtype: 0x03)
        case .routeTargetRecord(let rt): return rt.community(typeBase: 0x00, subtype: 0x13)
        case .redirect(let rt): return rt.community(typeBase: 0x80, subtype: 0x08)
        case .color(let color, let flags): return Self.make(0x03, 0x0B, UInt64(flags) << 32 | UInt64(color))
        case .encapsulation(let type, let reserved):
            return Self.make(0x03, 0x0C, UInt64(type.rawValue), reserved, fields: Self.encapsulationFields)
        case .defaultGateway(let reserved): return Self.make(0x03, 0x0D, 0, reserved, fields: 0)
        case .consistentHashSortOrder(let order, let reserved):
            return Self.make(0x03, 0x14, UInt64(order) << 16, reserved, fields: Self.hashOrderFields)
        case .macMobility(let sequence, let sticky, let reserved):
            let bits = (sticky ? Self.stickyBit : 0) | UInt64(sequence)
            return Self.make(0x06, 0x00, bits, reserved, fields: Self.macMobilityFields)
        case .esiLabel(let label, let singleActive, let reserved):
            let bits = (singleActive ? Self.singleActiveBit : 0) | UInt64(label.rawValue)
            return Self.make(0x06, 0x01, bits, reserved, fields: Self.esiLabelFields)
        case .esImportRouteTarget(let mac): return Self.make(0x06, 0x02, mac.value)
        case .routerMAC(let mac): return Self.make(0x06, 0x03, mac.value)
        case .trafficRateBytes(let rate): return Self.make(0x80, 0x06, rate.value)
        case .trafficRatePackets(let rate): return Self.make(0x80, 0x0C, rate.value)
        case .trafficAction(let terminal, let sample, let reserved):
            let bits = (terminal ? Self.terminalBit : 0) | (sample ? Self.sampleBit : 0)
            return Self.make(0x80, 0x07, bits, reserved, fields: Self.terminalBit | Self.sampleBit)
        case .trafficMarking(let dscp, let reserved):
            return Self.make(0x80, 0x09, UInt64(dscp), reserved, fields: Self.dscpFields)
        case .unknown(let c): return c
        }
    }

    /// Type, sub-type, the interpreted fields (limited to `fields`) and the reserved bits (outside `fields`).
    private static func make(
        _ type: UInt8, _ subtype: UInt8, _ bits: UInt64, _ reserved: UInt64 = 0, fields: UInt64 = valueMask
    ) -> ExtendedCommunity {
        let value = bits & fields | reserved & ~fields & valueMask
        return ExtendedCommunity(rawValue: UInt64(type) << 56 | UInt64(subtype) << 48 | value)
    }

    /// `target:65000:100`, `encap:vxlan`, `mac-mobility:5 sticky`, `redirect:65000:100`, ...; an unknown
    /// community as `0x` and its 16 hex digits.
    public var description: String {
        switch self {
        case .routeTarget(let rt): return "target:\(rt)"
        case .routeOrigin(let rt): return "origin:\(rt)"
        case .routeTargetRecord(let rt): return "rt-record:\(rt)"
        case .redirect(let rt): return "redirect:\(rt)"
        case .color(let color, let flags): return "color:\(color)" + (flags == 0 ? "" : " flags:\(flags)")
        case .encapsulation(let type, _): return "encap:\(type)"
        case .defaultGateway: return "default-gateway"
        case .consistentHashSortOrder(let order, _): return "consistent-hash-sort-order:\(order)"
        case .macMobility(let sequence, let sticky, _): return "mac-mobility:\(sequence)" + (sticky ? " sticky" : "")
        case .esiLabel(let label, let singleActive, _):
            return "esi-label:\(label.label) " + (singleActive ? "single-active" : "all-active")
        case .esImportRouteTarget(let mac): return "es-import:\(mac)"
        case .routerMAC(let mac): return "router-mac:\(mac)"
        case .trafficRateBytes(let rate): return "traffic-rate-bytes:\(rate)"
        case .trafficRatePackets(let rate): return "traffic-rate-packets:\(rate)"
        case .trafficAction(let terminal, let sample, _):
            let flags = (terminal ? ["terminal"] : []) + (sample ? ["sample"] : [])
            return "traffic-action:" + (flags.isEmpty ? "none" : flags.joined(separator: ","))
        case .trafficMarking(let dscp, _): return "traffic-marking:\(dscp)"
        case .unknown(let c): return "0x" + Self.hex(c.rawValue)
        }
    }

    static func hex(_ v: UInt64) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The value of the traffic-rate-bytes and traffic-rate-packets actions (RFC 8955 §7.1-7.2).
///
///     +-------------------------------+-------------------------------------------------------------+
///     |  ID (2 octets, e.g. an AS)    |  Rate: IEEE 754 single precision, bytes or packets / second |
///     +-------------------------------+-------------------------------------------------------------+
///
/// The 32 bits of the rate are kept as they came (a NaN's payload too), so values round-trip and compare
/// exactly; ``rate`` is the floating-point view.
public struct TrafficRate: Hashable, Sendable, CustomStringConvertible {
    /// RFC 8955 §7.1: "purely informational and SHOULD NOT be interpreted".
    public var id: UInt16
    public var bitPattern: UInt32

    public init(id: UInt16 = 0, bitPattern: UInt32) {
        self.id = id
        self.bitPattern = bitPattern
    }

    public init(id: UInt16 = 0, rate: Float) {
        self.init(id: id, bitPattern: rate.bitPattern)
    }

    init(value: UInt64) {
        self.init(id: UInt16(truncatingIfNeeded: value >> 32), bitPattern: UInt32(truncatingIfNeeded: value))
    }

    var value: UInt64 { UInt64(id) << 32 | UInt64(bitPattern) }

    /// The rate as sent.
    public var rate: Float { Float(bitPattern: bitPattern) }

    /// The rate to enforce. RFC 8955 §7.1: "On decoding, negative values MUST be treated as zero (discard all
    /// traffic)"; a NaN, which the RFC does not mention, is treated the same way.
    public var effectiveRate: Float {
        let r = rate
        return r.isNaN || r < 0 ? 0 : r
    }

    /// `id:rate`, e.g. `65001:1000.0`.
    public var description: String { "\(id):\(rate)" }
}

extension ExtendedCommunity {
    /// The typed view of these 8 octets.
    public var typed: TypedExtendedCommunity { TypedExtendedCommunity(self) }

    /// The 8 octets of a typed value.
    public init(_ typed: TypedExtendedCommunity) { self = typed.community }
}
