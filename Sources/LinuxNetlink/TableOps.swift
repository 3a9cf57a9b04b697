#if canImport(Glibc)
import Glibc
#endif

/// Bridge FDB operations (bagpipe §5.6: remote MACs `bridge fdb replace <mac> dev <vx> dst <pe> vni <vni>`, flood
/// list `bridge fdb append 00:00:00:00:00:00 dev <vx> dst <pe>`, and their deletes), batched.
public struct FDBOps: Sendable {
    public let socket: NetlinkSocket

    public init(socket: NetlinkSocket) { self.socket = socket }

    /// Applies all changes in as few sends as possible. Throws `.batch` (or `.request` for one change) listing
    /// exactly the refused changes; every other change was applied.
    public func apply(_ changes: [NetlinkChange<FDBEntry>]) throws(NetlinkError) {
        try socket.apply(changes.map(\.request))
    }

    /// The FDB (AF_BRIDGE neighbour dump), optionally only one device's entries.
    public func entries(deviceIndex: Int32? = nil) throws(NetlinkError) -> [FDBEntry] {
        try decodeAll(
            socket.dump(NeighborRequest.dump(family: AddressFamily.bridge)), type: NetlinkMessageType.newNeigh
        ) {
            (message) throws(NetlinkDecodingError) -> FDBEntry? in
            let entry = try FDBEntry(decoding: message)
            return deviceIndex == nil || entry.deviceIndex == deviceIndex ? entry : nil
        }
    }
}

/// IP neighbour operations (`ip neigh replace <ip> lladdr <mac> dev <dev> nud permanent`, bagpipe §5.3/§5.6).
public struct NeighborOps: Sendable {
    public let socket: NetlinkSocket

    public init(socket: NetlinkSocket) { self.socket = socket }

    public func apply(_ changes: [NetlinkChange<Neighbor>]) throws(NetlinkError) {
        try socket.apply(changes.map(\.request))
    }

    /// ARP (AF_INET) or ND (AF_INET6) entries, optionally of one device; with `proxy`, the proxy entries
    /// (`ip neigh show proxy`) instead, which the kernel keeps in a table of their own.
    public func entries(
        family: UInt8 = AddressFamily.inet, deviceIndex: Int32? = nil, proxy: Bool = false
    ) throws(NetlinkError)
        -> [Neighbor]
    {
        try decodeAll(
            socket.dump(NeighborRequest.dump(family: family, flags: proxy ? .proxy : [])),
            type: NetlinkMessageType.newNeigh
        ) {
            (message) throws(NetlinkDecodingError) -> Neighbor? in
            let neighbor = try Neighbor(decoding: message)
            return deviceIndex == nil || neighbor.deviceIndex == deviceIndex ? neighbor : nil
        }
    }
}

/// Route operations, including ECMP (RTA_MULTIPATH), per-VPN tables and start-up flushes (bagpipe §5.3: flush
/// routes with protocol 19; interop-lab §7.3: the L3 overlay's per-VPN table).
public struct RouteOps: Sendable {
    public let socket: NetlinkSocket

    public init(socket: NetlinkSocket) { self.socket = socket }

    public func apply(_ changes: [NetlinkChange<Route>]) throws(NetlinkError) {
        try socket.apply(changes.map(\.request))
    }

    /// Routes of a family, optionally only those of one table and/or protocol.
    public func routes(
        family: UInt8 = AddressFamily.inet, table: UInt32? = nil, protocol: UInt8? = nil
    )
        throws(NetlinkError) -> [Route]
    {
        try decodeAll(socket.dump(RouteRequest.dump(family: family)), type: NetlinkMessageType.newRoute) {
            (message) throws(NetlinkDecodingError) -> Route? in
            let route = try Route(decoding: message)
            guard table == nil || route.table == table, `protocol` == nil || route.protocol == `protocol` else {
                return nil
            }
            return route
        }
    }

    /// Deletes every route matching the filter (`ip route flush table T proto P`); returns how many went.
    @discardableResult
    public func flush(
        family: UInt8 = AddressFamily.inet, table: UInt32? = nil, protocol: UInt8? = nil
    )
        throws(NetlinkError) -> Int
    {
        let doomed = try routes(family: family, table: table, protocol: `protocol`)
        // A route can vanish between the dump and the delete (its device went): that is the goal anyway.
        let failures = try socket.executeBatch(doomed.map(RouteRequest.delete)).filter { $0.errno != ESRCH }
        if !failures.isEmpty { throw .batch(failures: failures, total: doomed.count) }
        return doomed.count
    }
}

/// Policy-routing rules (`ip rule add iif <dev> lookup <table> pref <n>`).
public struct RuleOps: Sendable {
    public let socket: NetlinkSocket

    public init(socket: NetlinkSocket) { self.socket = socket }

    public func add(_ rules: [Rule]) throws(NetlinkError) {
        var requests: [NetlinkRequest] = []
        for rule in rules { requests.append(try RuleRequest.add(rule)) }
        try socket.apply(requests)
    }

    public func delete(_ rules: [Rule]) throws(NetlinkError) {
        try socket.apply(rules.map(RuleRequest.delete))
    }

    public func rules(family: UInt8 = AddressFamily.inet) throws(NetlinkError) -> [Rule] {
        try decodeAll(socket.dump(RuleRequest.dump(family: family)), type: NetlinkMessageType.newRule) {
            (message) throws(NetlinkDecodingError) in try Rule(decoding: message)
        }
    }
}

/// Interface addresses (`ip addr add|del`).
public struct AddressOps: Sendable {
    public let socket: NetlinkSocket

    public init(socket: NetlinkSocket) { self.socket = socket }

    public func apply(_ changes: [NetlinkChange<InterfaceAddress>]) throws(NetlinkError) {
        try socket.apply(changes.map(\.request))
    }

    public func addresses(
        family: UInt8 = AddressFamily.unspec, deviceIndex: Int32? = nil
    ) throws(NetlinkError)
        -> [InterfaceAddress]
    {
        try decodeAll(socket.dump(AddressRequest.dump(family: family)), type: NetlinkMessageType.newAddr) {
            (message) throws(NetlinkDecodingError) -> InterfaceAddress? in
            let address = try InterfaceAddress(decoding: message)
            return deviceIndex == nil || address.deviceIndex == deviceIndex ? address : nil
        }
    }
}

/// Everything on one socket: `let netlink = try Netlink(namespaceNamed: "ns")`, then `netlink.links...`.
public struct Netlink: Sendable {
    public let socket: NetlinkSocket
    public var links: LinkOps { LinkOps(socket: socket) }
    public var fdb: FDBOps { FDBOps(socket: socket) }
    public var neighbors: NeighborOps { NeighborOps(socket: socket) }
    public var routes: RouteOps { RouteOps(socket: socket) }
    public var rules: RuleOps { RuleOps(socket: socket) }
    public var addresses: AddressOps { AddressOps(socket: socket) }

    public init(socket: NetlinkSocket) { self.socket = socket }

    /// A socket in the caller's namespace, or in `namespace`.
    public init(namespace: NetworkNamespace? = nil) throws(NetlinkError) {
        socket = try NetlinkSocket(namespace: namespace)
    }

    public init(namespaceNamed name: String) throws(NetlinkError) {
        socket = try NetlinkSocket(namespaceNamed: name)
    }
}
