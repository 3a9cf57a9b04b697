#if canImport(Glibc)
import Glibc
#endif

/// Link operations the dataplane drivers need (bagpipe §5.6: bridge + VXLAN device per EVI; §5.3: ports).
public struct LinkOps: Sendable {
    public let socket: NetlinkSocket

    public init(socket: NetlinkSocket) { self.socket = socket }

    /// All links (RTM_GETLINK dump), for start-up reconciliation.
    public func list() throws(NetlinkError) -> [Link] {
        try decodeAll(socket.dump(LinkRequest.get(nil)), type: NetlinkMessageType.newLink) {
            (message) throws(NetlinkDecodingError) in try Link(decoding: message)
        }
    }

    /// The link with this name or index, or nil if there is none (ENODEV).
    public func link(_ reference: LinkReference) throws(NetlinkError) -> Link? {
        do throws(NetlinkError) {
            let links = try decodeAll(socket.query(LinkRequest.get(reference)), type: NetlinkMessageType.newLink) {
                (message) throws(NetlinkDecodingError) in try Link(decoding: message)
            }
            return links.first
        } catch let error where error.requestErrno == ENODEV {
            return nil
        }
    }

    public func index(of name: String) throws(NetlinkError) -> Int32 {
        guard let link = try link(.name(name)) else { throw .linkNotFound(name) }
        return link.index
    }

    /// The bridge `name`, created (forward delay 0, STP off, as bagpipe's `brctl setfd 0` / `stp off`) if absent,
    /// and brought up. A non-bridge link of that name is an error and is left alone.
    @discardableResult
    public func ensureBridge(named name: String, up: Bool = true) throws(NetlinkError) -> Link {
        if let existing = try link(.name(name)) {
            guard case .bridge = existing.kind else {
                throw .linkConflict(name: name, reason: "exists with kind \(existing.kind.name ?? "none"), not bridge")
            }
            if up, !existing.isUp { try socket.execute(LinkRequest.set(.index(existing.index), LinkChanges(up: true))) }
            return try require(.index(existing.index), name)
        }
        try socket.execute(LinkRequest.create(name: name, kind: .bridge(), up: up))
        return try require(.name(name), name)
    }

    /// The VXLAN device `name` with these options: reused if it already matches, re-created if it is a VXLAN
    /// device with other settings (as the original deletes a stale `vxlan--` device first, §5.6), an error if
    /// the name belongs to another kind of link. Optionally enslaved to `masterIndex`, and brought up.
    @discardableResult
    public func ensureVXLAN(
        named name: String, _ options: VXLANOptions, masterIndex: Int32? = nil, up: Bool = true
    ) throws(NetlinkError) -> Link {
        if let existing = try link(.name(name)) {
            guard let current = existing.vxlan else {
                throw .linkConflict(name: name, reason: "exists with kind \(existing.kind.name ?? "none"), not vxlan")
            }
            if Self.matches(current, options) {
                var changes = LinkChanges()
                if up, !existing.isUp { changes.up = true }
                if let masterIndex, existing.masterIndex != masterIndex { changes.master = .some(masterIndex) }
                if changes != LinkChanges() { try socket.execute(LinkRequest.set(.index(existing.index), changes)) }
                return try require(.index(existing.index), name)
            }
            try socket.execute(LinkRequest.delete(.index(existing.index)))
        }
        try socket.execute(LinkRequest.create(name: name, kind: .vxlan(options), masterIndex: masterIndex, up: up))
        return try require(.name(name), name)
    }

    /// Fields left nil in `wanted` accept whatever the device has.
    static func matches(_ current: VXLANOptions, _ wanted: VXLANOptions) -> Bool {
        current.vni == wanted.vni && current.learning == wanted.learning && current.proxy == wanted.proxy
            && (wanted.local == nil || current.local == wanted.local)
            && (wanted.port == nil || current.port == wanted.port)
            && (wanted.underlayIndex == nil || current.underlayIndex == wanted.underlayIndex)
            && (wanted.ttl == nil || current.ttl == wanted.ttl)
    }

    /// `ip link add <name> type veth peer name <peerName> [netns <ns>]`.
    public func createVethPair(
        name: String, peerName: String, peerNamespace: NetworkNamespace? = nil, up: Bool = false
    ) throws(NetlinkError) {
        try socket.execute(
            LinkRequest.create(name: name, kind: .veth(peerName: peerName, peerNamespace: peerNamespace), up: up))
    }

    public func create(name: String, kind: LinkKind, up: Bool = false) throws(NetlinkError) {
        try socket.execute(LinkRequest.create(name: name, kind: kind, up: up))
    }

    /// `ip link set`; a rename of a link given by name first looks its index up, as `ip` does.
    public func set(_ link: LinkReference, _ changes: LinkChanges) throws(NetlinkError) {
        var link = link
        if case .name(let name) = link, changes.newName != nil { link = .index(try index(of: name)) }
        try socket.execute(LinkRequest.set(link, changes))
    }

    /// `ip link set <port> master <bridge>` (`brctl addif`).
    public func enslave(_ port: LinkReference, toMaster masterIndex: Int32) throws(NetlinkError) {
        try set(port, LinkChanges(master: .some(masterIndex)))
    }

    /// `ip link set <port> nomaster` (`brctl delif`).
    public func release(_ port: LinkReference) throws(NetlinkError) {
        try set(port, LinkChanges(master: .some(nil)))
    }

    public func setUp(_ link: LinkReference, _ up: Bool) throws(NetlinkError) {
        try set(link, LinkChanges(up: up))
    }

    /// `bridge link set dev <port> learning on|off neigh_suppress on|off`.
    public func setBridgePort(
        index: Int32, learning: Bool? = nil, neighborSuppression: Bool? = nil
    )
        throws(NetlinkError)
    {
        try socket.execute(
            LinkRequest.setBridgePort(index: index, learning: learning, neighborSuppression: neighborSuppression))
    }

    public func delete(_ link: LinkReference) throws(NetlinkError) {
        try socket.execute(LinkRequest.delete(link))
    }

    /// Deletes the link if it exists; returns whether it did.
    @discardableResult
    public func deleteIfPresent(_ link: LinkReference) throws(NetlinkError) -> Bool {
        do throws(NetlinkError) {
            try delete(link)
            return true
        } catch let error where error.requestErrno == ENODEV {
            return false
        }
    }

    /// Links enslaved to `masterIndex` (the ports of a bridge).
    public func ports(ofMaster masterIndex: Int32) throws(NetlinkError) -> [Link] {
        try list().filter { $0.masterIndex == masterIndex }
    }

    private func require(_ reference: LinkReference, _ name: String) throws(NetlinkError) -> Link {
        guard let link = try link(reference) else { throw .linkNotFound(name) }
        return link
    }
}
