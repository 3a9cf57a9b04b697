/// A namespace's per-family forwarding switch, as `ip -4|-6 netconf show dev all` reads it (RTM_GETNETCONF,
/// linux/netconf.h). Read through the socket, so it is the state of the socket's namespace, which /proc/sys of
/// the calling process need not be.
public struct Netconf: Hashable, Sendable {
    public var family: UInt8
    public var deviceIndex: Int32
    public var forwarding: Bool?

    /// NETCONFA_IFINDEX_ALL: the `all` pseudo-device, whose `forwarding` is what IPv6 forwarding obeys.
    public static let allDevices: Int32 = -1
    enum NETCONFA {
        static let ifindex: UInt16 = 1
        static let forwarding: UInt16 = 2
    }
    /// struct netconfmsg is one octet, padded to 4 before the attributes.
    static let familyHeaderSize = 4

    public init(family: UInt8, deviceIndex: Int32, forwarding: Bool?) {
        self.family = family
        self.deviceIndex = deviceIndex
        self.forwarding = forwarding
    }

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let header = try message.familyHeader(size: 1, for: "netconfmsg")
        family = header[header.startIndex]
        let attributes = try message.attributes(after: Self.familyHeaderSize)
        deviceIndex = attributes.first(NETCONFA.ifindex)?.u32.map { Int32(bitPattern: $0) } ?? Self.allDevices
        forwarding = attributes.first(NETCONFA.forwarding)?.u32.map { $0 != 0 }
    }
}

public enum NetconfRequest {
    public static func get(family: UInt8, deviceIndex: Int32 = Netconf.allDevices) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 12)
        writer.append(family)
        writer.append(contentsOf: [0, 0, 0] as [UInt8])
        writer.attribute(Netconf.NETCONFA.ifindex, i32: deviceIndex)
        return NetlinkRequest(
            type: NetlinkMessageType.getNetconf, flags: [], body: writer.bytes,
            summary: "RTM_GETNETCONF family \(family) dev \(deviceIndex)")
    }
}

extension Netlink {
    /// Is forwarding on for `family` in the socket's namespace (`net.ipv6.conf.all.forwarding` for inet6)?
    public func forwarding(family: UInt8) throws(NetlinkError) -> Bool {
        let replies = try socket.query(NetconfRequest.get(family: family))
        for message in replies where message.header.type == NetlinkMessageType.newNetconf {
            do {
                if let on = try Netconf(decoding: message).forwarding { return on }
            } catch {
                throw .decoding(error)
            }
        }
        return false
    }
}
