import BGPWire

// The engine's operations that touch one family's table, each written once for all key types.

/// Announces (with `handle`, whose reference the visitor does not take) or withdraws (`handle` nil) the routes of
/// `list` for `source`.
struct ReceiveVisitor: RIBVisitor {
    var list: NLRIList
    var source: SourceRef
    var handle: UInt32?

    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        guard let wires = K.wires(in: list) else { return }
        if let handle {
            for w in wires {
                let (key, pathID, payload) = K.split(w)
                core.attributes.retain(AttributeTable.Handle(handle))
                core.upsert(&rib, key: key, pathID: pathID, payload: payload, source: source, handle: handle)
            }
        } else {
            for w in wires {
                let (key, pathID, _) = K.split(w)
                core.remove(&rib, key: key, pathID: pathID, source: source)
            }
        }
    }
}

/// One local or originated route: announced from `nlri` with `handle`, or withdrawn by `key`.
struct LocalRouteVisitor: RIBVisitor {
    var nlri: RouteNLRI?
    var key: RouteKey?
    var source: SourceRef
    var handle: UInt32?
    var accepted = false

    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        if let nlri, let handle, let wire = K.wire(nlri) {
            let (key, pathID, payload) = K.split(wire)
            core.attributes.retain(AttributeTable.Handle(handle))
            core.upsert(&rib, key: key, pathID: pathID, payload: payload, source: source, handle: handle)
            accepted = true
        } else if let key, let k = K(identity: key.identity) {
            core.remove(&rib, key: k, pathID: key.pathID, source: source)
        }
    }
}

/// Initial dump to a peer, and re-evaluation after its RT membership changed.
struct ReconcilePeerVisitor: RIBVisitor {
    var slot: Int
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        core.reconcilePeer(&rib, slot)
    }
}

/// A session went down: its Adj-RIB-Out is forgotten and its routes removed, or kept stale for the families of
/// a graceful restart (RFC 4724 §4.2).
struct DropPeerVisitor: RIBVisitor {
    var slot: Int
    var retaining: Set<AddressFamily>

    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        core.leaveGroup(&rib, slot)
        let source = SourceRef.peer(slot)
        let keep = retaining.contains(rib.family)
        for i in rib.nets.indices where rib.nets[i].head >= 0 {
            var p = rib.nets[i].head
            var found = false
            while p >= 0 {
                if rib.paths[p].source == source {
                    found = true
                    if keep { rib.paths[p].flags |= StoredPath<K.Payload>.stale }
                }
                p = rib.paths[p].next
            }
            if found, !keep { core.removePaths(&rib, Int32(i)) { $0.source == source } }
        }
    }
}

/// Marks the peer's paths stale, or removes those still stale.
struct StaleVisitor: RIBVisitor {
    var slot: Int
    var mark: Bool

    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        let source = SourceRef.peer(slot)
        for i in rib.nets.indices where rib.nets[i].head >= 0 {
            var p = rib.nets[i].head
            var sweep = false
            while p >= 0 {
                if rib.paths[p].source == source {
                    if mark {
                        rib.paths[p].flags |= StoredPath<K.Payload>.stale
                    } else if rib.paths[p].isStale {
                        sweep = true
                    }
                }
                p = rib.paths[p].next
            }
            if sweep { core.removePaths(&rib, Int32(i)) { $0.source == source && $0.isStale } }
        }
    }
}

struct RefreshTargetsVisitor: RIBVisitor {
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        // Peers that no longer get the family leave their group; those that start getting it join through
        // ``ReconcilePeerVisitor``.
        let targets = Set(core.exportTargets(rib.family))
        for g in rib.exportGroups {
            for slot in rib.groups[g].members where !targets.contains(slot) { core.leaveGroup(&rib, slot) }
        }
        rib.hasSubscribers = core.familySubscriptionCounts[rib.family, default: 0] > 0
    }
}

struct ReplayVisitor: RIBVisitor {
    var slot: Int
    var routeTarget: UInt64
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        core.replay(&rib, slot, routeTarget)
    }
}

struct ReconcileDeliveredVisitor: RIBVisitor {
    var slot: Int
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        core.reconcileDelivered(&rib, slot)
    }
}

/// The UPDATEs of the event for every update group, into ``EngineCore/outbound``.
struct DrainVisitor: RIBVisitor {
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        core.drainGroups(&rib)
    }
}

/// Joins update groups with equal policies once the event's UPDATEs are built.
struct MergeGroupsVisitor: RIBVisitor {
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        core.mergeGroups(&rib)
    }
}

struct RefreshVisitor: RIBVisitor {
    var slot: Int
    var peer: PeerInfo
    var messages: [UpdateMessage] = []
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        messages = core.refresh(&rib, slot, peer)
    }
}

struct FreeEmptiedVisitor: RIBVisitor {
    mutating func visit<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ core: inout EngineCore) {
        rib.freeEmptied()
    }
}
