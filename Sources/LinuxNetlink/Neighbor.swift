/// Neighbour attribute numbers (linux/neighbour.h).
enum NDA {
    static let dst: UInt16 = 1
    static let lladdr: UInt16 = 2
    static let vlan: UInt16 = 5
    static let port: UInt16 = 6
    static let vni: UInt16 = 7
    static let master: UInt16 = 9
}

/// ndm_state bits (NUD_*).
public struct NeighborState: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let incomplete = NeighborState(rawValue: 0x01)
    public static let reachable = NeighborState(rawValue: 0x02)
    public static let stale = NeighborState(rawValue: 0x04)
    public static let delay = NeighborState(rawValue: 0x08)
    public static let probe = NeighborState(rawValue: 0x10)
    public static let failed = NeighborState(rawValue: 0x20)
    public static let noARP = NeighborState(rawValue: 0x40)
    public static let permanent = NeighborState(rawValue: 0x80)
}

/// ndm_flags bits (NTF_*).
public struct NeighborFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let use = NeighborFlags(rawValue: 0x01)
    /// The entry lives in the device's own table (for VXLAN: the VTEP table with NDA_DST/NDA_VNI).
    public static let deviceTable = NeighborFlags(rawValue: 0x02)
    /// The entry lives in the master bridge's FDB.
    public static let master = NeighborFlags(rawValue: 0x04)
    public static let proxy = NeighborFlags(rawValue: 0x08)
    /// Learned by an external control plane: the kernel neither ages nor overrides it (FRR uses it).
    public static let externLearn = NeighborFlags(rawValue: 0x10)
    public static let offloaded = NeighborFlags(rawValue: 0x20)
    public static let sticky = NeighborFlags(rawValue: 0x40)
    public static let router = NeighborFlags(rawValue: 0x80)
}

/// Shared ndmsg (12 bytes) encoding/decoding for FDB entries and IP neighbours.
enum NeighborMessage {
    static let size = 12

    static func header(
        family: UInt8, index: Int32, state: NeighborState, flags: NeighborFlags, into writer: inout NetlinkWriter
    ) {
        writer.append(family)
        writer.append(UInt8(0))
        writer.append(UInt16(0))
        writer.append(index)
        writer.append(state.rawValue)
        writer.append(flags.rawValue)
        writer.append(UInt8(0))  // ndm_type
    }

    struct Decoded {
        var family: UInt8
        var index: Int32
        var state: NeighborState
        var flags: NeighborFlags
        var attributes: [NetlinkAttribute]
    }

    static func decode(_ message: NetlinkMessage) throws(NetlinkDecodingError) -> Decoded {
        let header = try message.familyHeader(size: size, for: "ndmsg")
        let base = header.startIndex
        return Decoded(
            family: header[base], index: header.loadI32(at: base + 4),
            state: NeighborState(rawValue: header.loadU16(at: base + 8)),
            flags: NeighborFlags(rawValue: header[base + 10]),
            attributes: try message.attributes(after: size))
    }
}

/// A bridge forwarding-database entry (AF_BRIDGE neighbour), as `bridge fdb` manipulates.
///
/// For a VXLAN device with `.deviceTable` (NTF_SELF), `destination` is the remote VTEP and `vni` the VNI to send with; the
/// all-zero MAC with several `append`ed destinations is the BUM flood list (bagpipe §5.6; interop-lab §7.0).
public struct FDBEntry: Hashable, Sendable, CustomStringConvertible {
    public var mac: EthernetAddress
    public var deviceIndex: Int32
    public var destination: InetAddress?
    public var vni: UInt32?
    public var port: UInt16?
    public var vlan: UInt16?
    /// The bridge whose FDB holds the entry (NDA_MASTER). Dumps mark bridge entries this way, not with NTF_MASTER.
    public var masterIndex: Int32?
    public var state: NeighborState
    public var flags: NeighborFlags

    /// Defaults are those of `bridge fdb ... self permanent`: NUD_NOARP|NUD_PERMANENT, NTF_SELF.
    public init(
        mac: EthernetAddress, deviceIndex: Int32, destination: InetAddress? = nil, vni: UInt32? = nil,
        port: UInt16? = nil, vlan: UInt16? = nil, masterIndex: Int32? = nil,
        state: NeighborState = [.noARP, .permanent], flags: NeighborFlags = .deviceTable
    ) {
        self.mac = mac
        self.deviceIndex = deviceIndex
        self.destination = destination
        self.vni = vni
        self.port = port
        self.vlan = vlan
        self.masterIndex = masterIndex
        self.state = state
        self.flags = flags
    }

    /// A remote MAC behind a VTEP: `bridge fdb replace <mac> dev <vxlan> dst <vtep> vni <vni> self permanent`
    /// (EVPN type-2 route, bagpipe §5.6).
    public static func remote(
        mac: EthernetAddress, vxlanIndex: Int32, vtep: InetAddress, vni: UInt32? = nil
    ) -> FDBEntry {
        FDBEntry(mac: mac, deviceIndex: vxlanIndex, destination: vtep, vni: vni)
    }

    /// One VTEP of the flood list: `bridge fdb append 00:00:00:00:00:00 dev <vxlan> dst <vtep>` (EVPN type-3).
    public static func flood(vxlanIndex: Int32, vtep: InetAddress, vni: UInt32? = nil) -> FDBEntry {
        FDBEntry(mac: .zero, deviceIndex: vxlanIndex, destination: vtep, vni: vni)
    }

    /// A local MAC pinned to a bridge port, in the bridge's own FDB (`bridge fdb replace <mac> dev <port> master
    /// static`). The original omitted `master`, which iproute2 turns into `self`: the port's own address list.
    public static func local(mac: EthernetAddress, portIndex: Int32) -> FDBEntry {
        FDBEntry(mac: mac, deviceIndex: portIndex, state: [.noARP, .reachable], flags: .master)
    }

    public var description: String {
        var text = "fdb \(mac) dev \(deviceIndex)"
        if let destination { text += " dst \(destination)" }
        if let vni { text += " vni \(vni)" }
        if flags.contains(.deviceTable) { text += " self" }
        if flags.contains(.master) { text += " master" }
        return text
    }

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let decoded = try NeighborMessage.decode(message)
        let attributes = decoded.attributes
        guard let lladdr = attributes.first(NDA.lladdr) else {
            throw .shortFamilyHeader("fdb entry without NDA_LLADDR", length: 0, expected: 6)
        }
        guard let mac = EthernetAddress(bytes: lladdr.payload) else {
            throw .badAddressLength("NDA_LLADDR", length: lladdr.payload.count)
        }
        self.mac = mac
        deviceIndex = decoded.index
        destination = attributes.first(NDA.dst).flatMap { InetAddress(bytes: $0.payload) }
        vni = attributes.first(NDA.vni)?.u32
        port = attributes.first(NDA.port)?.bigEndianU16
        vlan = attributes.first(NDA.vlan)?.u16
        masterIndex = attributes.first(NDA.master)?.u32.map { Int32(bitPattern: $0) }
        state = decoded.state
        flags = decoded.flags
    }

    fileprivate func encode(into writer: inout NetlinkWriter) {
        NeighborMessage.header(
            family: AddressFamily.bridge, index: deviceIndex, state: state, flags: flags, into: &writer)
        writer.attribute(NDA.lladdr, mac.bytes)
        if let destination { writer.attribute(NDA.dst, destination.bytes) }
        if let port { writer.attribute(NDA.port, bigEndianU16: port) }
        if let vlan { writer.attribute(NDA.vlan, u16: vlan) }
        if let vni { writer.attribute(NDA.vni, u32: vni) }
    }
}

/// An IP neighbour (ARP/ND entry), as `ip neigh replace <ip> lladdr <mac> dev <dev> nud permanent`.
public struct Neighbor: Hashable, Sendable, CustomStringConvertible {
    public var address: InetAddress
    public var mac: EthernetAddress?
    public var deviceIndex: Int32
    public var state: NeighborState
    public var flags: NeighborFlags

    public init(
        address: InetAddress, mac: EthernetAddress?, deviceIndex: Int32, state: NeighborState = .permanent,
        flags: NeighborFlags = []
    ) {
        self.address = address
        self.mac = mac
        self.deviceIndex = deviceIndex
        self.state = state
        self.flags = flags
    }

    public var description: String {
        "neigh \(address)" + (mac.map { " lladdr \($0)" } ?? "") + " dev \(deviceIndex)"
    }

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let decoded = try NeighborMessage.decode(message)
        guard let dst = decoded.attributes.first(NDA.dst), let address = InetAddress(bytes: dst.payload) else {
            throw .badAddressLength("NDA_DST", length: decoded.attributes.first(NDA.dst)?.payload.count ?? 0)
        }
        self.address = address
        mac = decoded.attributes.first(NDA.lladdr).flatMap { EthernetAddress(bytes: $0.payload) }
        deviceIndex = decoded.index
        state = decoded.state
        flags = decoded.flags
    }
}

/// Builders for RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH.
public enum NeighborRequest {
    /// `bridge fdb add|replace|append <mac> dev <dev> [dst] [vni] [self|master]`.
    public static func fdb(_ mode: NetlinkWriteMode, _ entry: FDBEntry) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 48)
        entry.encode(into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.newNeigh, flags: mode.flags, body: writer.bytes,
            summary: "RTM_NEWNEIGH \(mode.verb) \(entry)")
    }

    /// `bridge fdb del <mac> dev <dev> [dst] [vni] [self|master]`. With a destination, only that VTEP's
    /// entry goes (for the flood list: one remote PE's BUM entry).
    public static func deleteFDB(_ entry: FDBEntry) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 48)
        entry.encode(into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.delNeigh, flags: [], body: writer.bytes, summary: "RTM_DELNEIGH \(entry)")
    }

    /// `ip neigh add|replace <ip> lladdr <mac> dev <dev> nud <state>`.
    public static func neighbor(_ mode: NetlinkWriteMode, _ neighbor: Neighbor) -> NetlinkRequest {
        NetlinkRequest(
            type: NetlinkMessageType.newNeigh, flags: mode.flags, body: encode(neighbor),
            summary: "RTM_NEWNEIGH \(mode.verb) \(neighbor)")
    }

    /// `ip neigh del <ip> dev <dev>`.
    public static func deleteNeighbor(_ neighbor: Neighbor) -> NetlinkRequest {
        var neighbor = neighbor
        neighbor.mac = nil
        return NetlinkRequest(
            type: NetlinkMessageType.delNeigh, flags: [], body: encode(neighbor), summary: "RTM_DELNEIGH \(neighbor)")
    }

    private static func encode(_ neighbor: Neighbor) -> [UInt8] {
        var writer = NetlinkWriter(capacity: 48)
        NeighborMessage.header(
            family: neighbor.address.family, index: neighbor.deviceIndex, state: neighbor.state,
            flags: neighbor.flags, into: &writer)
        writer.attribute(NDA.dst, neighbor.address.bytes)
        if let mac = neighbor.mac { writer.attribute(NDA.lladdr, mac.bytes) }
        return writer.bytes
    }

    /// Dump of a family's neighbour tables: AF_BRIDGE gives the FDB, AF_INET/AF_INET6 the ARP/ND caches, and with
    /// `flags` exactly NTF_PROXY their proxy entries.
    public static func dump(family: UInt8, flags: NeighborFlags = []) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 12)
        NeighborMessage.header(family: family, index: 0, state: [], flags: flags, into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.getNeigh, flags: .dump, body: writer.bytes,
            summary: "RTM_GETNEIGH dump family \(family)")
    }
}
