import BGPWire

/// A BGP peer as the engine tracks it. The slot outlives the session while the peer's routes are kept stale.
struct PeerState: Sendable {
    var info: PeerInfo
    var isUp: Bool
    /// From the RT membership routes the peer sent (RFC 4684 §4).
    var membership = RTCMembership()
    /// Families held back until the peer's RT membership End-of-RIB (RFC 4684 §6).
    var heldFamilies: Set<AddressFamily> = []
    /// Paths from this peer in all tables.
    var pathCount = 0
}

/// A VPN instance: what it imports, and what it exports.
struct SubscriberState: Sendable {
    var id: SubscriberID
    var multipath = false
    /// Raw route target communities imported, per family.
    var routeTargets: [AddressFamily: Set<UInt64>] = [:]
    var localRoutes: Set<RouteKey> = []
}

struct FamilyRouteTarget: Hashable, Sendable {
    var family: AddressFamily
    var routeTarget: UInt64
}

/// Counters for the looking glass.
public struct EngineStatistics: Hashable, Sendable {
    /// Announcements ignored because they looped: our ORIGINATOR_ID or CLUSTER_ID (RFC 4456 §8), or our AS in
    /// the AS_PATH of an external route (RFC 4271 §9.1.2).
    public var loopedAnnouncements = 0
    /// Routes not sent because one NLRI with its attributes exceeds the peer's maximum message length
    /// (RFC 4271 §9.2: such a route is not advertised).
    public var oversizedRoutes = 0
    public var updatesSent = 0

    public init() {}
}

/// Everything the engine owns except the per-family tables, so that generic table operations can take both
/// `inout` (they are separate stored properties of ``RoutingEngine``).
struct EngineCore: Sendable {
    var configuration: EngineConfiguration
    var attributes = AttributeTable()
    var peers: [PeerState?] = []
    var peerSlots: [PeerID: Int] = [:]
    var subscribers: [SubscriberState?] = []
    var subscriberSlots: [SubscriberID: Int] = [:]
    /// Subscriber slots per (family, route target), ascending.
    var subscriptions: [FamilyRouteTarget: [Int]] = [:]
    var familySubscriptionCounts: [AddressFamily: Int] = [:]
    /// Subscriptions per route target in the RT Constraint families: the RT membership route exists while > 0.
    var rtcImporters: [UInt64: Int] = [:]
    var exportCache: [ExportKey: ExportValue] = [:]
    var lastExport: (key: ExportKey, value: ExportValue)?
    var statistics = EngineStatistics()

    // Output of the event being processed.
    var effects: [EngineEffect] = []
    var deliveries: [Int: [RouteChange]] = [:]
    var deliveryOrder: [Int] = []
    var endOfRIBPending: [Int: [AddressFamily]] = [:]
    var membershipChangedPeers: [Int] = []
    /// UPDATEs built for this event, by peer slot, in family order.
    var outbound: [Int: [UpdateMessage]] = [:]
    /// Some update group has changes recorded in this event.
    var hasDirtyGroups = false
    /// Some peer got a group of its own in this event (``reconcilePeer(_:_:)``): merge at its end.
    var needsGroupMerge = false
    /// Some table has keys left without paths, to free at the end of the event.
    var hasEmptied = false
    /// Per family, the last drain of this event (``DrainMemo``); emptied when the event ends.
    var drainMemo: [AddressFamily: DrainMemo] = [:]

    init(configuration: EngineConfiguration) { self.configuration = configuration }

    func newRIB<K: FamilyKey>(_ family: AddressFamily) -> FamilyRIB<K> {
        var rib = FamilyRIB<K>(family: family)
        rib.hasSubscribers = familySubscriptionCounts[family, default: 0] > 0
        return rib
    }

    /// Peers that get `family` now, ascending.
    func exportTargets(_ family: AddressFamily) -> [Int] {
        peers.indices.filter { i in
            guard let p = peers[i], p.isUp else { return false }
            return p.info.families.contains(family) && !p.heldFamilies.contains(family)
        }
    }

    func publicSource(_ s: SourceRef) -> RouteSource {
        if let slot = s.peerSlot { return .peer(peers[slot]!.info.id) }
        if let slot = s.subscriberSlot { return .local(subscribers[slot]!.id) }
        return .originated
    }

    mutating func deliver(_ subscriber: Int, _ change: RouteChange) {
        if deliveries[subscriber] == nil { deliveryOrder.append(subscriber) }
        deliveries[subscriber, default: []].append(change)
    }

    mutating func countPath(_ source: SourceRef, _ delta: Int) {
        if let slot = source.peerSlot { peers[slot]!.pathCount += delta }
    }

    mutating func membershipChanged(_ slot: Int) {
        if !membershipChangedPeers.contains(slot) { membershipChangedPeers.append(slot) }
    }
}

/// The exported value of a best path: its identity as far as the wire and the export rules are concerned.
struct BestSnapshot<Payload: Hashable & Sendable>: Equatable {
    var source: SourceRef
    var attributes: UInt32
    var payload: Payload
}

// MARK: - Paths and best path

extension EngineCore {
    func snapshot<K: FamilyKey>(_ rib: FamilyRIB<K>, _ net: Int32) -> BestSnapshot<K.Payload>? {
        let b = rib.nets[Int(net)].best
        guard b >= 0 else { return nil }
        let p = rib.paths[b]
        return BestSnapshot(source: p.source, attributes: p.attributes, payload: p.payload)
    }

    /// Adds or replaces the path of `source` with `pathID` under `key`. Takes over one reference on `handle`.
    @inline(__always)
    mutating func upsert<K: FamilyKey>(
        _ rib: inout FamilyRIB<K>, key: K, pathID: UInt32?, payload: K.Payload, source: SourceRef, handle: UInt32
    ) {
        let net = rib.slot(for: key)
        let flags: UInt8 = pathID == nil ? 0 : StoredPath<K.Payload>.hasPathID
        let pid = pathID ?? 0
        var p = rib.nets[Int(net)].head
        while p >= 0 {
            let path = rib.paths[p]
            if path.source == source, path.pathID == pid, path.flags & StoredPath<K.Payload>.hasPathID == flags {
                break
            }
            p = path.next
        }
        let before = snapshot(rib, net)
        var replaced: UInt32?
        if p >= 0 {
            let old = rib.paths[p]
            rib.paths[p].flags = flags
            if old.attributes == handle, old.payload == payload {
                // The same route again (a graceful restart re-announcement): only its staleness changes.
                attributes.release(AttributeTable.Handle(handle))
                return
            }
            rib.paths[p].attributes = handle
            rib.paths[p].payload = payload
            replaced = old.attributes
        } else {
            let path = StoredPath(
                next: rib.nets[Int(net)].head, source: source, attributes: handle, pathID: pid, payload: payload,
                flags: flags)
            rib.nets[Int(net)].head = rib.paths.allocate(path)
            countPath(source, 1)
            if let m = key.membership, let slot = source.peerSlot {
                peers[slot]!.membership.add(m)
                membershipChanged(slot)
            }
        }
        netChanged(&rib, net, before: before, removed: replaced.map { [$0] } ?? [])
        if let replaced { attributes.release(AttributeTable.Handle(replaced)) }
    }

    /// Removes the path of `source` with `pathID` under `key`, if there is one.
    mutating func remove<K: FamilyKey>(_ rib: inout FamilyRIB<K>, key: K, pathID: UInt32?, source: SourceRef) {
        guard let net = rib.index.find(key) else { return }
        let flags: UInt8 = pathID == nil ? 0 : StoredPath<K.Payload>.hasPathID
        let pid = pathID ?? 0
        removePaths(&rib, net) { path in
            path.source == source && path.pathID == pid && path.flags & StoredPath<K.Payload>.hasPathID == flags
        }
    }

    /// Removes every path of `net` that `matches`, then runs the decision once.
    mutating func removePaths<K: FamilyKey>(
        _ rib: inout FamilyRIB<K>, _ net: Int32, where matches: (StoredPath<K.Payload>) -> Bool
    ) {
        let before = snapshot(rib, net)
        var removed: [UInt32] = []
        var prev: Int32 = -1
        var p = rib.nets[Int(net)].head
        while p >= 0 {
            let path = rib.paths[p]
            if matches(path) {
                if prev >= 0 { rib.paths[prev].next = path.next } else { rib.nets[Int(net)].head = path.next }
                rib.paths.free(p)
                removed.append(path.attributes)
                countPath(path.source, -1)
                if let m = rib.index.keys[Int(net)].membership, let slot = path.source.peerSlot {
                    peers[slot]!.membership.remove(m)
                    membershipChanged(slot)
                }
            } else {
                prev = p
            }
            p = path.next
        }
        guard !removed.isEmpty else { return }
        netChanged(&rib, net, before: before, removed: removed)
        for h in removed { attributes.release(AttributeTable.Handle(h)) }
    }

    /// Re-runs the decision for `net` and passes the outcome on: to peers when the best path changed, to the VPN
    /// instances whose view of the key changed. `removed` are attribute sets of paths just replaced or removed,
    /// still referenced: they tell which subscribers may have held the key.
    mutating func netChanged<K: FamilyKey>(
        _ rib: inout FamilyRIB<K>, _ net: Int32, before: BestSnapshot<K.Payload>?, removed: [UInt32]
    ) {
        let (best, reason) = decide(rib, net)
        rib.nets[Int(net)].best = best
        rib.nets[Int(net)].reason = reason
        let after = snapshot(rib, net)
        if before != after {
            let payloadChanged = before != nil && after != nil && before!.payload != after!.payload
            let priorPeer = before?.source.peerSlot.map(Int32.init) ?? -1
            for g in rib.exportGroups { exportNet(&rib, net, group: g, priorPeer: priorPeer, resend: payloadChanged) }
        }
        if rib.hasSubscribers { reconcileSubscribers(&rib, net, removed: removed) }
        if rib.nets[Int(net)].head == -1 {
            rib.emptied.append(net)
            hasEmptied = true
        }
    }

    /// The best path of `net` and why (RFC 4271 §9.1.2).
    func decide<K: FamilyKey>(_ rib: FamilyRIB<K>, _ net: Int32) -> (Int32, BestPathReason) {
        let head = rib.nets[Int(net)].head
        guard head >= 0 else { return (-1, .onlyPath) }
        let first = rib.paths[head]
        if first.next < 0 {
            // One path: nothing to compare, only the next hop to check.
            if let hook = configuration.igpCost, hook(attributes.set(first.attributes).nextHop) == nil {
                return (-1, .onlyPath)
            }
            return (head, .onlyPath)
        }
        let indexes = rib.pathIndexes(net)
        guard let d = BestPathSelection.select(indexes.map { candidate(rib.paths[$0]) }) else { return (-1, .onlyPath) }
        return (indexes[d.best], d.reason)
    }

    func candidate<P>(_ path: StoredPath<P>) -> PathCandidate {
        let set = attributes.set(path.attributes)
        let s = set.summary
        var c = PathCandidate(
            localPreference: s.localPreference ?? configuration.defaultLocalPreference,
            asPathLength: s.asPathLength, origin: PathAttribute.Origin(rawValue: s.origin) ?? .incomplete,
            med: s.med ?? 0, neighborAS: s.neighborAS,
            igpCost: configuration.igpCost.map { $0(set.nextHop) } ?? 0,
            clusterListLength: s.clusterList.count,
            tieBreaker: UInt64(path.pathID) << 32 | UInt64(path.source.rawValue))
        if let slot = path.source.peerSlot, let peer = peers[slot] {
            c.isExternal = !peer.info.isInternal
            c.routerID = s.originatorID ?? peer.info.routerID
            c.peerAddress = peer.info.address
        } else {
            c.isLocal = true
            c.routerID = configuration.routerID
        }
        return c
    }

    /// The public form of a stored path.
    func route<K: FamilyKey>(_ rib: FamilyRIB<K>, _ net: Int32, _ p: Int32, attributes handle: UInt32? = nil) -> Route {
        let path = rib.paths[p]
        let key = rib.index.keys[Int(net)]
        return Route(
            family: rib.family, nlri: K.routeNLRI(key.announcement(path.payload, pathID: path.pathIdentifier)),
            attributes: attributes.set(handle ?? path.attributes), source: publicSource(path.source))
    }
}
