/// Tunnel Encapsulation attribute (RFC 9012 §2), type code 23: a sequence of Tunnel TLVs, each a tunnel
/// type and a sequence of sub-TLVs.
///
///     Tunnel TLV                                  Sub-TLV
///     +-------------------------------+           +----------------------------------+
///     |  Tunnel Type (2 octets)       |           |  Sub-TLV Type (1 octet)          |
///     +-------------------------------+           +----------------------------------+
///     |  Length (2 octets)            |           |  Length (1 octet for types 0-127,|
///     +-------------------------------+           |          2 octets for 128-255)   |
///     |  Value: sub-TLVs (variable)   |           +----------------------------------+
///     +-------------------------------+           |  Value (variable)                |
///                                                 +----------------------------------+
///
/// Sub-TLVs are kept raw (type and octets), so every attribute that frames correctly round-trips, known
/// or not (RFC 9012 §13: unrecognized tunnel types and sub-TLVs MUST stay in the attribute when it is
/// propagated). Typed views read the sub-TLVs bagpipe cares about; a view returns nil for a sub-TLV whose
/// content is malformed, which RFC 9012 §13 says to treat as an unrecognized sub-TLV, not as an error.
///
/// Only framing errors throw: a truncated TLV or sub-TLV header, a TLV that overruns the attribute, a
/// sub-TLV that overruns its TLV. RFC 9012 §13: "The final octet of a TLV MUST also be the final octet of
/// its final sub-TLV"; otherwise the TLV is malformed and the Treat-as-withdraw procedure of RFC 7606
/// applies, never a session reset (CVE-2023-38802, CVE-2024-44070; bgp-anchors §3.3 item 29).
public struct TunnelEncapsulation: Hashable, Sendable {
    public var tunnels: [Tunnel]

    public init(tunnels: [Tunnel]) { self.tunnels = tunnels }

    /// One Tunnel TLV.
    public struct Tunnel: Hashable, Sendable {
        public var type: TunnelType
        public var subTLVs: [SubTLV]

        public init(type: TunnelType, subTLVs: [SubTLV] = []) {
            self.type = type
            self.subTLVs = subTLVs
        }

        /// The first sub-TLV of `type`. RFC 9012 §13: when a sub-TLV that may occur once occurs several
        /// times, all but the first are disregarded.
        public func first(_ type: UInt8) -> SubTLV? { subTLVs.first { $0.type == type } }

        /// The VXLAN (RFC 9012 §3.2.1) or NVGRE (§3.2.2) Encapsulation sub-TLV, for those tunnel types only.
        public var virtualNetwork: VirtualNetwork? {
            guard type == .vxlan || type == .nvgre, let sub = first(SubTLVType.encapsulation) else { return nil }
            return VirtualNetwork(value: sub.value)
        }

        /// The GRE key of the GRE (RFC 9012 §3.2.4) or MPLS-in-GRE (§3.2.5) Encapsulation sub-TLV.
        public var greKey: UInt32? {
            guard type == .gre || type == .mplsInGRE, let sub = first(SubTLVType.encapsulation) else { return nil }
            return sub.uint32Value
        }

        public var protocolType: UInt16? { first(SubTLVType.protocolType)?.protocolType }
        public var color: UInt32? { first(SubTLVType.color)?.color }
        public var egressEndpoint: EgressEndpoint? { first(SubTLVType.tunnelEgressEndpoint)?.egressEndpoint }
        public var udpDestinationPort: UInt16? { first(SubTLVType.udpDestinationPort)?.udpDestinationPort }
    }

    /// Sub-TLV types with a typed view here (IANA "BGP Tunnel Encapsulation Attribute Sub-TLVs").
    public enum SubTLVType {
        public static let encapsulation: UInt8 = 1
        public static let protocolType: UInt8 = 2
        public static let color: UInt8 = 4
        public static let tunnelEgressEndpoint: UInt8 = 6
        public static let udpDestinationPort: UInt8 = 8
    }

    /// One sub-TLV, raw. Types 128-255 have a 2-octet length (RFC 9012 §2), so their value may be up to
    /// 65535 octets; types 0-127 at most 255.
    public struct SubTLV: Hashable, Sendable {
        public var type: UInt8
        public var value: [UInt8]

        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }

        /// Whether the length field is 2 octets (types 128-255) rather than 1.
        public var hasTwoOctetLength: Bool { type >= 128 }

        /// The longest value the length field can describe.
        public var maximumValueLength: Int { hasTwoOctetLength ? 0xFFFF : 0xFF }

        // MARK: Typed views (nil when the type differs or the content is malformed)

        /// RFC 9012 §3.4.1: an Ethertype; 0xFFFF is reserved and makes the sub-TLV malformed.
        public var protocolType: UInt16? {
            guard type == SubTLVType.protocolType, let v = uint16Value, v != 0xFFFF else { return nil }
            return v
        }

        /// RFC 9012 §3.4.2: the value is a Color extended community (0x03, 0x0B, 2 flag octets, 4-octet
        /// color); any other length or leading octets make it malformed.
        public var color: UInt32? {
            guard type == SubTLVType.color, value.count == 8, value[0] == 0x03, value[1] == 0x0B else { return nil }
            return Self.uint32(value, at: 4)
        }

        /// RFC 9012 §3.3.2: a UDP port; 0 is reserved and makes the sub-TLV malformed.
        public var udpDestinationPort: UInt16? {
            guard type == SubTLVType.udpDestinationPort, let v = uint16Value, v != 0 else { return nil }
            return v
        }

        /// RFC 9012 §3.1.
        public var egressEndpoint: EgressEndpoint? {
            type == SubTLVType.tunnelEgressEndpoint ? EgressEndpoint(value: value) : nil
        }

        var uint16Value: UInt16? { value.count == 2 ? UInt16(value[0]) << 8 | UInt16(value[1]) : nil }
        var uint32Value: UInt32? { value.count == 4 ? Self.uint32(value, at: 0) : nil }

        static func uint32(_ b: [UInt8], at i: Int) -> UInt32 {
            UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
        }

        // MARK: Builders

        public static func encapsulation(_ e: VirtualNetwork) -> SubTLV {
            SubTLV(type: SubTLVType.encapsulation, value: e.value)
        }

        /// The Encapsulation sub-TLV of GRE and MPLS-in-GRE: the 4-octet key.
        public static func greKey(_ key: UInt32) -> SubTLV { SubTLV(type: SubTLVType.encapsulation, value: bytes(key)) }

        public static func protocolType(_ ethertype: UInt16) -> SubTLV {
            SubTLV(type: SubTLVType.protocolType, value: [UInt8(ethertype >> 8), UInt8(ethertype & 0xFF)])
        }

        public static func color(_ color: UInt32, flags: UInt16 = 0) -> SubTLV {
            SubTLV(type: SubTLVType.color, value: [0x03, 0x0B, UInt8(flags >> 8), UInt8(flags & 0xFF)] + bytes(color))
        }

        public static func egressEndpoint(_ endpoint: EgressEndpoint) -> SubTLV {
            SubTLV(type: SubTLVType.tunnelEgressEndpoint, value: endpoint.value)
        }

        public static func udpDestinationPort(_ port: UInt16) -> SubTLV {
            SubTLV(type: SubTLVType.udpDestinationPort, value: [UInt8(port >> 8), UInt8(port & 0xFF)])
        }

        static func bytes(_ v: UInt32) -> [UInt8] {
            [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
    }

    /// Reads the whole attribute value (`r` spans exactly the value).
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> TunnelEncapsulation {
        var tunnels: [Tunnel] = []
        // Each pass consumes at least the 4-octet TLV header, so the loop ends.
        while !r.isAtEnd {
            let index = tunnels.count
            guard r.remaining >= 4 else {
                throw DecodeFailure("tunnel TLV \(index): header needs 4 octets, \(r.remaining) left")
            }
            let type = TunnelType(try r.readUInt16())
            let length = Int(try r.readUInt16())
            func tlv() -> String { "tunnel TLV \(index) (type \(type))" }  // built only for an error
            // A TLV that runs past the attribute cannot be framed: the attribute is malformed (RFC 9012 §13,
            // treat-as-withdraw), and its length field is never trusted beyond the octets present.
            guard length <= r.remaining else {
                throw DecodeFailure("\(tlv()): length \(length) overruns the attribute, \(r.remaining) left")
            }
            var value = try r.readSlice(length)
            tunnels.append(Tunnel(type: type, subTLVs: try readSubTLVs(&value, in: tlv())))
        }
        return TunnelEncapsulation(tunnels: tunnels)
    }

    /// Reads the sub-TLVs of one TLV (`r` spans exactly the TLV's value).
    private static func readSubTLVs(
        _ r: inout ByteReader, in tlv: @autoclosure () -> String
    ) throws(DecodeFailure) -> [SubTLV] {
        var subTLVs: [SubTLV] = []
        // Each pass consumes at least the 2-octet sub-TLV header, so the loop ends.
        while !r.isAtEnd {
            func what() -> String { "\(tlv()) sub-TLV \(subTLVs.count)" }
            let subType = try r.readUInt8("\(what()) type")
            // RFC 9012 §2: sub-TLV types 0-127 have a 1-octet length, 128-255 a 2-octet length.
            let length =
                subType >= 128 ? Int(try r.readUInt16("\(what()) length")) : Int(try r.readUInt8("\(what()) length"))
            // RFC 9012 §13: "The final octet of a TLV MUST also be the final octet of its final sub-TLV."
            guard length <= r.remaining else {
                throw DecodeFailure(
                    "\(what()) (type \(subType)): length \(length) overruns its tunnel TLV, \(r.remaining) left")
            }
            subTLVs.append(SubTLV(type: subType, value: try r.readBytes(length)))
        }
        return subTLVs
    }

    /// Writes the value. A sub-TLV value longer than its length field allows, or a TLV longer than 65535
    /// octets, is a programming error (``SubTLV/maximumValueLength``); the JSON decoder checks it.
    func write(to w: inout ByteWriter) {
        for tunnel in tunnels {
            w.write(tunnel.type.rawValue)
            let at = w.reserveLength(width: 2)
            for sub in tunnel.subTLVs {
                precondition(sub.value.count <= sub.maximumValueLength, "sub-TLV \(sub.type) value too long")
                w.write(sub.type)
                if sub.hasTwoOctetLength { w.write(UInt16(sub.value.count)) } else { w.write(UInt8(sub.value.count)) }
                w.write(sub.value)
            }
            precondition(w.count - at - 2 <= 0xFFFF, "tunnel TLV longer than 65535 octets")
            w.patchLength(at: at, width: 2)
        }
    }
}

extension TunnelEncapsulation {
    /// The value of the VXLAN (RFC 9012 §3.2.1) and NVGRE (§3.2.2) Encapsulation sub-TLVs, 12 octets:
    ///
    ///      0                   1                   2                   3
    ///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    ///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ///     |V|M|R|R|R|R|R|R|      VN-ID (VXLAN) or VSID (NVGRE), 3 octets  |
    ///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ///     |                      MAC Address (4 octets)                   |
    ///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ///     |      MAC Address (2 octets)   |        Reserved (2 octets)    |
    ///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ///
    /// All fields are kept, so the sub-TLV rebuilt from this view has the same octets; ``identifier`` and
    /// ``mac`` read the fields only when the V and M bits say they are valid (§3.2.1: otherwise they are
    /// "disregarded on receipt").
    public struct VirtualNetwork: Hashable, Sendable {
        public static let vFlag: UInt8 = 0x80
        public static let mFlag: UInt8 = 0x40

        public var flags: UInt8
        /// The 24-bit VN-ID or VSID field as sent.
        public var identifierField: UInt32
        /// The MAC address field as sent.
        public var macField: MACAddress
        public var reserved: UInt16

        public init(flags: UInt8, identifierField: UInt32, macField: MACAddress, reserved: UInt16 = 0) {
            self.flags = flags
            self.identifierField = identifierField & 0xFF_FFFF
            self.macField = macField
            self.reserved = reserved
        }

        /// Sets V when `identifier` is given and M when `mac` is given; absent fields are zero (§3.2.1).
        public init(identifier: UInt32?, mac: MACAddress? = nil) {
            self.init(
                flags: (identifier == nil ? 0 : Self.vFlag) | (mac == nil ? 0 : Self.mFlag),
                identifierField: identifier ?? 0, macField: mac ?? MACAddress(0))
        }

        /// Parses the 12-octet value; nil for any other length (a malformed sub-TLV, RFC 9012 §13).
        init?(value b: [UInt8]) {
            guard b.count == 12 else { return nil }
            let mac = UInt64(b[4]) << 40 | UInt64(b[5]) << 32 | UInt64(TunnelEncapsulation.SubTLV.uint32(b, at: 6))
            self.init(
                flags: b[0], identifierField: UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3]),
                macField: MACAddress(mac), reserved: UInt16(b[10]) << 8 | UInt16(b[11]))
        }

        var value: [UInt8] {
            var w = ByteWriter(capacity: 12)
            w.write(flags)
            w.writeUInt24(identifierField)
            macField.write(to: &w)
            w.write(reserved)
            return w.bytes
        }

        /// The VN-ID / VSID when the V bit is set.
        public var identifier: UInt32? { flags & Self.vFlag != 0 ? identifierField : nil }
        /// The MAC address when the M bit is set.
        public var mac: MACAddress? { flags & Self.mFlag != 0 ? macField : nil }
    }

    /// The Tunnel Egress Endpoint sub-TLV (RFC 9012 §3.1):
    ///
    ///     +-------------------------------+
    ///     |  Reserved (4 octets)          |
    ///     +-------------------------------+
    ///     |  Address Family (2 octets)    |   0, 1 (IPv4) or 2 (IPv6)
    ///     +-------------------------------+
    ///     |  Address (0, 4 or 16 octets)  |
    ///     +-------------------------------+
    ///
    /// Address family 0 (no address) means the egress endpoint is the route's next hop.
    public struct EgressEndpoint: Hashable, Sendable, CustomStringConvertible {
        public var reserved: UInt32
        /// nil for address family 0.
        public var address: IPAddress?

        public init(address: IPAddress?, reserved: UInt32 = 0) {
            self.address = address
            self.reserved = reserved
        }

        /// Parses the value; nil when the address family is not 0, 1 or 2 or the length does not match it
        /// (a malformed endpoint: RFC 9012 §13 says to ignore the whole TLV, which is the caller's decision).
        init?(value b: [UInt8]) {
            guard b.count >= 6 else { return nil }
            let reserved = TunnelEncapsulation.SubTLV.uint32(b, at: 0)
            let afi = UInt16(b[4]) << 8 | UInt16(b[5])
            switch (afi, b.count - 6) {
            case (0, 0): self.init(address: nil, reserved: reserved)
            case (1, 4):
                self.init(address: .v4(IPv4Address(TunnelEncapsulation.SubTLV.uint32(b, at: 6))), reserved: reserved)
            case (2, 16):
                var hi: UInt64 = 0
                var lo: UInt64 = 0
                for i in 0..<8 {
                    hi = hi << 8 | UInt64(b[6 + i])
                    lo = lo << 8 | UInt64(b[14 + i])
                }
                self.init(address: .v6(IPv6Address(high: hi, low: lo)), reserved: reserved)
            default: return nil
            }
        }

        var value: [UInt8] {
            var w = ByteWriter(capacity: 22)
            w.write(reserved)
            switch address {
            case nil: w.write(UInt16(0))
            case .v4: w.write(UInt16(1))
            case .v6: w.write(UInt16(2))
            }
            address?.write(to: &w)
            return w.bytes
        }

        /// The address, or `next-hop` for address family 0.
        public var description: String { address?.description ?? "next-hop" }
    }
}
