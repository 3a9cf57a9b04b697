/// P-Multicast Service Interface Tunnel attribute (RFC 6514 §5), type code 22: how a PE receives BUM
/// traffic. bagpipe puts it on the EVPN Inclusive Multicast route with ingress replication (RFC 7432 §11.2).
///
///     +---------------------------------+
///     |  Flags (1 octet)                |     0 1 2 3 4 5 6 7
///     +---------------------------------+    +-+-+-+-+-+-+-+-+
///     |  Tunnel Type (1 octet)          |    | reserved    |L|   L: Leaf Information Required
///     +---------------------------------+    +-+-+-+-+-+-+-+-+
///     |  MPLS Label (3 octets)          |
///     +---------------------------------+
///     |  Tunnel Identifier (variable)   |
///     +---------------------------------+
///
/// The label field is kept raw: EVPN over VXLAN carries the 24-bit VNI there (RFC 8365 §5.1.3), MPLS a
/// 20-bit label in the high-order bits. Flags are kept whole so bits defined later round-trip.
public struct PMSITunnel: Hashable, Sendable, CustomStringConvertible {
    /// Tunnel types (RFC 6514 §5 and the IANA "PMSI Tunnel Tunnel Types" registry); any octet is kept.
    public struct TunnelType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt8

        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public init(_ rawValue: UInt8) { self.rawValue = rawValue }

        public static let noTunnelInformation = TunnelType(0)
        public static let rsvpTEP2MP = TunnelType(1)
        public static let mldpP2MP = TunnelType(2)
        public static let pimSSM = TunnelType(3)
        public static let pimSM = TunnelType(4)
        public static let bidirPIM = TunnelType(5)
        public static let ingressReplication = TunnelType(6)
        public static let mldpMP2MP = TunnelType(7)
        /// RFC 8556 §2.1.
        public static let bier = TunnelType(11)

        static let names: [(TunnelType, String)] = [
            (.noTunnelInformation, "no-tunnel-information"), (.rsvpTEP2MP, "rsvp-te-p2mp"), (.mldpP2MP, "mldp-p2mp"),
            (.pimSSM, "pim-ssm"), (.pimSM, "pim-sm"), (.bidirPIM, "bidir-pim"),
            (.ingressReplication, "ingress-replication"), (.mldpMP2MP, "mldp-mp2mp"), (.bier, "bier"),
        ]

        /// The name in lower case, nil for a type without one here.
        public var name: String? { Self.names.first { $0.0 == self }?.1 }

        public var description: String { name ?? "\(rawValue)" }

        /// Parses a name or a decimal number.
        public init?(_ text: some StringProtocol) {
            let lower = text.lowercased()
            if let named = Self.names.first(where: { $0.1 == lower }) {
                self = named.0
            } else if lower.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt8(lower) {
                self.init(n)
            } else {
                return nil
            }
        }
    }

    /// RFC 6514 §5: the low-order bit of the flags octet.
    public static let leafInformationRequiredFlag: UInt8 = 0x01

    public var flags: UInt8
    public var tunnelType: TunnelType
    public var label: LabelField
    /// The identifier's octets, whose layout depends on the tunnel type.
    public var tunnelIdentifier: [UInt8]

    public init(flags: UInt8 = 0, tunnelType: TunnelType, label: LabelField, tunnelIdentifier: [UInt8]) {
        self.flags = flags
        self.tunnelType = tunnelType
        self.label = label
        self.tunnelIdentifier = tunnelIdentifier
    }

    /// Ingress replication (RFC 7432 §11.2): the identifier is the PE's IP address, to which the other PEs
    /// send BUM traffic in unicast tunnels.
    public static func ingressReplication(
        endpoint: IPAddress, label: LabelField, leafInformationRequired: Bool = false
    ) -> PMSITunnel {
        var w = ByteWriter(capacity: 16)
        endpoint.write(to: &w)
        return PMSITunnel(
            flags: leafInformationRequired ? leafInformationRequiredFlag : 0, tunnelType: .ingressReplication,
            label: label, tunnelIdentifier: w.bytes)
    }

    public var leafInformationRequired: Bool {
        get { flags & Self.leafInformationRequiredFlag != 0 }
        set { flags = newValue ? flags | Self.leafInformationRequiredFlag : flags & ~Self.leafInformationRequiredFlag }
    }

    /// The tunnel endpoint of an ingress replication tunnel; nil for other types (or an identifier that is
    /// neither 4 nor 16 octets, which ``read(_:)`` rejects).
    public var tunnelEndpoint: IPAddress? {
        guard tunnelType == .ingressReplication else { return nil }
        let bytes = tunnelIdentifier
        return try? bytes.withReader { (r: inout ByteReader) throws(DecodeFailure) in
            try IPAddress.read(&r, length: bytes.count, "tunnel endpoint")
        }
    }

    /// `ingress-replication label=5000 endpoint=10.0.0.1`, `pim-ssm label=0 id=0x...`; ` leaf-info-required`
    /// when the flag is set.
    public var description: String {
        let target = tunnelEndpoint.map { "endpoint=\($0)" } ?? "id=0x" + hex(tunnelIdentifier)
        let leaf = leafInformationRequired ? " leaf-info-required" : ""
        return "\(tunnelType) label=\(label.rawValue) \(target)\(leaf)"
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
    }

    /// Reads the whole attribute value (`r` spans exactly the value).
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> PMSITunnel {
        // RFC 6514 §5: flags, tunnel type and label are fixed fields, so a value shorter than 5 octets is
        // malformed (bgp-anchors §3.3 item 28).
        guard r.remaining >= 5 else {
            throw DecodeFailure("PMSI tunnel: length \(r.remaining), at least 5 needed (flags, tunnel type, label)")
        }
        let flags = try r.readUInt8("PMSI tunnel flags")
        let type = TunnelType(try r.readUInt8("PMSI tunnel type"))
        let label = LabelField(rawValue: try r.readUInt24("PMSI tunnel label"))
        let identifier = r.readRest()
        // RFC 6514 §5 / RFC 7432 §11.2: for ingress replication the identifier is the unicast tunnel endpoint
        // IP address, so anything but 4 (IPv4) or 16 (IPv6) octets cannot be used.
        if type == .ingressReplication && identifier.count != 4 && identifier.count != 16 {
            throw DecodeFailure(
                "PMSI tunnel ingress replication (type 6): tunnel endpoint of \(identifier.count) octets, "
                    + "expected 4 (IPv4) or 16 (IPv6)")
        }
        return PMSITunnel(flags: flags, tunnelType: type, label: label, tunnelIdentifier: identifier)
    }

    func write(to w: inout ByteWriter) {
        w.write(flags)
        w.write(tunnelType.rawValue)
        w.writeUInt24(label.rawValue)
        w.write(tunnelIdentifier)
    }
}
