/// Route Target membership NLRI, AFI 1 SAFI 132 (RFC 4684 §4).
///
///     +-------------------------------+
///     | Length (1 octet, in bits)     |  0, or 32..96
///     +-------------------------------+
///     | Origin AS (4 octets)          |
///     +-------------------------------+
///     | Route Target (0..8 octets)    |  a prefix of the extended community
///     +-------------------------------+
///
/// Length 0 is the default route target: "send me every VPN route" (RFC 4684 §4).
public struct RTCNLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    /// Length in bits of origin AS + route target: 0 (default) or 32...96.
    public var prefixLength: UInt8
    public var originAS: UInt32
    /// The route target as an extended community, bits beyond the prefix zero.
    public var routeTarget: ExtendedCommunity

    public init(pathID: UInt32? = nil, originAS: UInt32, routeTarget: ExtendedCommunity, prefixLength: UInt8 = 96) {
        precondition(prefixLength == 0 || (32...96).contains(prefixLength), "RTC prefix length \(prefixLength)")
        self.pathID = pathID
        self.prefixLength = prefixLength
        self.originAS = prefixLength == 0 ? 0 : originAS
        let rtBits = UInt64(max(0, Int(prefixLength) - 32))
        self.routeTarget = ExtendedCommunity(
            rawValue: rtBits == 0 ? 0 : (rtBits == 64 ? routeTarget.rawValue : routeTarget.rawValue & ~(~0 >> rtBits)))
    }

    /// The default route target membership (length 0).
    public static func `default`(pathID: UInt32? = nil) -> Self {
        Self(pathID: pathID, originAS: 0, routeTarget: ExtendedCommunity(rawValue: 0), prefixLength: 0)
    }

    public var isDefault: Bool { prefixLength == 0 }

    public var description: String {
        if isDefault { return "default" }
        let hex = String(routeTarget.rawValue, radix: 16)
        return "\(originAS):0x\(String(repeating: "0", count: 16 - hex.count) + hex)/\(prefixLength)"
    }

    static func read(_ r: inout ByteReader, addPath: Bool) throws(DecodeFailure) -> Self {
        let pathID = addPath ? try r.readUInt32("path identifier") : nil
        let bits = Int(try r.readUInt8("RTC prefix length"))
        if bits == 0 { return .default(pathID: pathID) }
        // RFC 4684 §4: the origin AS is always complete; the route target may be a prefix.
        guard (32...96).contains(bits) else { throw DecodeFailure("RTC NLRI: prefix length \(bits) not 0 or 32..96") }
        let originAS = try r.readUInt32("origin AS")
        let (hi, _) = try r.readPrefixBytes(bits: bits - 32, maxBytes: 8, "route target")
        return Self(
            pathID: pathID, originAS: originAS, routeTarget: ExtendedCommunity(rawValue: hi), prefixLength: UInt8(bits))
    }

    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        w.write(prefixLength)
        guard prefixLength > 0 else { return }
        w.write(originAS)
        w.writePrefixBytes(routeTarget.rawValue, 0, bits: Int(prefixLength) - 32)
    }
}
