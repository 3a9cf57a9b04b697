/// IPv4 unicast/multicast NLRI (RFC 4271 §4.3), with the RFC 7911 path identifier when ADD-PATH is on.
///
///     +---------------------------+
///     |   Length (1 octet)        |
///     +---------------------------+
///     |   Prefix (variable)       |
///     +---------------------------+
public struct IPv4PrefixNLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    public var prefix: IPv4Prefix

    @inlinable public init(pathID: UInt32? = nil, prefix: IPv4Prefix) {
        self.pathID = pathID
        self.prefix = prefix
    }

    public var description: String { pathID.map { "\(prefix) path-id \($0)" } ?? prefix.description }

    @inlinable
    static func read(_ r: inout ByteReader, addPath: Bool) throws(DecodeFailure) -> Self {
        let pathID = addPath ? try r.readUInt32("path identifier") : nil
        let bits = Int(try r.readUInt8("prefix length"))
        return Self(pathID: pathID, prefix: try IPv4Prefix.read(&r, length: bits, "IPv4 prefix"))
    }

    @inlinable
    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        w.write(prefix.length)
        prefix.writeAddressBytes(to: &w)
    }
}

/// IPv6 unicast/multicast NLRI (RFC 4760 §5, RFC 2545).
public struct IPv6PrefixNLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    public var prefix: IPv6Prefix

    @inlinable public init(pathID: UInt32? = nil, prefix: IPv6Prefix) {
        self.pathID = pathID
        self.prefix = prefix
    }

    public var description: String { pathID.map { "\(prefix) path-id \($0)" } ?? prefix.description }

    @inlinable
    static func read(_ r: inout ByteReader, addPath: Bool) throws(DecodeFailure) -> Self {
        let pathID = addPath ? try r.readUInt32("path identifier") : nil
        let bits = Int(try r.readUInt8("prefix length"))
        return Self(pathID: pathID, prefix: try IPv6Prefix.read(&r, length: bits, "IPv6 prefix"))
    }

    @inlinable
    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        w.write(prefix.length)
        prefix.writeAddressBytes(to: &w)
    }
}
