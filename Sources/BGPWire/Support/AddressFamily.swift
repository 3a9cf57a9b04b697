/// Address Family Identifier (IANA "Address Family Numbers"; RFC 4760 §3).
public struct AFI: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = AFI(1)
    public static let ipv6 = AFI(2)
    /// L2VPN (RFC 4761/7432).
    public static let l2vpn = AFI(25)

    public var description: String {
        switch self {
        case .ipv4: "ipv4"
        case .ipv6: "ipv6"
        case .l2vpn: "l2vpn"
        default: "afi-\(rawValue)"
        }
    }

    public static func < (a: AFI, b: AFI) -> Bool { a.rawValue < b.rawValue }
}

/// Subsequent Address Family Identifier (IANA "SAFI Values"; RFC 4760 §6).
public struct SAFI: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let unicast = SAFI(1)
    public static let multicast = SAFI(2)
    /// NLRI with MPLS labels (RFC 8277).
    public static let labeledUnicast = SAFI(4)
    /// BGP EVPN (RFC 7432).
    public static let evpn = SAFI(70)
    /// MPLS-labeled VPN address (RFC 4364, RFC 4659).
    public static let mplsVPN = SAFI(128)
    /// Route Target constraints (RFC 4684).
    public static let routeTargetConstraint = SAFI(132)
    /// Dissemination of flow specification rules (RFC 8955).
    public static let flowspec = SAFI(133)
    /// L3VPN dissemination of flow specification rules (RFC 8955 §8).
    public static let flowspecVPN = SAFI(134)

    public var description: String {
        switch self {
        case .unicast: "unicast"
        case .multicast: "multicast"
        case .labeledUnicast: "labeled-unicast"
        case .evpn: "evpn"
        case .mplsVPN: "mpls-vpn"
        case .routeTargetConstraint: "rtc"
        case .flowspec: "flowspec"
        case .flowspecVPN: "flowspec-vpn"
        default: "safi-\(rawValue)"
        }
    }

    public static func < (a: SAFI, b: SAFI) -> Bool { a.rawValue < b.rawValue }
}

/// An (AFI, SAFI) pair: what the MP capability, MP_REACH_NLRI and End-of-RIB name.
public struct AddressFamily: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var afi: AFI
    public var safi: SAFI

    @inlinable public init(_ afi: AFI, _ safi: SAFI) {
        self.afi = afi
        self.safi = safi
    }

    public static let ipv4Unicast = AddressFamily(.ipv4, .unicast)
    public static let ipv6Unicast = AddressFamily(.ipv6, .unicast)
    public static let ipv4Multicast = AddressFamily(.ipv4, .multicast)
    public static let ipv6Multicast = AddressFamily(.ipv6, .multicast)
    public static let ipv4LabeledUnicast = AddressFamily(.ipv4, .labeledUnicast)
    public static let ipv6LabeledUnicast = AddressFamily(.ipv6, .labeledUnicast)
    public static let vpnIPv4 = AddressFamily(.ipv4, .mplsVPN)
    public static let vpnIPv6 = AddressFamily(.ipv6, .mplsVPN)
    public static let evpn = AddressFamily(.l2vpn, .evpn)
    public static let routeTargetConstraint = AddressFamily(.ipv4, .routeTargetConstraint)
    public static let ipv4Flowspec = AddressFamily(.ipv4, .flowspec)
    public static let ipv6Flowspec = AddressFamily(.ipv6, .flowspec)
    public static let vpnIPv4Flowspec = AddressFamily(.ipv4, .flowspecVPN)
    public static let vpnIPv6Flowspec = AddressFamily(.ipv6, .flowspecVPN)

    /// Families whose NLRI this codec decodes to typed values; others are kept as raw bytes.
    public static let known: [AddressFamily] = [
        .ipv4Unicast, .ipv6Unicast, .ipv4Multicast, .ipv6Multicast, .ipv4LabeledUnicast, .ipv6LabeledUnicast,
        .vpnIPv4, .vpnIPv6, .evpn, .routeTargetConstraint, .ipv4Flowspec, .ipv6Flowspec, .vpnIPv4Flowspec,
        .vpnIPv6Flowspec,
    ]

    /// `ipv4/unicast`, `l2vpn/evpn`, ...
    public var description: String { "\(afi)/\(safi)" }

    /// Parses `ipv4/unicast`, `1/128`, `l2vpn/evpn`, mixing names and numbers.
    public init?(_ text: some StringProtocol) {
        let parts = String(text).split(separator: "/")
        guard parts.count == 2 else { return nil }
        let afiNames: [String: AFI] = ["ipv4": .ipv4, "ipv6": .ipv6, "l2vpn": .l2vpn]
        let safiNames: [String: SAFI] = [
            "unicast": .unicast, "multicast": .multicast, "labeled-unicast": .labeledUnicast, "evpn": .evpn,
            "mpls-vpn": .mplsVPN, "rtc": .routeTargetConstraint, "flowspec": .flowspec,
            "flowspec-vpn": .flowspecVPN,
        ]
        func number<T: FixedWidthInteger>(_ s: Substring, prefix: String, as: T.Type) -> T? {
            T(s) ?? (s.hasPrefix(prefix) ? T(s.dropFirst(prefix.count)) : nil)
        }
        let afiNumber = number(parts[0], prefix: "afi-", as: UInt16.self)
        let safiNumber = number(parts[1], prefix: "safi-", as: UInt8.self)
        guard let afi = afiNames[String(parts[0])] ?? afiNumber.map({ AFI(rawValue: $0) }),
            let safi = safiNames[String(parts[1])] ?? safiNumber.map({ SAFI(rawValue: $0) })
        else { return nil }
        self.init(afi, safi)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.afi, a.safi) < (b.afi, b.safi) }
}
