/// A tunnel type from the IANA "BGP Tunnel Encapsulation Attribute Tunnel Types" registry (RFC 9012 §15.3),
/// used by the Encapsulation extended community (RFC 9012 §4.1) and by each TLV of the Tunnel
/// Encapsulation attribute (RFC 9012 §2).
///
/// Any 16-bit value is kept: RFC 9012 §13 says a tunnel type that is not recognized does not make the
/// attribute malformed, so unknown types are carried and shown by number.
public struct TunnelType: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let l2tpv3 = TunnelType(1)
    public static let gre = TunnelType(2)
    public static let ipInIP = TunnelType(7)
    public static let vxlan = TunnelType(8)
    public static let nvgre = TunnelType(9)
    public static let mpls = TunnelType(10)
    public static let mplsInGRE = TunnelType(11)
    public static let vxlanGPE = TunnelType(12)
    public static let mplsInUDP = TunnelType(13)
    public static let srPolicy = TunnelType(15)
    public static let geneve = TunnelType(19)

    static let names: [(TunnelType, String)] = [
        (.l2tpv3, "l2tpv3"), (.gre, "gre"), (.ipInIP, "ip-in-ip"), (.vxlan, "vxlan"), (.nvgre, "nvgre"),
        (.mpls, "mpls"), (.mplsInGRE, "mpls-in-gre"), (.vxlanGPE, "vxlan-gpe"), (.mplsInUDP, "mpls-in-udp"),
        (.srPolicy, "sr-policy"), (.geneve, "geneve"),
    ]

    /// The registry name in lower case (`vxlan`, `mpls-in-gre`), nil for a type without one here.
    public var name: String? { Self.names.first { $0.0 == self }?.1 }

    /// The name, or the decimal number for a type without a name here.
    public var description: String { name ?? "\(rawValue)" }

    /// Parses a name (any case) or a decimal number.
    public init?(_ text: some StringProtocol) {
        let lower = text.lowercased()
        if let named = Self.names.first(where: { $0.1 == lower }) {
            self = named.0
        } else if lower.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt16(lower) {
            self.init(n)
        } else {
            return nil
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
