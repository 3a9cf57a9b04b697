/// The Network Address of Next Hop field of MP_REACH_NLRI (RFC 4760 §3), typed by length and family.
///
/// VPN families prefix the address with an all-zero route distinguisher (RFC 4364 §4.3.2, RFC 4659 §3.2.1);
/// IPv6 may add a link-local address (RFC 2545 §3); flowspec has none (RFC 8955 §4).
public enum NextHop: Hashable, Sendable, CustomStringConvertible {
    case none
    case ipv4(IPv4Address)
    case ipv6(IPv6Address, linkLocal: IPv6Address?)
    /// 12 octets: RD (zero) + IPv4.
    case vpnIPv4(IPv4Address)
    /// 24 octets: RD (zero) + IPv6, or 48: RD + IPv6 + RD + link-local.
    case vpnIPv6(IPv6Address, linkLocal: IPv6Address?)
    /// The next hop of a family this codec does not know, as it came.
    case raw([UInt8])

    public var description: String {
        switch self {
        case .none: "none"
        case .ipv4(let a), .vpnIPv4(let a): a.description
        case .ipv6(let a, let ll), .vpnIPv6(let a, let ll): ll.map { "\(a) (\($0))" } ?? a.description
        case .raw(let b): "raw \(b.count) octets"
        }
    }

    /// The address itself, for routing.
    public var address: IPAddress? {
        switch self {
        case .none: nil
        case .ipv4(let a), .vpnIPv4(let a): .v4(a)
        case .ipv6(let a, _), .vpnIPv6(let a, _): .v6(a)
        case .raw: nil
        }
    }

    var encodedLength: Int {
        switch self {
        case .none: 0
        case .ipv4: 4
        case .ipv6(_, let ll): ll == nil ? 16 : 32
        case .vpnIPv4: 12
        case .vpnIPv6(_, let ll): ll == nil ? 24 : 48
        case .raw(let b): b.count
        }
    }

    /// Reads a next hop of `length` octets. Which lengths are valid depends on the family (RFC 7606 §7.11:
    /// an invalid one makes the attribute malformed); RFC 8950 allows IPv6 next hops for IPv4 NLRI.
    static func read(_ r: inout ByteReader, length: Int, family: AddressFamily) throws(DecodeFailure) -> NextHop {
        func v6(_ r: inout ByteReader) throws(DecodeFailure) -> IPv6Address {
            IPv6Address(high: try r.readUInt64("next hop"), low: try r.readUInt64("next hop"))
        }
        func rd(_ r: inout ByteReader) throws(DecodeFailure) {
            // RFC 4364 §4.3.2: the RD of the next hop is zero; a non-zero one is not a next hop we can use.
            let value = try r.readUInt64("next hop route distinguisher")
            if value != 0 { throw DecodeFailure("next hop route distinguisher is \(value), must be 0") }
        }
        // VPN flowspec next hops carry no RD, so only SAFI 128 uses the RD-prefixed forms.
        let isVPN = family.safi == .mplsVPN
        let isFlowspec = family.safi == .flowspec || family.safi == .flowspecVPN
        switch (length, isVPN) {
        // RFC 8955 §4: flowspec has no next hop (length 0); RFC 4760 allows 0 for no other family we know.
        case (0, _) where isFlowspec: return .none
        // RFC 8955 §4 asks receivers to ignore a flowspec next hop; it is kept so the bytes round-trip.
        case (4, false): return .ipv4(IPv4Address(try r.readUInt32("next hop")))
        case (16, false): return .ipv6(try v6(&r), linkLocal: nil)
        case (32, false): return .ipv6(try v6(&r), linkLocal: try v6(&r))
        case (12, true):
            try rd(&r)
            return .vpnIPv4(IPv4Address(try r.readUInt32("next hop")))
        case (24, true):
            try rd(&r)
            return .vpnIPv6(try v6(&r), linkLocal: nil)
        case (48, true):
            try rd(&r)
            let global = try v6(&r)
            try rd(&r)
            return .vpnIPv6(global, linkLocal: try v6(&r))
        default:
            throw DecodeFailure("next hop length \(length) is not valid for \(family)")
        }
    }

    func write(to w: inout ByteWriter) {
        switch self {
        case .none: break
        case .ipv4(let a): w.write(a.value)
        case .ipv6(let a, let ll):
            w.write(a.high)
            w.write(a.low)
            if let ll {
                w.write(ll.high)
                w.write(ll.low)
            }
        case .vpnIPv4(let a):
            w.write(UInt64(0))
            w.write(a.value)
        case .vpnIPv6(let a, let ll):
            w.write(UInt64(0))
            w.write(a.high)
            w.write(a.low)
            if let ll {
                w.write(UInt64(0))
                w.write(ll.high)
                w.write(ll.low)
            }
        case .raw(let b): w.write(b)
        }
    }
}
