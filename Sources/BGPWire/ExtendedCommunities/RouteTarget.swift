/// The `administrator:assigned-number` value shared by the Route Target (sub-type 0x02) and Route Origin
/// (sub-type 0x03) communities of RFC 4360 §4-5, the 4-octet AS form of RFC 5668 §2, the RT-Record of
/// draft-ietf-bess-service-chaining (sub-type 0x13) and the redirect-to-VRF actions of RFC 8955 §7.4.
///
///     0x00 / 2-octet AS:  |  AS (2 octets) |     Local Administrator (4 octets)    |
///     0x01 / IPv4:        |   IPv4 address (4 octets)      | Local Admin. (2 oct.) |
///     0x02 / 4-octet AS:  |    AS (4 octets)               | Local Admin. (2 oct.) |
///
/// The format is the low bits of the community's type octet: 0x00, 0x01 or 0x02 for route targets,
/// 0x80, 0x81 or 0x82 for redirects. Values order by format, then by their six octets, so sorted route
/// targets follow their wire encoding.
public struct RouteTarget: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Which administrator field the value carries.
    public enum Format: UInt8, Hashable, Sendable, CaseIterable {
        /// RFC 4360 §3.1: 2-octet AS, 4-octet assigned number.
        case as2 = 0
        /// RFC 4360 §3.2: IPv4 address, 2-octet assigned number.
        case ipv4 = 1
        /// RFC 5668 §2: 4-octet AS, 2-octet assigned number.
        case as4 = 2
    }

    public let format: Format
    /// The six octets after the type and sub-type, in the low 48 bits.
    public let value: UInt64

    public init(format: Format, value: UInt64) {
        self.format = format
        self.value = value & 0xFFFF_FFFF_FFFF
    }

    /// `asn:number` with a 2-octet AS.
    public static func as2(_ asn: UInt16, _ number: UInt32) -> RouteTarget {
        RouteTarget(format: .as2, value: UInt64(asn) << 32 | UInt64(number))
    }

    /// `address:number`.
    public static func ipv4(_ address: IPv4Address, _ number: UInt16) -> RouteTarget {
        RouteTarget(format: .ipv4, value: UInt64(address.value) << 16 | UInt64(number))
    }

    /// `asn:number` with a 4-octet AS.
    public static func as4(_ asn: UInt32, _ number: UInt16) -> RouteTarget {
        RouteTarget(format: .as4, value: UInt64(asn) << 16 | UInt64(number))
    }

    /// The AS of the `as2` and `as4` forms.
    public var asn: UInt32? {
        switch format {
        case .as2: UInt32(truncatingIfNeeded: value >> 32)
        case .ipv4: nil
        case .as4: UInt32(truncatingIfNeeded: value >> 16)
        }
    }

    /// The address of the `ipv4` form.
    public var address: IPv4Address? {
        format == .ipv4 ? IPv4Address(UInt32(truncatingIfNeeded: value >> 16)) : nil
    }

    /// The local administrator (assigned number): 4 octets in the `as2` form, 2 octets otherwise.
    public var assignedNumber: UInt32 {
        format == .as2 ? UInt32(truncatingIfNeeded: value) : UInt32(value & 0xFFFF)
    }

    /// `65000:100`, `192.0.2.1:5`, `4200000000:5`; a 4-octet AS that fits in two octets is written `65000L:5`
    /// so that the text names the format (the convention of ``RouteDistinguisher``).
    public var description: String {
        switch format {
        case .as2, .ipv4:
            let admin = address.map(\.description) ?? "\(asn ?? 0)"
            return "\(admin):\(assignedNumber)"
        case .as4:
            let asn = asn ?? 0
            return "\(asn)\(asn <= 0xFFFF ? "L" : ""):\(assignedNumber)"
        }
    }

    /// Parses the forms ``description`` prints. A plain `asn:n` is the 2-octet AS form when the AS fits in
    /// two octets, the 4-octet AS form otherwise; `asnL:n` forces the 4-octet AS form.
    public init?(_ text: some StringProtocol) {
        let s = String(text)
        guard let colon = s.lastIndex(of: ":") else { return nil }
        let admin = s[s.startIndex..<colon]
        let assigned = s[s.index(after: colon)...]
        func digits(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        guard digits(assigned) else { return nil }
        if let ip = IPv4Address(admin) {
            guard let n = UInt16(assigned) else { return nil }
            self = .ipv4(ip, n)
        } else if admin.hasSuffix("L"), digits(admin.dropLast()) {
            guard let asn = UInt32(admin.dropLast()), let n = UInt16(assigned) else { return nil }
            self = .as4(asn, n)
        } else if digits(admin), let asn = UInt32(admin) {
            if asn <= 0xFFFF, let n = UInt32(assigned) {
                self = .as2(UInt16(asn), n)
            } else if asn > 0xFFFF, let n = UInt16(assigned) {
                self = .as4(asn, n)
            } else {
                return nil
            }
        } else {
            return nil
        }
    }

    public static func < (a: Self, b: Self) -> Bool { (a.format.rawValue, a.value) < (b.format.rawValue, b.value) }

    /// The community with this value under type `typeBase | format` and `subtype`.
    func community(typeBase: UInt8, subtype: UInt8) -> ExtendedCommunity {
        let type = UInt64(typeBase | format.rawValue)
        return ExtendedCommunity(rawValue: type << 56 | UInt64(subtype) << 48 | value)
    }

    /// The value of a community whose type octet is `typeBase | format`, or nil for another type octet.
    init?(_ community: ExtendedCommunity, typeBase: UInt8) {
        guard community.type & 0xFC == typeBase, let format = Format(rawValue: community.type & 0x03) else {
            return nil
        }
        self.init(format: format, value: community.rawValue)
    }
}
