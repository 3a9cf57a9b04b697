/// Labeled unicast NLRI, SAFI 4 (RFC 8277 §2).
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |    Length     |                 Label                 |Rsrv |S|
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     ~                          Prefix                               ~
///
/// Length counts the label bits too (24 per label).
public struct LabeledIPv4NLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    public var labels: LabelStack
    public var prefix: IPv4Prefix

    public init(pathID: UInt32? = nil, labels: LabelStack, prefix: IPv4Prefix) {
        self.pathID = pathID
        self.labels = labels
        self.prefix = prefix
    }

    public var description: String { "\(prefix) label \(labels)" + (pathID.map { " path-id \($0)" } ?? "") }

    static func read(_ r: inout ByteReader, addPath: Bool, maximumLabels: Int) throws(DecodeFailure) -> Self {
        let pathID = addPath ? try r.readUInt32("path identifier") : nil
        let bits = Int(try r.readUInt8("prefix length"))
        let start = r.index
        let labels = try LabelStack.read(&r, maximum: maximumLabels)
        let labelBits = (r.index - start) * 8
        guard bits >= labelBits else {
            throw DecodeFailure("labeled NLRI: length \(bits) is shorter than its \(labels.count) label(s)")
        }
        return Self(pathID: pathID, labels: labels, prefix: try IPv4Prefix.read(&r, length: bits - labelBits, "prefix"))
    }

    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        w.write(UInt8(truncatingIfNeeded: Int(prefix.length) + 24 * labels.count))
        labels.write(to: &w)
        prefix.writeAddressBytes(to: &w)
    }
}

/// Labeled IPv6 unicast NLRI, SAFI 4 (RFC 8277 §2).
public struct LabeledIPv6NLRI: Hashable, Sendable, CustomStringConvertible {
    public var pathID: UInt32?
    public var labels: LabelStack
    public var prefix: IPv6Prefix

    public init(pathID: UInt32? = nil, labels: LabelStack, prefix: IPv6Prefix) {
        self.pathID = pathID
        self.labels = labels
        self.prefix = prefix
    }

    public var description: String { "\(prefix) label \(labels)" + (pathID.map { " path-id \($0)" } ?? "") }

    static func read(_ r: inout ByteReader, addPath: Bool, maximumLabels: Int) throws(DecodeFailure) -> Self {
        let pathID = addPath ? try r.readUInt32("path identifier") : nil
        let bits = Int(try r.readUInt8("prefix length"))
        let start = r.index
        let labels = try LabelStack.read(&r, maximum: maximumLabels)
        let labelBits = (r.index - start) * 8
        guard bits >= labelBits else {
            throw DecodeFailure("labeled NLRI: length \(bits) is shorter than its \(labels.count) label(s)")
        }
        return Self(pathID: pathID, labels: labels, prefix: try IPv6Prefix.read(&r, length: bits - labelBits, "prefix"))
    }

    func write(to w: inout ByteWriter) {
        if let pathID { w.write(pathID) }
        w.write(UInt8(truncatingIfNeeded: Int(prefix.length) + 24 * labels.count))
        labels.write(to: &w)
        prefix.writeAddressBytes(to: &w)
    }
}
