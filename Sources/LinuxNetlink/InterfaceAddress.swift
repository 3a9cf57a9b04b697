/// Interface address attribute numbers (linux/if_addr.h).
enum IFA {
    static let address: UInt16 = 1
    static let local: UInt16 = 2
    static let broadcast: UInt16 = 4
    static let flags: UInt16 = 8
    static let noDAD: UInt32 = 0x02
    static let noPrefixRoute: UInt32 = 0x200
}

/// An address on an interface, as `ip addr add <ip>/<len> [brd <b>] dev <dev> [noprefixroute]` (the gateway
/// address of bagpipe §5.3 step 4, and interop-lab §7.3's gateway with no connected route). `nodad` (IPv6):
/// usable at once, without Duplicate Address Detection (RFC 4862 §5.4), as a gateway present on many ports is.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    public var prefix: InetPrefix
    public var deviceIndex: Int32
    public var broadcast: InetAddress?
    public var noPrefixRoute: Bool
    public var noDAD: Bool
    public var scope: RouteScope

    public init(
        prefix: InetPrefix, deviceIndex: Int32, broadcast: InetAddress? = nil, noPrefixRoute: Bool = false,
        noDAD: Bool = false, scope: RouteScope = .universe
    ) {
        self.prefix = prefix
        self.deviceIndex = deviceIndex
        self.broadcast = broadcast
        self.noPrefixRoute = noPrefixRoute
        self.noDAD = noDAD
        self.scope = scope
    }

    public var description: String {
        "addr \(prefix.address)/\(prefix.length) dev \(deviceIndex)" + (noPrefixRoute ? " noprefixroute" : "")
            + (noDAD ? " nodad" : "")
    }

    static let familyHeaderSize = 8

    func encode(into writer: inout NetlinkWriter) {
        writer.append(prefix.family)
        writer.append(prefix.length)
        writer.append(UInt8(0))  // ifa_flags (the 8-bit legacy field; IFA_FLAGS carries the full set)
        writer.append(scope.rawValue)
        writer.append(deviceIndex)
        writer.attribute(IFA.local, prefix.address.bytes)
        let flags = (noPrefixRoute ? IFA.noPrefixRoute : 0) | (noDAD ? IFA.noDAD : 0)
        if flags != 0 { writer.attribute(IFA.flags, u32: flags) }
        writer.attribute(IFA.address, prefix.address.bytes)
        if let broadcast { writer.attribute(IFA.broadcast, broadcast.bytes) }
    }

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let header = try message.familyHeader(size: Self.familyHeaderSize, for: "ifaddrmsg")
        let base = header.startIndex
        let attributes = try message.attributes(after: Self.familyHeaderSize)
        guard let raw = attributes.first(IFA.local) ?? attributes.first(IFA.address),
            let address = InetAddress(bytes: raw.payload),
            let prefix = InetPrefix(address: address, length: header[base + 1])
        else {
            throw .badAddressLength("IFA_LOCAL/IFA_ADDRESS", length: attributes.first(IFA.address)?.payload.count ?? 0)
        }
        self.prefix = prefix
        deviceIndex = header.loadI32(at: base + 4)
        broadcast = attributes.first(IFA.broadcast).flatMap { InetAddress(bytes: $0.payload) }
        let flags = attributes.first(IFA.flags)?.u32 ?? UInt32(header[base + 2])
        noPrefixRoute = flags & IFA.noPrefixRoute != 0
        noDAD = flags & IFA.noDAD != 0
        scope = RouteScope(rawValue: header[base + 3]) ?? .universe
    }
}

/// Builders for RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR.
public enum AddressRequest {
    public static func add(_ address: InterfaceAddress, mode: NetlinkWriteMode = .add) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 48)
        address.encode(into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.newAddr, flags: mode.flags, body: writer.bytes,
            summary: "RTM_NEWADDR \(mode.verb) \(address)")
    }

    public static func delete(_ address: InterfaceAddress) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 48)
        address.encode(into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.delAddr, flags: [], body: writer.bytes, summary: "RTM_DELADDR \(address)")
    }

    public static func dump(family: UInt8) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 8)
        writer.append(family)
        writer.append(contentsOf: [UInt8](repeating: 0, count: 7))
        return NetlinkRequest(
            type: NetlinkMessageType.getAddr, flags: .dump, body: writer.bytes,
            summary: "RTM_GETADDR dump family \(family)")
    }
}
