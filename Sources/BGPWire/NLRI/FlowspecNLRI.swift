/// Flow specification NLRI (RFC 8955 §4; IPv6 in RFC 8956; SAFI 134 VPN form in RFC 8955 §8).
///
///     +----------------------------------+
///     | path identifier (4, ADD-PATH)    |
///     +----------------------------------+
///     | length (1 octet, or 2 as 0xFnnn) |
///     +----------------------------------+
///     | route distinguisher (8, SAFI 134)|
///     +----------------------------------+
///     | components, type order ...       |
///     +----------------------------------+
///
/// The length counts the route distinguisher and the components. Lengths below 240 take one octet; larger ones
/// (up to 4095) take two, the first nibble set to 0xF (RFC 8955 §4.1).
public struct FlowspecNLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    /// Present exactly for SAFI 134 (flowspec-vpn).
    public var routeDistinguisher: RouteDistinguisher?
    /// Strictly increasing by ``FlowspecComponent/type``, at least one.
    public var components: [FlowspecComponent]
    /// The length was (or is to be) written in the 2-octet form although it is below 240: legal, unusual, and kept
    /// so such an NLRI re-encodes byte for byte. Always false for lengths of 240 and more, which need that form.
    public var usesExtendedLength: Bool

    public init(
        pathID: UInt32? = nil, routeDistinguisher: RouteDistinguisher? = nil, components: [FlowspecComponent],
        usesExtendedLength: Bool = false
    ) {
        self.pathID = pathID
        self.routeDistinguisher = routeDistinguisher
        self.components = components
        self.usesExtendedLength = usesExtendedLength
    }

    /// The largest length the 0xFnnn form can carry.
    public static let maxLength = 0xFFF

    /// `[destination: 10.0.0.0/24][protocol: =6][destination-port: >=80&<=90]`, after `rd 65000:1 ` and
    /// `path-id 7 ` when present.
    public var description: String {
        var text = pathID.map { "path-id \($0) " } ?? ""
        if let routeDistinguisher { text += "rd \(routeDistinguisher) " }
        return text + components.map { "[\($0)]" }.joined()
    }

    /// Octets counted by the length field: route distinguisher and components.
    public var valueLength: Int {
        var w = ByteWriter()
        writeValue(to: &w)
        return w.count
    }

    static func read(_ r: inout ByteReader, family: AddressFamily, addPath: Bool) throws(DecodeFailure) -> FlowspecNLRI
    {
        guard family.afi == .ipv4 || family.afi == .ipv6, family.safi == .flowspec || family.safi == .flowspecVPN
        else { throw DecodeFailure("\(family) is not a flowspec family") }
        let pathID = addPath ? try r.readUInt32("flowspec path identifier") : nil
        let first = try r.readUInt8("flowspec NLRI length")
        var length = Int(first)
        // RFC 8955 §4.1: a first octet of 0xF0 or more starts the 2-octet form; its low 12 bits are the length.
        if first >= 0xF0 { length = Int(first & 0x0F) << 8 | Int(try r.readUInt8("flowspec NLRI length, 2nd octet")) }
        // RFC 8955 §4.2: the value is <[component]+>, so a length of 0 cannot be a flow specification.
        guard length > 0 else { throw DecodeFailure("flowspec NLRI length 0: a flow specification needs a component") }
        var body = try r.readSlice(length, "flowspec NLRI of \(length) octets")
        var rd: RouteDistinguisher? = nil
        if family.safi == .flowspecVPN {
            // RFC 8955 §8: the VPN NLRI is the route distinguisher followed by the flow specification, both counted.
            rd = RouteDistinguisher(rawValue: try body.readUInt64("flowspec route distinguisher"))
        }
        var components: [FlowspecComponent] = []
        components.reserveCapacity(min(body.remaining / 2, 13))
        while let type = body.peekUInt8() {
            // RFC 8955 §4.2: components MUST follow strict type ordering by increasing numerical order, so a type
            // may appear once at most.
            if let last = components.last, type <= last.type {
                throw DecodeFailure("flowspec component type \(type) after type \(last.type): must strictly increase")
            }
            components.append(try FlowspecComponent.read(&body, afi: family.afi))
        }
        guard !components.isEmpty else {
            throw DecodeFailure("flowspec NLRI has a route distinguisher but no component")
        }
        return FlowspecNLRI(
            pathID: pathID, routeDistinguisher: rd, components: components,
            usesExtendedLength: first >= 0xF0 && length < 0xF0)
    }

    /// Writes the NLRI. The encoded value must not exceed ``maxLength`` octets (JSON input is checked for that).
    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        let lengthAt = w.reserveLength(width: 1)
        writeValue(to: &w)
        let count = w.count - lengthAt - 1
        precondition(count <= Self.maxLength, "flowspec NLRI of \(count) octets exceeds 4095")
        if count >= 0xF0 || usesExtendedLength {
            // The 2-octet form: one more octet before the value.
            w.bytes.insert(UInt8(0xF0 | count >> 8), at: lengthAt)
            w.bytes[lengthAt + 1] = UInt8(truncatingIfNeeded: count)
        } else {
            w.bytes[lengthAt] = UInt8(count)
        }
    }

    private func writeValue(to w: inout ByteWriter) {
        if let routeDistinguisher { w.write(routeDistinguisher.rawValue) }
        for component in components { component.write(to: &w) }
    }
}
