/// An IPv6 prefix as a flow specification matches it (RFC 8956 §3.1): bits `offset..<length` of `address`.
///
///     +--------+--------+--------+-------------------------+
///     | type   | length | offset | pattern + padding ...   |
///     +--------+--------+--------+-------------------------+
///       1        1        1        (length - offset + 7) / 8 octets
///
/// The pattern is carried left-aligned; it is stored here at its place in the address, every other bit zero, so
/// `::1234:5678:9a00:0/104 offset 64` reads as the address it matches.
public struct FlowspecIPv6Prefix: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv6Address
    public let length: UInt8
    public let offset: UInt8

    /// Nil unless `length == 0 && offset == 0` or `offset < length <= 128` (RFC 8956 §3.1). Bits outside
    /// `offset..<length` are cleared.
    public init?(_ address: IPv6Address, length: UInt8, offset: UInt8 = 0) {
        guard (length == 0 && offset == 0) || (offset < length && length <= 128) else { return nil }
        let value = UInt128(address.high) << 64 | UInt128(address.low)
        let kept = length == 0 ? 0 : (UInt128.max >> UInt128(offset)) & ~(UInt128.max >> UInt128(length))
        let masked = value & kept
        self.address = IPv6Address(high: UInt64(masked >> 64), low: UInt64(truncatingIfNeeded: masked))
        self.length = length
        self.offset = offset
    }

    /// `2001:db8::/32`, or `::1234:5678:9a00:0/104 offset 64` when bits are skipped.
    public var description: String { "\(address)/\(length)" + (offset == 0 ? "" : " offset \(offset)") }

    static func read(_ r: inout ByteReader, _ what: @autoclosure () -> String) throws(DecodeFailure) -> Self {
        let length = try r.readUInt8("\(what()) length")
        let offset = try r.readUInt8("\(what()) offset")
        // RFC 8956 §3.1: unless both are 0, "length MUST be in the range offset < length < 129 or the component is
        // malformed".
        guard (length == 0 && offset == 0) || (offset < length && length <= 128) else {
            throw DecodeFailure("\(what()): length \(length), offset \(offset): need offset < length <= 128")
        }
        let bits = Int(length - offset)
        let (hi, lo) = try r.readPrefixBytes(bits: bits, maxBytes: 16, "\(what()) pattern")
        // Padding bits "MUST be ignored on decoding": the initialiser masks them off after the shift.
        let placed = (UInt128(hi) << 64 | UInt128(lo)) >> UInt128(offset)
        let address = IPv6Address(high: UInt64(placed >> 64), low: UInt64(truncatingIfNeeded: placed))
        return Self(address, length: length, offset: offset)!
    }

    func write(to w: inout ByteWriter) {
        w.write(length)
        w.write(offset)
        let pattern = (UInt128(address.high) << 64 | UInt128(address.low)) << UInt128(offset)
        w.writePrefixBytes(UInt64(pattern >> 64), UInt64(truncatingIfNeeded: pattern), bits: Int(length - offset))
    }
}

/// The prefix of a destination or source component: the IPv4 form (RFC 8955 §4.2.2.1) or the IPv6 one (RFC 8956).
public enum FlowspecPrefix: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Prefix)
    case ipv6(FlowspecIPv6Prefix)

    public var description: String {
        switch self {
        case .ipv4(let p): p.description
        case .ipv6(let p): p.description
        }
    }

    static func read(_ r: inout ByteReader, afi: AFI, _ what: @autoclosure () -> String) throws(DecodeFailure) -> Self {
        if afi == .ipv6 { return .ipv6(try FlowspecIPv6Prefix.read(&r, what())) }
        // RFC 8955 §4.2.2.1: <type (1 octet), length (1 octet), prefix (variable)>, the prefix in RFC 4271 form.
        let length = Int(try r.readUInt8("\(what()) length"))
        return .ipv4(try IPv4Prefix.read(&r, length: length, what()))
    }

    func write(to w: inout ByteWriter) {
        switch self {
        case .ipv4(let p):
            w.write(p.length)
            p.writeAddressBytes(to: &w)
        case .ipv6(let p):
            p.write(to: &w)
        }
    }
}

/// One component of a flow specification (RFC 8955 §4.2.2; IPv6 forms in RFC 8956 §3).
///
///     +----------------+------------------------------------------+
///     | type (1 octet) | prefix, or {op, value} pairs up to `e`   |
///     +----------------+------------------------------------------+
///
/// Numeric components may use any value length: RFC 8955 and RFC 8956 only say SHOULD for types 3-8, 10 and 13.
/// Types 9, 11 and 12 carry a MUST and a longer value is rejected as malformed: TCP flags 1 or 2 octets
/// (RFC 8955 §4.2.2.9), DSCP 1 octet (§4.2.2.11), fragment 1 octet (§4.2.2.12, RFC 8956 §3.6). Reserved bits in the
/// fragment value are kept as received; they are ignored in meaning.
public enum FlowspecComponent: Hashable, Sendable, CustomStringConvertible {
    /// Type 1.
    case destinationPrefix(FlowspecPrefix)
    /// Type 2.
    case sourcePrefix(FlowspecPrefix)
    /// Type 3: IP protocol; for IPv6 the last next header (RFC 8956 §3.3).
    case ipProtocol([NumericOperator])
    /// Type 4: source or destination port.
    case port([NumericOperator])
    /// Type 5.
    case destinationPort([NumericOperator])
    /// Type 6.
    case sourcePort([NumericOperator])
    /// Type 7: ICMP or ICMPv6 type.
    case icmpType([NumericOperator])
    /// Type 8: ICMP or ICMPv6 code.
    case icmpCode([NumericOperator])
    /// Type 9: TCP flags, bit 0x01 FIN ... 0x80 CWR of header octet 13 (a 2-octet value covers octets 12-13).
    case tcpFlags([BitmaskOperator])
    /// Type 10: packet length.
    case packetLength([NumericOperator])
    /// Type 11: the 6-bit DSCP value.
    case dscp([NumericOperator])
    /// Type 12: fragment bits 0x01 DF (IPv4 only), 0x02 IsF, 0x04 FF, 0x08 LF.
    case fragment([BitmaskOperator])
    /// Type 13: the 20-bit IPv6 flow label (RFC 8956 §3.7); IPv6 only.
    case flowLabel([NumericOperator])

    /// The component type octet.
    public var type: UInt8 {
        switch self {
        case .destinationPrefix: 1
        case .sourcePrefix: 2
        case .ipProtocol: 3
        case .port: 4
        case .destinationPort: 5
        case .sourcePort: 6
        case .icmpType: 7
        case .icmpCode: 8
        case .tcpFlags: 9
        case .packetLength: 10
        case .dscp: 11
        case .fragment: 12
        case .flowLabel: 13
        }
    }

    /// Names by type, index 0 unused: `destination-prefix`, `ip-protocol`, ...
    public static let names = [
        "", "destination-prefix", "source-prefix", "ip-protocol", "port", "destination-port", "source-port",
        "icmp-type", "icmp-code", "tcp-flags", "packet-length", "dscp", "fragment", "flow-label",
    ]

    public var name: String { Self.names[Int(type)] }

    static let tcpFlagNames = ["fin", "syn", "rst", "push", "ack", "urg", "ece", "cwr"]
    static let fragmentNames = ["dont-fragment", "is-fragment", "first-fragment", "last-fragment"]

    /// `destination: 10.0.0.0/24`, `destination-port: >=80&<=90 =443`: `&` joins ANDed pairs, a space ORed ones.
    public var description: String {
        func list<Op>(_ ops: [Op], _ text: (Op) -> String, and: (Op) -> Bool) -> String {
            ops.enumerated().map { i, op in (i == 0 ? "" : and(op) ? "&" : " ") + text(op) }.joined()
        }
        func numeric(_ ops: [NumericOperator]) -> String { list(ops, { $0.description }, and: { $0.and }) }
        func bitmask(_ ops: [BitmaskOperator], _ names: [String]) -> String {
            list(ops, { $0.description(names: names) }, and: { $0.and })
        }
        let label = [1: "destination", 2: "source", 3: "protocol"][type] ?? name
        let value =
            switch self {
            case .destinationPrefix(let p), .sourcePrefix(let p): p.description
            case .ipProtocol(let o), .port(let o), .destinationPort(let o), .sourcePort(let o), .icmpType(let o),
                .icmpCode(let o), .packetLength(let o), .dscp(let o), .flowLabel(let o):
                numeric(o)
            case .tcpFlags(let o): bitmask(o, Self.tcpFlagNames)
            case .fragment(let o): bitmask(o, Self.fragmentNames)
            }
        return "\(label): \(value)"
    }

    /// Reads one component of an `afi` flow specification. Throws on an unknown type: its length is unknown, so
    /// nothing after it can be parsed (RFC 8955 §4.2 makes such an NLRI malformed).
    static func read(_ r: inout ByteReader, afi: AFI) throws(DecodeFailure) -> Self {
        let type = try r.readUInt8("flowspec component type")
        func what() -> String {
            "flowspec component \(type) (\((1...13).contains(type) ? names[Int(type)] : "unknown"))"
        }
        switch type {
        case 1: return .destinationPrefix(try FlowspecPrefix.read(&r, afi: afi, what()))
        case 2: return .sourcePrefix(try FlowspecPrefix.read(&r, afi: afi, what()))
        case 3: return .ipProtocol(try .read(&r, what()))
        case 4: return .port(try .read(&r, what()))
        case 5: return .destinationPort(try .read(&r, what()))
        case 6: return .sourcePort(try .read(&r, what()))
        case 7: return .icmpType(try .read(&r, what()))
        case 8: return .icmpCode(try .read(&r, what()))
        case 9:
            return .tcpFlags(
                try .read(&r, what(), maxLength: .two, rule: "RFC 8955 §4.2.2.9 requires 1 or 2 octets"))
        case 10: return .packetLength(try .read(&r, what()))
        case 11: return .dscp(try .read(&r, what(), maxLength: .one, rule: "RFC 8955 §4.2.2.11 requires 1 octet"))
        case 12:
            let rule = "RFC 8955 §4.2.2.12 and RFC 8956 §3.6 require 1 octet"
            return .fragment(try .read(&r, what(), maxLength: .one, rule: rule))
        case 13 where afi == .ipv6: return .flowLabel(try .read(&r, what()))
        case 13: throw DecodeFailure("\(what()): flow label is defined for IPv6 only (RFC 8956 §3.7)")
        default: throw DecodeFailure("\(what()): unknown component type, the rest of the NLRI cannot be parsed")
        }
    }

    func write(to w: inout ByteWriter) {
        w.write(type)
        switch self {
        case .destinationPrefix(let p), .sourcePrefix(let p): p.write(to: &w)
        case .ipProtocol(let o), .port(let o), .destinationPort(let o), .sourcePort(let o), .icmpType(let o),
            .icmpCode(let o), .packetLength(let o), .dscp(let o), .flowLabel(let o):
            o.write(to: &w)
        case .tcpFlags(let o), .fragment(let o): o.write(to: &w)
        }
    }
}
