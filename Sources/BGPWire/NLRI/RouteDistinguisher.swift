/// Route Distinguisher (RFC 4364 §4.2): 2-octet type + 6-octet value.
///
///     Type 0: Administrator = 2-octet ASN,   Assigned Number = 4 octets
///     Type 1: Administrator = IPv4 address,  Assigned Number = 2 octets
///     Type 2: Administrator = 4-octet ASN,   Assigned Number = 2 octets
///
/// Kept as its 8 raw octets so every type, known or not, round-trips.
public struct RouteDistinguisher: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Type 0: `asn:number`.
    public static func as2(_ asn: UInt16, _ number: UInt32) -> Self {
        Self(rawValue: UInt64(asn) << 32 | UInt64(number))
    }

    /// Type 1: `ipv4:number`.
    public static func ipv4(_ address: IPv4Address, _ number: UInt16) -> Self {
        Self(rawValue: 1 << 48 | UInt64(address.value) << 16 | UInt64(number))
    }

    /// Type 2: `asn4:number`.
    public static func as4(_ asn: UInt32, _ number: UInt16) -> Self {
        Self(rawValue: 2 << 48 | UInt64(asn) << 16 | UInt64(number))
    }

    public static let zero = RouteDistinguisher(rawValue: 0)

    public var type: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 48) }

    /// `65000:100` (type 0), `192.0.2.1:7` (type 1), `4200000000:7` (type 2; shown with an `L` suffix on the
    /// ASN when it would fit in two octets, so the text names the type), or `type5:0x...` for others.
    public var description: String {
        switch type {
        case 0: return "\(rawValue >> 32 & 0xFFFF):\(rawValue & 0xFFFF_FFFF)"
        case 1: return "\(IPv4Address(UInt32(truncatingIfNeeded: rawValue >> 16))):\(rawValue & 0xFFFF)"
        case 2:
            let asn = rawValue >> 16 & 0xFFFF_FFFF
            return "\(asn)\(asn <= 0xFFFF ? "L" : ""):\(rawValue & 0xFFFF)"
        default:
            return "type\(type):0x" + String(rawValue & 0xFFFF_FFFF_FFFF, radix: 16)
        }
    }

    /// Parses the forms ``description`` prints. A plain `asn:n` is type 0 when the ASN fits in 2 octets,
    /// type 2 otherwise.
    public init?(_ text: some StringProtocol) {
        let s = String(text)
        if s.hasPrefix("type") {
            let parts = s.dropFirst(4).split(separator: ":")
            guard parts.count == 2, let t = UInt16(parts[0]), parts[1].hasPrefix("0x"),
                let v = UInt64(parts[1].dropFirst(2), radix: 16), v <= 0xFFFF_FFFF_FFFF
            else { return nil }
            self.init(rawValue: UInt64(t) << 48 | v)
            return
        }
        guard let colon = s.lastIndex(of: ":") else { return nil }
        let admin = s[s.startIndex..<colon]
        let assigned = s[s.index(after: colon)...]
        if let ip = IPv4Address(admin) {
            guard let n = UInt16(assigned) else { return nil }
            self = .ipv4(ip, n)
        } else if admin.hasSuffix("L"), let asn = UInt32(admin.dropLast()), let n = UInt16(assigned) {
            self = .as4(asn, n)
        } else if let asn = UInt32(admin) {
            if asn <= 0xFFFF, let n = UInt32(assigned) {
                self = .as2(UInt16(asn), n)
            } else if let n = UInt16(assigned) {
                self = .as4(asn, n)
            } else {
                return nil
            }
        } else {
            return nil
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
