/// rtnetlink link attribute numbers (linux/if_link.h).
enum IFLA {
    static let address: UInt16 = 1
    static let ifname: UInt16 = 3
    static let mtu: UInt16 = 4
    static let link: UInt16 = 5
    static let master: UInt16 = 10
    static let protinfo: UInt16 = 12
    static let operstate: UInt16 = 16
    static let linkinfo: UInt16 = 18
    static let netNSFD: UInt16 = 28
    static let linkNetNSID: UInt16 = 37
    // IFLA_INFO_*
    static let infoKind: UInt16 = 1
    static let infoData: UInt16 = 2
    static let infoSlaveKind: UInt16 = 4
    // IFLA_BR_*
    static let bridgeForwardDelay: UInt16 = 1
    static let bridgeSTPState: UInt16 = 5
    // IFLA_VXLAN_*
    static let vxlanID: UInt16 = 1
    static let vxlanLink: UInt16 = 3
    static let vxlanLocal: UInt16 = 4
    static let vxlanTTL: UInt16 = 5
    static let vxlanLearning: UInt16 = 7
    static let vxlanProxy: UInt16 = 11
    static let vxlanPort: UInt16 = 15
    static let vxlanLocal6: UInt16 = 17
    // VETH_INFO_PEER
    static let vethPeer: UInt16 = 1
    // IFLA_BRPORT_* (in IFLA_PROTINFO of an AF_BRIDGE RTM_SETLINK)
    static let brportLearning: UInt16 = 8
    static let brportNeighSuppress: UInt16 = 32
    static let nestedFlag: UInt16 = 0x8000
}

/// net_device flags (linux/if.h) that matter here.
public enum InterfaceFlags {
    public static let up: UInt32 = 0x1
    public static let lowerUp: UInt32 = 0x10000
}

/// VXLAN device settings, as `ip link add <name> type vxlan id <VNI> local <ip> dstport <port> nolearning proxy`
/// (bagpipe spec §5.6; interop-lab §7.0).
public struct VXLANOptions: Hashable, Sendable {
    public var vni: UInt32
    public var local: InetAddress?
    /// UDP destination port; 4789 is IANA's, the kernel default is 8472.
    public var port: UInt16?
    public var learning: Bool
    public var proxy: Bool
    /// Underlay device (IFLA_VXLAN_LINK, `dev eth0`).
    public var underlayIndex: Int32?
    public var ttl: UInt8?

    public init(
        vni: UInt32, local: InetAddress? = nil, port: UInt16? = 4789, learning: Bool = false, proxy: Bool = false,
        underlayIndex: Int32? = nil, ttl: UInt8? = nil
    ) {
        self.vni = vni
        self.local = local
        self.port = port
        self.learning = learning
        self.proxy = proxy
        self.underlayIndex = underlayIndex
        self.ttl = ttl
    }
}

/// The link types this layer creates and recognises.
public enum LinkKind: Hashable, Sendable {
    /// Linux bridge; options as `brctl setfd 0` and `brctl stp off` (bagpipe §5.6).
    case bridge(forwardDelay: UInt32? = 0, stp: Bool? = false)
    case vxlan(VXLANOptions)
    /// veth pair; the peer may be created directly inside another namespace.
    case veth(peerName: String, peerNamespace: NetworkNamespace? = nil)
    case dummy
    /// Any other kind seen in a dump (name as IFLA_INFO_KIND gives it), or none.
    case other(String?)

    public var name: String? {
        switch self {
        case .bridge: "bridge"
        case .vxlan: "vxlan"
        case .veth: "veth"
        case .dummy: "dummy"
        case .other(let name): name
        }
    }
}

/// Link as dumped by RTM_GETLINK (or returned by RTM_NEWLINK's notification).
public struct Link: Hashable, Sendable, CustomStringConvertible {
    public var index: Int32
    public var name: String
    public var flags: UInt32
    public var mtu: UInt32?
    public var address: EthernetAddress?
    /// Bridge (or other master) this link is enslaved to.
    public var masterIndex: Int32?
    public var kind: LinkKind
    public var operationalState: UInt8?

    public init(
        index: Int32, name: String, flags: UInt32 = 0, mtu: UInt32? = nil, address: EthernetAddress? = nil,
        masterIndex: Int32? = nil, kind: LinkKind = .other(nil), operationalState: UInt8? = nil
    ) {
        self.index = index
        self.name = name
        self.flags = flags
        self.mtu = mtu
        self.address = address
        self.masterIndex = masterIndex
        self.kind = kind
        self.operationalState = operationalState
    }

    public var isUp: Bool { flags & InterfaceFlags.up != 0 }

    public var vxlan: VXLANOptions? {
        if case .vxlan(let options) = kind { return options }
        return nil
    }

    public var description: String { "\(name)(\(index))" }

    static let familyHeaderSize = 16

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let header = try message.familyHeader(size: Self.familyHeaderSize, for: "ifinfomsg")
        index = header.loadI32(at: header.startIndex + 4)
        flags = header.loadU32(at: header.startIndex + 8)
        let attributes = try message.attributes(after: Self.familyHeaderSize)
        name = attributes.first(IFLA.ifname)?.string ?? ""
        mtu = attributes.first(IFLA.mtu)?.u32
        address = attributes.first(IFLA.address).flatMap { EthernetAddress(bytes: $0.payload) }
        masterIndex = attributes.first(IFLA.master)?.u32.map { Int32(bitPattern: $0) }
        operationalState = attributes.first(IFLA.operstate)?.u8
        kind = .other(nil)
        guard let info = try attributes.first(IFLA.linkinfo)?.nested() else { return }
        let kindName = info.first(IFLA.infoKind)?.string
        let data = try info.first(IFLA.infoData)?.nested() ?? []
        switch kindName {
        case "bridge":
            let stp = data.first(IFLA.bridgeSTPState)?.u32
            kind = .bridge(forwardDelay: data.first(IFLA.bridgeForwardDelay)?.u32, stp: stp.map { $0 != 0 })
        case "vxlan":
            let local = (data.first(IFLA.vxlanLocal) ?? data.first(IFLA.vxlanLocal6)).flatMap {
                InetAddress(bytes: $0.payload)
            }
            kind = .vxlan(
                VXLANOptions(
                    vni: data.first(IFLA.vxlanID)?.u32 ?? 0, local: local,
                    port: data.first(IFLA.vxlanPort)?.bigEndianU16,
                    learning: (data.first(IFLA.vxlanLearning)?.u8 ?? 1) != 0,
                    proxy: (data.first(IFLA.vxlanProxy)?.u8 ?? 0) != 0,
                    underlayIndex: data.first(IFLA.vxlanLink)?.u32.map { Int32(bitPattern: $0) }
                        .flatMap { $0 == 0 ? nil : $0 },
                    ttl: data.first(IFLA.vxlanTTL)?.u8.flatMap { $0 == 0 ? nil : $0 }))
        case "veth":
            // A link dump does not name the peer (only its ifindex, IFLA_LINK, possibly in another namespace).
            kind = .veth(peerName: "", peerNamespace: nil)
        case "dummy":
            kind = .dummy
        default:
            kind = .other(kindName)
        }
    }
}

/// Which link a request is about: by index, or by name (IFLA_IFNAME, which the kernel resolves).
public enum LinkReference: Hashable, Sendable, CustomStringConvertible {
    case index(Int32)
    case name(String)

    public var description: String {
        switch self {
        case .index(let index): "ifindex \(index)"
        case .name(let name): name
        }
    }
}

/// Changes for an existing link (`ip link set`). Nil fields are left as they are.
public struct LinkChanges: Hashable, Sendable {
    public var up: Bool?
    /// `.some(nil)` releases the link from its master (`nomaster`); `.some(i)` enslaves it to ifindex i.
    public var master: Int32??
    public var mtu: UInt32?
    public var address: EthernetAddress?
    /// Moves the link into this namespace (IFLA_NET_NS_FD).
    public var namespace: NetworkNamespace?
    public var newName: String?

    public init(
        up: Bool? = nil, master: Int32?? = nil, mtu: UInt32? = nil, address: EthernetAddress? = nil,
        namespace: NetworkNamespace? = nil, newName: String? = nil
    ) {
        self.up = up
        self.master = master
        self.mtu = mtu
        self.address = address
        self.namespace = namespace
        self.newName = newName
    }
}

/// Builders for RTM_NEWLINK / RTM_SETLINK / RTM_DELLINK / RTM_GETLINK.
public enum LinkRequest {
    private static func infoMessage(
        family: UInt8 = AddressFamily.unspec, index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0,
        into writer: inout NetlinkWriter
    ) {
        writer.append(family)
        writer.append(UInt8(0))
        writer.append(UInt16(0))  // ifi_type
        writer.append(index)
        writer.append(flags)
        writer.append(change)
    }

    private static func reference(_ link: LinkReference, into writer: inout NetlinkWriter) -> Int32 {
        if case .name(let name) = link { writer.attribute(IFLA.ifname, string: name) }
        if case .index(let index) = link { return index }
        return 0
    }

    /// `ip link add <name> [mtu] [address] [master] type <kind>`; `up` sets IFF_UP at creation.
    public static func create(
        name: String, kind: LinkKind, mtu: UInt32? = nil, address: EthernetAddress? = nil, masterIndex: Int32? = nil,
        up: Bool = false, mode: NetlinkWriteMode = .add
    ) throws(NetlinkError) -> NetlinkRequest {
        try validate(name: name)
        var writer = NetlinkWriter(capacity: 128)
        infoMessage(flags: up ? InterfaceFlags.up : 0, change: up ? InterfaceFlags.up : 0, into: &writer)
        writer.attribute(IFLA.ifname, string: name)
        if let mtu { writer.attribute(IFLA.mtu, u32: mtu) }
        if let address { writer.attribute(IFLA.address, address.bytes) }
        if let masterIndex { writer.attribute(IFLA.master, i32: masterIndex) }
        var namespaces: [NetworkNamespace] = []
        let kindName: String
        switch kind {
        case .other(let other):
            guard let other else { throw .invalidArgument("link \(name): a link kind is required") }
            kindName = other
        default: kindName = kind.name ?? ""
        }
        if case .veth(let peerName, _) = kind { try validate(name: peerName) }
        writer.nested(IFLA.linkinfo) { info in
            info.attribute(IFLA.infoKind, unterminated: kindName)
            switch kind {
            case .bridge(let forwardDelay, let stp):
                guard forwardDelay != nil || stp != nil else { return }
                info.nested(IFLA.infoData) { data in
                    if let forwardDelay { data.attribute(IFLA.bridgeForwardDelay, u32: forwardDelay) }
                    if let stp { data.attribute(IFLA.bridgeSTPState, u32: stp ? 1 : 0) }
                }
            case .vxlan(let options):
                info.nested(IFLA.infoData) { data in
                    // Order as iproute2 sends it, so golden captures compare byte for byte.
                    if options.proxy { data.attribute(IFLA.vxlanProxy, u8: 1) }
                    data.attribute(IFLA.vxlanID, u32: options.vni)
                    switch options.local {
                    case .v4(let bytes): data.attribute(IFLA.vxlanLocal, bytes)
                    case .v6(let bytes): data.attribute(IFLA.vxlanLocal6, bytes)
                    case nil: break
                    }
                    if let underlay = options.underlayIndex { data.attribute(IFLA.vxlanLink, i32: underlay) }
                    if let ttl = options.ttl { data.attribute(IFLA.vxlanTTL, u8: ttl) }
                    data.attribute(IFLA.vxlanLearning, u8: options.learning ? 1 : 0)
                    if let port = options.port { data.attribute(IFLA.vxlanPort, bigEndianU16: port) }
                }
            case .veth(let peerName, let peerNamespace):
                info.nested(IFLA.infoData) { data in
                    data.nested(IFLA.vethPeer) { peer in
                        infoMessage(into: &peer)
                        if let peerNamespace {
                            namespaces.append(peerNamespace)
                            peer.attribute(IFLA.netNSFD, i32: peerNamespace.fileDescriptor)
                        }
                        peer.attribute(IFLA.ifname, string: peerName)
                    }
                }
            case .dummy, .other: break
            }
        }
        var summary = "RTM_NEWLINK \(mode.verb) \(name) type \(kindName)"
        if case .vxlan(let options) = kind {
            summary += " id \(options.vni)" + (options.local.map { " local \($0)" } ?? "")
        }
        if case .veth(let peerName, _) = kind { summary += " peer \(peerName)" }
        return NetlinkRequest(
            type: NetlinkMessageType.newLink, flags: mode.flags, body: writer.bytes, summary: summary,
            namespaces: namespaces)
    }

    /// `ip link set <link> [up|down] [master X|nomaster] [mtu] [address] [netns] [name]`.
    public static func set(_ link: LinkReference, _ changes: LinkChanges) throws(NetlinkError) -> NetlinkRequest {
        if let newName = changes.newName {
            try validate(name: newName)
            // IFLA_IFNAME would then name both the link and its new name.
            if case .name = link { throw .invalidArgument("renaming \(link) to \(newName) needs its ifindex") }
        }
        var writer = NetlinkWriter(capacity: 64)
        let index: Int32 = if case .index(let index) = link { index } else { 0 }
        infoMessage(
            index: index, flags: changes.up == true ? InterfaceFlags.up : 0,
            change: changes.up == nil ? 0 : InterfaceFlags.up, into: &writer)
        _ = reference(link, into: &writer)
        var parts: [String] = []
        if let up = changes.up { parts.append(up ? "up" : "down") }
        if let master = changes.master {
            writer.attribute(IFLA.master, i32: master ?? 0)
            parts.append(master.map { "master \($0)" } ?? "nomaster")
        }
        if let mtu = changes.mtu {
            writer.attribute(IFLA.mtu, u32: mtu)
            parts.append("mtu \(mtu)")
        }
        if let address = changes.address {
            writer.attribute(IFLA.address, address.bytes)
            parts.append("address \(address)")
        }
        var namespaces: [NetworkNamespace] = []
        if let namespace = changes.namespace {
            namespaces.append(namespace)
            writer.attribute(IFLA.netNSFD, i32: namespace.fileDescriptor)
            parts.append("netns \(namespace)")
        }
        if let newName = changes.newName {
            writer.attribute(IFLA.ifname, string: newName)
            parts.append("name \(newName)")
        }
        return NetlinkRequest(
            type: NetlinkMessageType.newLink, flags: [], body: writer.bytes,
            summary: "RTM_NEWLINK set \(link) \(parts.joined(separator: " "))", namespaces: namespaces)
    }

    /// `bridge link set dev <port> [learning on|off] [neigh_suppress on|off]`: bridge-port options, sent as
    /// IFLA_PROTINFO in an AF_BRIDGE RTM_SETLINK. neigh_suppress is the ARP/ND suppression of interop-lab §7.0.
    public static func setBridgePort(
        index: Int32, learning: Bool? = nil, neighborSuppression: Bool? = nil
    )
        -> NetlinkRequest
    {
        var writer = NetlinkWriter(capacity: 48)
        infoMessage(family: AddressFamily.bridge, index: index, into: &writer)
        var parts: [String] = []
        writer.nested(IFLA.protinfo | IFLA.nestedFlag) { info in
            if let learning {
                info.attribute(IFLA.brportLearning, u8: learning ? 1 : 0)
                parts.append("learning \(learning ? "on" : "off")")
            }
            if let neighborSuppression {
                info.attribute(IFLA.brportNeighSuppress, u8: neighborSuppression ? 1 : 0)
                parts.append("neigh_suppress \(neighborSuppression ? "on" : "off")")
            }
        }
        return NetlinkRequest(
            type: NetlinkMessageType.setLink, flags: [], body: writer.bytes,
            summary: "RTM_SETLINK bridge port ifindex \(index) \(parts.joined(separator: " "))")
    }

    /// `ip link del <link>`.
    public static func delete(_ link: LinkReference) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 32)
        let index: Int32 = if case .index(let index) = link { index } else { 0 }
        infoMessage(index: index, into: &writer)
        _ = reference(link, into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.delLink, flags: [], body: writer.bytes, summary: "RTM_DELLINK \(link)")
    }

    /// RTM_GETLINK for one link (answered by one RTM_NEWLINK), or a dump of all links with `nil`.
    public static func get(_ link: LinkReference?) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 32)
        let index: Int32 = if case .index(let index)? = link { index } else { 0 }
        infoMessage(index: index, into: &writer)
        if let link { _ = reference(link, into: &writer) }
        return NetlinkRequest(
            type: NetlinkMessageType.getLink, flags: link == nil ? .dump : [], body: writer.bytes,
            summary: "RTM_GETLINK \(link.map(String.init(describing:)) ?? "dump")")
    }

    /// IFNAMSIZ is 16 including the NUL.
    static func validate(name: String) throws(NetlinkError) {
        guard !name.isEmpty, name.utf8.count <= 15, !name.contains("/"), !name.contains(" ") else {
            throw .invalidArgument("invalid interface name '\(name)' (1 to 15 bytes, no '/' or space)")
        }
    }
}
