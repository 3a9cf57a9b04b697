/// EVPN NLRI (RFC 7432 §7), AFI 25 / SAFI 70, with the Path Identifier of RFC 7911 §3 when ADD-PATH is
/// in use for the family.
///
///     +-----------------------------------+
///     |    Route Type (1 octet)           |
///     +-----------------------------------+
///     |     Length (1 octet)              |
///     +-----------------------------------+
///     | Route Type specific (variable)    |
///     +-----------------------------------+
///
/// Length counts the Route Type specific octets only.
public struct EVPNNLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    public var route: EVPNRoute

    public init(pathID: UInt32? = nil, route: EVPNRoute) {
        self.pathID = pathID
        self.route = route
    }

    public var description: String {
        (pathID.map { "[path-id:\($0)]" } ?? "") + route.description
    }

    /// Reads one NLRI. A route type this codec does not know is kept raw (RFC 7432 §7: a route type that
    /// is not understood is skipped by its length, not treated as an error).
    static func read(_ r: inout ByteReader, addPath: Bool) throws(DecodeFailure) -> EVPNNLRI {
        let pathID = addPath ? try r.readUInt32("EVPN path identifier") : nil
        let type = try r.readUInt8("EVPN route type")
        let length = Int(try r.readUInt8("EVPN route length"))
        var value = try r.readSlice(length, "EVPN route type \(type)")
        return EVPNNLRI(pathID: pathID, route: try EVPNRoute.read(type: type, &value))
    }

    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        w.write(route.type)
        let at = w.reserveLength(width: 1)
        route.writeValue(to: &w)
        // Known routes are at most 58 octets; only a hand-built unknown route can be too long.
        precondition(w.count - at - 1 <= 255, "an EVPN route is at most 255 octets")
        w.patchLength(at: at, width: 1)
    }
}

// MARK: - Route Type Specific fields

extension EVPNRoute {
    /// Reads the Route Type Specific field of a route of `type`; `r` spans exactly that field.
    static func read(type: UInt8, _ r: inout ByteReader) throws(DecodeFailure) -> EVPNRoute {
        switch type {
        case 1: return .ethernetAutoDiscovery(try .read(&r))
        case 2: return .macIPAdvertisement(try .read(&r))
        case 3: return .inclusiveMulticastEthernetTag(try .read(&r))
        case 4: return .ethernetSegment(try .read(&r))
        case 5: return .ipPrefix(try .read(&r))
        default: return .unknown(type: type, value: r.readRest())
        }
    }

    /// Writes the Route Type Specific field (without type and length).
    func writeValue(to w: inout ByteWriter) {
        switch self {
        case .ethernetAutoDiscovery(let r):
            w.write(r.routeDistinguisher.rawValue)
            r.esi.write(to: &w)
            w.write(r.ethernetTagID)
            w.writeUInt24(r.label.rawValue)
        case .macIPAdvertisement(let r):
            w.write(r.routeDistinguisher.rawValue)
            r.esi.write(to: &w)
            w.write(r.ethernetTagID)
            w.write(UInt8(48))
            r.macAddress.write(to: &w)
            w.write(UInt8(r.ipAddress?.bitLength ?? 0))
            r.ipAddress?.write(to: &w)
            w.writeUInt24(r.label1.rawValue)
            if let label2 = r.label2 { w.writeUInt24(label2.rawValue) }
        case .inclusiveMulticastEthernetTag(let r):
            w.write(r.routeDistinguisher.rawValue)
            w.write(r.ethernetTagID)
            w.write(UInt8(r.originatingRouterIP.bitLength))
            r.originatingRouterIP.write(to: &w)
        case .ethernetSegment(let r):
            w.write(r.routeDistinguisher.rawValue)
            r.esi.write(to: &w)
            w.write(UInt8(r.originatingRouterIP.bitLength))
            r.originatingRouterIP.write(to: &w)
        case .ipPrefix(let r):
            precondition(IPPrefixRoute.sameFamily(r.prefix, r.gatewayIP), "gateway and prefix families differ")
            w.write(r.routeDistinguisher.rawValue)
            r.esi.write(to: &w)
            w.write(r.ethernetTagID)
            w.write(r.prefix.length)
            switch r.prefix {
            case .v4(let p): w.write(p.address.value)
            case .v6(let p):
                w.write(p.address.high)
                w.write(p.address.low)
            }
            r.gatewayIP.write(to: &w)
            w.writeUInt24(r.label.rawValue)
        case .unknown(_, let value):
            w.write(value)
        }
    }
}

/// Throws unless a route of `name` has one of the `allowed` lengths.
private func checkEVPNLength(_ name: String, length: Int, in allowed: [Int]) throws(DecodeFailure) {
    guard allowed.contains(length) else {
        let expected = allowed.map(String.init).joined(separator: " or ")
        throw DecodeFailure("EVPN \(name) route: length \(length), expected \(expected)")
    }
}

/// Reads an IP Address Length octet that must be 32 or 128 and agree with the bytes left after it, as in
/// types 3 and 4.
private func readEVPNRouterIP(_ r: inout ByteReader, _ name: String) throws(DecodeFailure) -> IPAddress {
    let bits = Int(try r.readUInt8("EVPN \(name) IP address length"))
    // RFC 7432 §7.3, §7.4: the Originating Router's IP Address is an IPv4 (32) or IPv6 (128) address.
    guard bits == 32 || bits == 128 else {
        throw DecodeFailure("EVPN \(name) route: IP address length \(bits) is neither 32 nor 128")
    }
    guard bits / 8 == r.remaining else {
        throw DecodeFailure("EVPN \(name) route: IP address length \(bits) but \(r.remaining) octets follow")
    }
    return try IPAddress.read(&r, length: bits / 8, "EVPN \(name) originating router IP")
}

extension EVPNRoute.EthernetAutoDiscovery {
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> Self {
        try checkEVPNLength("Ethernet Auto-Discovery", length: r.remaining, in: [25])
        return Self(
            routeDistinguisher: RouteDistinguisher(rawValue: try r.readUInt64()),
            esi: try .read(&r, "ESI"), ethernetTagID: try r.readUInt32(),
            label: LabelField(rawValue: try r.readUInt24()))
    }
}

extension EVPNRoute.MACIPAdvertisement {
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> Self {
        let length = r.remaining
        // The shortest form: no IP address, one label.
        guard length >= 33 else {
            throw DecodeFailure("EVPN MAC/IP Advertisement route: length \(length), expected at least 33")
        }
        let rd = RouteDistinguisher(rawValue: try r.readUInt64())
        let esi = try EthernetSegmentIdentifier.read(&r, "ESI")
        let tag = try r.readUInt32()
        let macBits = try r.readUInt8()
        // RFC 7432 §7.2: the MAC Address Length is in bits and is always 48.
        guard macBits == 48 else {
            throw DecodeFailure("EVPN MAC/IP Advertisement route: MAC address length \(macBits), expected 48")
        }
        let mac = try MACAddress.read(&r, "MAC address")
        let ipBits = Int(try r.readUInt8())
        // RFC 7432 §7.2: the IP Address Length is 0 (no IP address), 32 (IPv4) or 128 (IPv6).
        guard ipBits == 0 || ipBits == 32 || ipBits == 128 else {
            throw DecodeFailure("EVPN MAC/IP Advertisement route: IP address length \(ipBits) is not 0, 32 or 128")
        }
        // RFC 7432 §7.2: MPLS Label1 is 3 octets, MPLS Label2 is 0 or 3.
        try checkEVPNLength("MAC/IP Advertisement", length: length, in: [33 + ipBits / 8, 36 + ipBits / 8])
        let ip = try ipBits == 0 ? nil : IPAddress.read(&r, length: ipBits / 8, "IP address")
        let label1 = LabelField(rawValue: try r.readUInt24())
        let label2 = try r.isAtEnd ? nil : LabelField(rawValue: r.readUInt24())
        return Self(
            routeDistinguisher: rd, esi: esi, ethernetTagID: tag, macAddress: mac, ipAddress: ip, label1: label1,
            label2: label2)
    }
}

extension EVPNRoute.InclusiveMulticastEthernetTag {
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> Self {
        let name = "Inclusive Multicast Ethernet Tag"
        try checkEVPNLength(name, length: r.remaining, in: [17, 29])
        let rd = RouteDistinguisher(rawValue: try r.readUInt64())
        let tag = try r.readUInt32()
        return Self(routeDistinguisher: rd, ethernetTagID: tag, originatingRouterIP: try readEVPNRouterIP(&r, name))
    }
}

extension EVPNRoute.EthernetSegment {
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> Self {
        let name = "Ethernet Segment"
        try checkEVPNLength(name, length: r.remaining, in: [23, 35])
        let rd = RouteDistinguisher(rawValue: try r.readUInt64())
        let esi = try EthernetSegmentIdentifier.read(&r, "ESI")
        return Self(routeDistinguisher: rd, esi: esi, originatingRouterIP: try readEVPNRouterIP(&r, name))
    }
}

extension EVPNRoute.IPPrefixRoute {
    static func read(_ r: inout ByteReader) throws(DecodeFailure) -> Self {
        // RFC 9136 §3.1: IP Prefix and GW IP Address are both 4 or both 16 octets, so the route is 34 or 58
        // octets long; the length alone gives the family of both, and they cannot be mixed.
        let length = r.remaining
        try checkEVPNLength("IP Prefix", length: length, in: [34, 58])
        let rd = RouteDistinguisher(rawValue: try r.readUInt64())
        let esi = try EthernetSegmentIdentifier.read(&r, "ESI")
        let tag = try r.readUInt32()
        let bits = try r.readUInt8()
        // RFC 9136 §3.1: the IP Prefix Length is 0 to 32 for IPv4 and 0 to 128 for IPv6.
        let maxBits: UInt8 = length == 34 ? 32 : 128
        guard bits <= maxBits else {
            throw DecodeFailure("EVPN IP Prefix route: IP prefix length \(bits) > \(maxBits)")
        }
        let prefix: IPPrefix
        let gateway: IPAddress
        if length == 34 {
            prefix = .v4(IPv4Prefix(IPv4Address(try r.readUInt32()), length: bits))
            gateway = .v4(IPv4Address(try r.readUInt32()))
        } else {
            prefix = .v6(IPv6Prefix(IPv6Address(high: try r.readUInt64(), low: try r.readUInt64()), length: bits))
            gateway = .v6(IPv6Address(high: try r.readUInt64(), low: try r.readUInt64()))
        }
        return Self(
            routeDistinguisher: rd, esi: esi, ethernetTagID: tag, prefix: prefix, gatewayIP: gateway,
            label: LabelField(rawValue: try r.readUInt24()))
    }
}
