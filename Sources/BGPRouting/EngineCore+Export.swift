import BGPWire

/// Adj-RIB-Out maintenance: which best paths go to which peer, with which attributes (RFC 4271 §9.1.3, RFC 4456
/// §6, RFC 4684 §4).
extension EngineCore {
    /// Brings group `g`'s entry for `net` in line with the current best path. `priorPeer` is the peer the best path
    /// came from before the change being applied (-1 for none), `resend` asks for the route to go out again.
    @inline(__always)
    mutating func exportNet<K: FamilyKey>(
        _ rib: inout FamilyRIB<K>, _ net: Int32, group g: Int, priorPeer: Int32, resend: Bool
    ) {
        let best = rib.nets[Int(net)].best
        var desired: UInt32 = 0
        var peer: Int32 = -1
        if best >= 0 {
            let path = rib.paths[best]
            desired = exportValue(rib.family, path, to: rib.groups[g].policy)
            peer = path.source.peerSlot.map(Int32.init) ?? -1
        }
        setAdjOut(&rib, net, g, desired, resend: resend, priorPeer: priorPeer, sourceChanged: peer != priorPeer)
    }

    /// Sets the entry to `desired` (handle + 1, or 0), which brings one reference with it.
    @inline(__always)
    mutating func setAdjOut<K: FamilyKey>(
        _ rib: inout FamilyRIB<K>, _ net: Int32, _ g: Int, _ desired: UInt32, resend: Bool, priorPeer: Int32,
        sourceChanged: Bool
    ) {
        if rib.groups[g].entries.count <= Int(net) {
            // A quarter more at a time, so that new keys do not extend it one slot at a time, and at most a quarter
            // of it is slack (4 octets per key and group).
            let count = rib.groups[g].entries.count
            rib.groups[g].entries.append(
                contentsOf: repeatElement(0, count: max(Int(net) + 1, rib.nets.count, count + count / 4 + 64) - count))
        }
        let raw = rib.groups[g].entries[Int(net)]
        let current = raw & AdjRIBOut.valueMask
        let resend = resend && desired != 0
        // The same entry from another member's route is still a change for the two members concerned.
        if current == desired && !resend && (desired == 0 || !sourceChanged) {
            if desired != 0 { attributes.release(AttributeTable.Handle(desired - 1)) }
            return
        }
        if raw & AdjRIBOut.dirtyBit == 0 {
            // The first change in this event: the record keeps the reference to what is on the wire.
            rib.groups[g].dirty.append(
                AdjRIBOut.Dirty(net: net, prior: current, priorPeer: current == 0 ? -1 : priorPeer))
            hasDirtyGroups = true
        } else if current != 0 {
            attributes.release(AttributeTable.Handle(current - 1))
        }
        var value = desired | AdjRIBOut.dirtyBit
        if resend || raw & AdjRIBOut.resendBit != 0 { value |= AdjRIBOut.resendBit }
        rib.groups[g].entries[Int(net)] = value
    }

    /// The attributes `path` is sent with to the peers of `policy`, as handle + 1 holding one reference; 0 when it
    /// is not sent. The peer the path came from gets nothing whatever this says (``AdjRIBOut``).
    @inline(__always)
    mutating func exportValue<P>(_ family: AddressFamily, _ path: StoredPath<P>, to policy: ExportPolicy) -> UInt32 {
        let source = path.source
        let summary = attributes.summary(path.attributes)
        let toExternal = !policy.isInternal
        // RFC 1997: NO_ADVERTISE to no peer, NO_EXPORT (and NO_EXPORT_SUBCONFED) to no external peer.
        if summary.noAdvertise || (toExternal && summary.noExport) { return 0 }
        let transform: OutboundTransform
        if toExternal {
            transform = .external(nextHop: policy.nextHopSelf, keepMED: !source.isPeer)
        } else if let from = source.peerSlot, let origin = peers[from], origin.info.isInternal {
            // RFC 4271 §9.2: routes from internal peers are not sent to internal peers, unless we reflect
            // (RFC 4456 §6): from a client to everyone, from a non-client to clients only.
            guard configuration.isRouteReflector,
                origin.info.isRouteReflectorClient || policy.isRouteReflectorClient
            else { return 0 }
            transform = .reflect(originator: origin.info.routerID)
        } else {
            transform = .internal
        }
        // RFC 4684 §4: a VPN route goes to an RT Constraint peer only if one of its route targets matches a
        // membership route the peer sent. Peers without the capability get everything.
        if let membership = policy.membership, !membership.admits(summary.routeTargets) { return 0 }
        return transformed(path.attributes, transform) + 1
    }

    /// The handle of `input` after `transform`, with one reference for the caller. Results are cached by input
    /// handle and generation, so a reused handle never hits a stale entry.
    mutating func transformed(_ input: UInt32, _ transform: OutboundTransform) -> UInt32 {
        let key = ExportKey(input: input, generation: attributes.generation(input), transform: transform)
        if let last = lastExport, last.key == key, attributes.generation(last.value.output) == last.value.generation {
            attributes.retain(AttributeTable.Handle(last.value.output))
            return last.value.output
        }
        if let v = exportCache[key], attributes.generation(v.output) == v.generation,
            attributes.referenceCount(AttributeTable.Handle(v.output)) > 0
        {
            attributes.retain(AttributeTable.Handle(v.output))
            lastExport = (key, v)
            return v.output
        }
        let output = attributes.intern(transform.apply(to: attributes.set(input), configuration)).index
        let value = ExportValue(output: output, generation: attributes.generation(output))
        exportCache[key] = value
        lastExport = (key, value)
        if exportCache.count > 2 * attributes.count + 1024 { purgeExportCache() }
        return output
    }

    /// Drops cache entries whose input or output set was freed.
    mutating func purgeExportCache() {
        let table = attributes
        exportCache = exportCache.filter { key, value in
            table.generation(key.input) == key.generation && table.generation(value.output) == value.generation
                && table.referenceCount(AttributeTable.Handle(key.input)) > 0
                && table.referenceCount(AttributeTable.Handle(value.output)) > 0
        }
    }

    /// Brings what peer `slot` is sent in line with its current policy: when it starts getting the family (the
    /// initial dump), and when its RT membership or session changed. The peer gets a group of its own for this
    /// event, copied from the group it was in (what it was sent) or empty (nothing sent yet), which is then
    /// re-evaluated for every key: the changes are its UPDATEs alone. At the end of the event it joins a group with
    /// the same policy if there is one (``mergeGroups(_:)``).
    mutating func reconcilePeer<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ slot: Int) {
        let policy = exportPolicy(rib.family, slot)
        var g = rib.group(of: slot)
        if g >= 0, rib.groups[g].members.count > 1 {
            let copy = copyGroup(&rib, g)
            rib.groups[g].members.removeAll { $0 == slot }
            g = copy
            rib.groups[g].members = [slot]
            rib.setGroup(slot, g)
        } else if g < 0 {
            g = newGroup(&rib, policy)
            rib.groups[g].members = [slot]
            rib.setGroup(slot, g)
        }
        rib.groups[g].policy = policy
        rib.refreshExportGroups()
        rib.needsMerge = true
        needsGroupMerge = true
        for i in rib.nets.indices where rib.nets[i].best >= 0 {
            let source = rib.paths[rib.nets[i].best].source.peerSlot.map(Int32.init) ?? -1
            exportNet(&rib, Int32(i), group: g, priorPeer: source, resend: false)
        }
    }

    /// A free group slot, or a new one, with `policy` and nothing sent.
    mutating func newGroup<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ policy: ExportPolicy) -> Int {
        if let free = rib.groups.firstIndex(where: { $0.members.isEmpty }) {
            rib.groups[free] = AdjRIBOut(policy: policy)
            return free
        }
        rib.groups.append(AdjRIBOut(policy: policy))
        return rib.groups.count - 1
    }

    /// A new group, without members, holding what group `g` holds (pending changes included), with its own
    /// references.
    mutating func copyGroup<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ g: Int) -> Int {
        let n = newGroup(&rib, rib.groups[g].policy)
        var copy = rib.groups[g]
        copy.members = []
        for raw in copy.entries where raw & AdjRIBOut.valueMask != 0 {
            attributes.retain(AttributeTable.Handle((raw & AdjRIBOut.valueMask) - 1))
        }
        for d in copy.dirty where d.prior != 0 { attributes.retain(AttributeTable.Handle(d.prior - 1)) }
        rib.groups[n] = copy
        return n
    }

    /// Peer `slot` no longer gets this family (its session is gone, or the family is held back): it leaves its
    /// group, and a group left empty is forgotten, dropping its references.
    mutating func leaveGroup<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ slot: Int) {
        let g = rib.group(of: slot)
        guard g >= 0 else { return }
        rib.groupOf[slot] = -1
        rib.groups[g].members.removeAll { $0 == slot }
        if rib.groups[g].members.isEmpty { clearGroup(&rib, g) }
        rib.refreshExportGroups()
    }

    mutating func clearGroup<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ g: Int) {
        let out = rib.groups[g]
        rib.groups[g] = AdjRIBOut(policy: out.policy)
        for raw in out.entries where raw & AdjRIBOut.valueMask != 0 {
            attributes.release(AttributeTable.Handle((raw & AdjRIBOut.valueMask) - 1))
        }
        for d in out.dirty where d.prior != 0 { attributes.release(AttributeTable.Handle(d.prior - 1)) }
    }

    /// Joins groups with equal policies, once their UPDATEs are built. Their entries are then equal: both are the
    /// export of the same best paths under the same policy, and attribute sets are interned.
    mutating func mergeGroups<K: FamilyKey>(_ rib: inout FamilyRIB<K>) {
        guard rib.needsMerge else { return }
        rib.needsMerge = false
        let active = rib.exportGroups
        for (i, a) in active.enumerated() where !rib.groups[a].members.isEmpty {
            for b in active[(i + 1)...] where !rib.groups[b].members.isEmpty {
                guard rib.groups[a].policy == rib.groups[b].policy else { continue }
                assert(Self.sameEntries(rib.groups[a].entries, rib.groups[b].entries), "groups diverged")
                for slot in rib.groups[b].members { rib.setGroup(slot, a) }
                rib.groups[a].members = (rib.groups[a].members + rib.groups[b].members).sorted()
                rib.groups[b].members = []
                clearGroup(&rib, b)
            }
        }
        rib.refreshExportGroups()
    }

    /// Equal up to the shorter one, zero past it (arrays grow as keys are set).
    static func sameEntries(_ a: [UInt32], _ b: [UInt32]) -> Bool {
        let n = min(a.count, b.count)
        return a[..<n] == b[..<n] && a[n...].allSatisfy { $0 == 0 } && b[n...].allSatisfy { $0 == 0 }
    }
}
