/// VPN-IPv4 NLRI, SAFI 128 (RFC 4364 §4.3.4, RFC 8277 §2).
///
///     +---------------------------+
///     |   Length (1 octet)        |  bits of labels + RD + prefix
///     +---------------------------+
///     |   Label(s) (3 octets each)|
///     +---------------------------+
///     |   Route Distinguisher (8) |
///     +---------------------------+
///     |   IPv4 prefix (variable)  |
///     +---------------------------+
public struct VPNIPv4NLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    public var labels: LabelStack
    public var routeDistinguisher: RouteDistinguisher
    public var prefix: IPv4Prefix

    @inlinable
    public init(pathID: UInt32? = nil, labels: LabelStack, routeDistinguisher: RouteDistinguisher, prefix: IPv4Prefix) {
        self.pathID = pathID
        self.labels = labels
        self.routeDistinguisher = routeDistinguisher
        self.prefix = prefix
    }

    public var description: String {
        "\(routeDistinguisher):\(prefix) label \(labels)" + (pathID.map { " path-id \($0)" } ?? "")
    }

    @inlinable
    static func read(_ r: inout ByteReader, addPath: Bool, maximumLabels: Int) throws(DecodeFailure) -> Self {
        let pathID = addPath ? try r.readUInt32("path identifier") : nil
        let bits = Int(try r.readUInt8("prefix length"))
        // Hot path: one label, /32 (the route bagpipe advertises per port): 16 octets, no loop.
        if bits == 120, maximumLabels == 1, r.remaining >= 15 {
            let label = try r.readUInt24()
            let rd = try r.readUInt64()
            let address = try r.readUInt32()
            return Self(
                pathID: pathID, labels: LabelStack(LabelField(rawValue: label)),
                routeDistinguisher: RouteDistinguisher(rawValue: rd),
                prefix: IPv4Prefix(IPv4Address(address), length: 32))
        }
        let start = r.index
        let labels = try LabelStack.read(&r, maximum: maximumLabels)
        let labelBits = (r.index - start) * 8
        guard bits >= labelBits + 64 else {
            throw DecodeFailure("VPN NLRI: length \(bits) is shorter than labels and route distinguisher")
        }
        let rd = RouteDistinguisher(rawValue: try r.readUInt64("route distinguisher"))
        let prefix = try IPv4Prefix.read(&r, length: bits - labelBits - 64, "VPN-IPv4 prefix")
        return Self(pathID: pathID, labels: labels, routeDistinguisher: rd, prefix: prefix)
    }

    @inlinable
    func write(to w: inout ByteWriter) {
        if pathID == nil, labels.count == 1, prefix.length == 32 {
            // 16 octets: length 120, label, RD, address.
            let label = labels[0].rawValue
            let rd = routeDistinguisher.rawValue.bigEndian
            let address = prefix.address.value.bigEndian
            w.append(count: 16) { p in
                p.storeBytes(of: UInt8(120), as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: label >> 16), toByteOffset: 1, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: label >> 8), toByteOffset: 2, as: UInt8.self)
                p.storeBytes(of: UInt8(truncatingIfNeeded: label), toByteOffset: 3, as: UInt8.self)
                p.storeBytes(of: rd, toByteOffset: 4, as: UInt64.self)
                p.storeBytes(of: address, toByteOffset: 12, as: UInt32.self)
            }
            return
        }
        if let pathID { w.write(pathID) }
        w.write(UInt8(truncatingIfNeeded: Int(prefix.length) + 64 + 24 * labels.count))
        labels.write(to: &w)
        w.write(routeDistinguisher.rawValue)
        prefix.writeAddressBytes(to: &w)
    }
}

/// VPN-IPv6 NLRI, SAFI 128 (RFC 4659 §3.2).
public struct VPNIPv6NLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    public var labels: LabelStack
    public var routeDistinguisher: RouteDistinguisher
    public var prefix: IPv6Prefix

    public init(pathID: UInt32? = nil, labels: LabelStack, routeDistinguisher: RouteDistinguisher, prefix: IPv6Prefix) {
        self.pathID = pathID
        self.labels = labels
        self.routeDistinguisher = routeDistinguisher
        self.prefix = prefix
    }

    public var description: String {
        "\(routeDistinguisher):\(prefix) label \(labels)" + (pathID.map { " path-id \($0)" } ?? "")
    }

    static func read(_ r: inout ByteReader, addPath: Bool, maximumLabels: Int) throws(DecodeFailure) -> Self {
        let pathID = addPath ? try r.readUInt32("path identifier") : nil
        let bits = Int(try r.readUInt8("prefix length"))
        let start = r.index
        let labels = try LabelStack.read(&r, maximum: maximumLabels)
        let labelBits = (r.index - start) * 8
        guard bits >= labelBits + 64 else {
            throw DecodeFailure("VPN NLRI: length \(bits) is shorter than labels and route distinguisher")
        }
        let rd = RouteDistinguisher(rawValue: try r.readUInt64("route distinguisher"))
        let prefix = try IPv6Prefix.read(&r, length: bits - labelBits - 64, "VPN-IPv6 prefix")
        return Self(pathID: pathID, labels: labels, routeDistinguisher: rd, prefix: prefix)
    }

    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        w.write(UInt8(truncatingIfNeeded: Int(prefix.length) + 64 + 24 * labels.count))
        labels.write(to: &w)
        w.write(routeDistinguisher.rawValue)
        prefix.writeAddressBytes(to: &w)
    }
}
