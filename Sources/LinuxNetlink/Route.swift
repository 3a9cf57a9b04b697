/// Route attribute numbers (linux/rtnetlink.h).
enum RTA {
    static let dst: UInt16 = 1
    static let oif: UInt16 = 4
    static let gateway: UInt16 = 5
    static let priority: UInt16 = 6
    static let prefsrc: UInt16 = 7
    static let multipath: UInt16 = 9
    static let table: UInt16 = 15
}

/// rtm_type (RTN_*).
public enum RouteType: UInt8, Hashable, Sendable {
    case unspec = 0, unicast = 1, local = 2, broadcast = 3, anycast = 4, multicast = 5, blackhole = 6,
        unreachable = 7, prohibit = 8, `throw` = 9
}

/// rtm_scope (RT_SCOPE_*).
public enum RouteScope: UInt8, Hashable, Sendable {
    case universe = 0, site = 200, link = 253, host = 254, nowhere = 255
}

/// Well-known rtm_protocol values; bagpipe's own routes use 19 (RT_PROT_BAGPIPE, spec §5.3) so that a restart
/// can find and flush exactly them.
public enum RouteProtocol {
    public static let unspec: UInt8 = 0
    public static let kernel: UInt8 = 2
    public static let boot: UInt8 = 3
    public static let `static`: UInt8 = 4
    public static let bagpipe: UInt8 = 19
}

/// Routing tables with fixed meanings (RT_TABLE_*).
public enum RouteTable {
    public static let main: UInt32 = 254
    public static let local: UInt32 = 255
}

/// One ECMP leg (struct rtnexthop + RTA_GATEWAY).
public struct NextHop: Hashable, Sendable, CustomStringConvertible {
    public var gateway: InetAddress?
    public var deviceIndex: Int32
    /// 1...256; the kernel stores weight - 1 in rtnh_hops.
    public var weight: UInt16
    /// RTNH_F_ONLINK: the gateway is on the link even without a matching connected route (VXLAN L3 overlay,
    /// interop-lab §7.3).
    public var onLink: Bool

    public init(gateway: InetAddress?, deviceIndex: Int32, weight: UInt16 = 1, onLink: Bool = false) {
        self.gateway = gateway
        self.deviceIndex = deviceIndex
        self.weight = weight
        self.onLink = onLink
    }

    public var description: String {
        "nexthop" + (gateway.map { " via \($0)" } ?? "") + " dev \(deviceIndex) weight \(weight)"
            + (onLink ? " onlink" : "")
    }
}

/// A route (RTM_NEWROUTE/DELROUTE/GETROUTE). A single-path route has one element in `nextHops` (or none for
/// blackhole/unreachable/prohibit); more than one is sent as RTA_MULTIPATH.
public struct Route: Hashable, Sendable, CustomStringConvertible {
    public var destination: InetPrefix
    public var table: UInt32
    public var type: RouteType
    /// Nil: what `ip route` would choose (host for local, link for a gatewayless unicast, else universe).
    public var scope: RouteScope?
    public var `protocol`: UInt8
    public var metric: UInt32?
    public var preferredSource: InetAddress?
    public var nextHops: [NextHop]

    public init(
        destination: InetPrefix, table: UInt32 = RouteTable.main, type: RouteType = .unicast, scope: RouteScope? = nil,
        protocol: UInt8 = RouteProtocol.boot, metric: UInt32? = nil, preferredSource: InetAddress? = nil,
        nextHops: [NextHop] = []
    ) {
        self.destination = destination
        self.table = table
        self.type = type
        self.scope = scope
        self.protocol = `protocol`
        self.metric = metric
        self.preferredSource = preferredSource
        self.nextHops = nextHops
    }

    public var description: String {
        var text = (type == .unicast ? "" : "\(type) ") + "\(destination) table \(table)"
        if nextHops.count == 1 {
            let hop = nextHops[0]
            text += (hop.gateway.map { " via \($0)" } ?? "") + " dev \(hop.deviceIndex)" + (hop.onLink ? " onlink" : "")
        } else if !nextHops.isEmpty {
            text += " " + nextHops.map(\.description).joined(separator: " ")
        }
        if let metric { text += " metric \(metric)" }
        return text
    }

    static let familyHeaderSize = 12
    static let onLinkFlag: UInt8 = 0x4

    /// The scope `ip route add` picks when none is given.
    var effectiveScope: RouteScope {
        if let scope { return scope }
        switch type {
        case .local: return .host
        case .broadcast, .multicast, .anycast: return .link
        case .unicast, .unspec: return nextHops.contains { $0.gateway != nil } ? .universe : .link
        default: return .universe
        }
    }

    func encode(deleting: Bool, into writer: inout NetlinkWriter) {
        writer.append(destination.family)
        writer.append(destination.length)
        writer.append(UInt8(0))  // rtm_src_len
        writer.append(UInt8(0))  // rtm_tos
        // Tables above 255 only fit RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC (as iproute2 does).
        writer.append(table < 256 ? UInt8(table) : 0)
        // A delete matches on what it names; protocol 0 / scope nowhere / type unspec are wildcards.
        writer.append(deleting ? RouteProtocol.unspec : self.protocol)
        writer.append(deleting ? RouteScope.nowhere.rawValue : effectiveScope.rawValue)
        writer.append(deleting && type == .unicast ? RouteType.unspec.rawValue : type.rawValue)
        let single = nextHops.count == 1 ? nextHops[0] : nil
        writer.append(UInt32(single?.onLink == true ? Self.onLinkFlag : 0))
        if destination.length > 0 {
            writer.attribute(RTA.dst, destination.address.bytes)
        }
        if let single, let gateway = single.gateway { writer.attribute(RTA.gateway, gateway.bytes) }
        if let metric { writer.attribute(RTA.priority, u32: metric) }
        if let preferredSource { writer.attribute(RTA.prefsrc, preferredSource.bytes) }
        if table >= 256 { writer.attribute(RTA.table, u32: table) }
        if let single, single.deviceIndex != 0 { writer.attribute(RTA.oif, i32: single.deviceIndex) }
        if nextHops.count > 1 {
            writer.nested(RTA.multipath) { multipath in
                for hop in nextHops {
                    let start = multipath.count
                    multipath.append(UInt16(0))  // rtnh_len, patched below
                    multipath.append(UInt8(hop.onLink ? Self.onLinkFlag : 0))
                    multipath.append(UInt8(clamping: max(1, Int(hop.weight)) - 1))
                    multipath.append(hop.deviceIndex)
                    if let gateway = hop.gateway { multipath.attribute(RTA.gateway, gateway.bytes) }
                    multipath.patch(UInt16(multipath.count - start), at: start)
                }
            }
        }
    }

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let header = try message.familyHeader(size: Self.familyHeaderSize, for: "rtmsg")
        let base = header.startIndex
        let family = header[base]
        let length = header[base + 1]
        let flags = header.loadU32(at: base + 8)
        let attributes = try message.attributes(after: Self.familyHeaderSize)
        let zero: InetAddress =
            family == AddressFamily.inet6 ? .v6([UInt8](repeating: 0, count: 16)) : .v4([0, 0, 0, 0])
        let address =
            try attributes.first(RTA.dst).map { attribute throws(NetlinkDecodingError) in
                guard let address = InetAddress(bytes: attribute.payload) else {
                    throw .badAddressLength("RTA_DST", length: attribute.payload.count)
                }
                return address
            } ?? zero
        guard let destination = InetPrefix(address: address, length: length) else {
            throw .badAddressLength("rtm_dst_len \(length) for \(address)", length: Int(length))
        }
        self.destination = destination
        table = attributes.first(RTA.table)?.u32 ?? UInt32(header[base + 4])
        self.protocol = header[base + 5]
        scope = RouteScope(rawValue: header[base + 6])
        type = RouteType(rawValue: header[base + 7]) ?? .unspec
        metric = attributes.first(RTA.priority)?.u32
        preferredSource = attributes.first(RTA.prefsrc).flatMap { InetAddress(bytes: $0.payload) }
        nextHops = []
        if let multipath = attributes.first(RTA.multipath) {
            var payload = multipath.payload[...]
            while payload.count >= 8 {
                let hopLength = Int(payload.loadU16(at: payload.startIndex))
                guard hopLength >= 8, hopLength <= payload.count else {
                    throw .badAttributeLength(type: RTA.multipath, length: hopLength, available: payload.count)
                }
                let start = payload.startIndex
                let hopAttributes = try NetlinkAttribute.parse(payload[(start + 8)..<(start + hopLength)])
                nextHops.append(
                    NextHop(
                        gateway: hopAttributes.first(RTA.gateway).flatMap { InetAddress(bytes: $0.payload) },
                        deviceIndex: payload.loadI32(at: start + 4), weight: UInt16(payload[start + 3]) + 1,
                        onLink: payload[start + 2] & Self.onLinkFlag != 0))
                payload = payload.dropFirst((hopLength + 3) & ~3)
            }
        } else if let oif = attributes.first(RTA.oif)?.u32 {
            nextHops.append(
                NextHop(
                    gateway: attributes.first(RTA.gateway).flatMap { InetAddress(bytes: $0.payload) },
                    deviceIndex: Int32(bitPattern: oif), onLink: flags & UInt32(Self.onLinkFlag) != 0))
        }
    }
}

/// Builders for RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE.
public enum RouteRequest {
    /// `ip route add|replace|append ...`.
    public static func route(_ mode: NetlinkWriteMode, _ route: Route) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 64)
        route.encode(deleting: false, into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.newRoute, flags: mode.flags, body: writer.bytes,
            summary: "RTM_NEWROUTE \(mode.verb) \(route)")
    }

    /// `ip route del ...`: matches on destination, table, and whatever next hop / type is given.
    public static func delete(_ route: Route) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 64)
        route.encode(deleting: true, into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.delRoute, flags: [], body: writer.bytes, summary: "RTM_DELROUTE \(route)")
    }

    public static func dump(family: UInt8) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 12)
        writer.append(family)
        writer.append(contentsOf: [UInt8](repeating: 0, count: 11))
        return NetlinkRequest(
            type: NetlinkMessageType.getRoute, flags: .dump, body: writer.bytes,
            summary: "RTM_GETROUTE dump family \(family)")
    }
}
