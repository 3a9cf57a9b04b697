import BGPWire

/// Adj-RIB-Out maintenance: which best paths go to which peer, with which attributes (RFC 4271 §9.1.3, RFC 4456
/// §6, RFC 4684 §4).
extension EngineCore {
    /// Brings peer `slot`'s Adj-RIB-Out entry for `net` in line with the current best path.
    @inline(__always)
    mutating func exportNet<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ net: Int32, to slot: Int, resend: Bool) {
        let best = rib.nets[Int(net)].best
        let desired = best >= 0 ? exportValue(rib.family, rib.paths[best], to: slot) : 0
        setAdjOut(&rib, net, slot, desired, resend: resend)
    }

    /// Sets the entry to `desired` (handle + 1, or 0), which brings one reference with it.
    @inline(__always)
    mutating func setAdjOut<K: FamilyKey>(
        _ rib: inout FamilyRIB<K>, _ net: Int32, _ slot: Int, _ desired: UInt32, resend: Bool
    ) {
        if rib.adjOut[slot].entries.count <= Int(net) {
            // A quarter more at a time, so that new keys do not extend it one slot at a time, and at most a quarter
            // of it is slack (4 octets per key and peer).
            let count = rib.adjOut[slot].entries.count
            rib.adjOut[slot].entries.append(
                contentsOf: repeatElement(0, count: max(Int(net) + 1, rib.nets.count, count + count / 4 + 64) - count))
        }
        let raw = rib.adjOut[slot].entries[Int(net)]
        let current = raw & AdjRIBOut.valueMask
        let resend = resend && desired != 0
        if current == desired && !resend {
            if desired != 0 { attributes.release(AttributeTable.Handle(desired - 1)) }
            return
        }
        if raw & AdjRIBOut.dirtyBit == 0 {
            // The first change in this event: the record keeps the reference to what is on the wire.
            rib.adjOut[slot].dirty.append(AdjRIBOut.Dirty(net: net, prior: current))
            if rib.adjOut[slot].dirty.count == 1 { markPending(slot) }
        } else if current != 0 {
            attributes.release(AttributeTable.Handle(current - 1))
        }
        var value = desired | AdjRIBOut.dirtyBit
        if resend || raw & AdjRIBOut.resendBit != 0 { value |= AdjRIBOut.resendBit }
        rib.adjOut[slot].entries[Int(net)] = value
    }

    /// The attributes `path` is sent to peer `slot` with, as handle + 1 holding one reference; 0 when it is not
    /// sent.
    @inline(__always)
    mutating func exportValue<P>(_ family: AddressFamily, _ path: StoredPath<P>, to slot: Int) -> UInt32 {
        guard let target = peers[slot], target.isUp else { return 0 }
        let source = path.source
        // Never back to the peer it came from.
        if source.peerSlot == slot { return 0 }
        let summary = attributes.summary(path.attributes)
        let toExternal = !target.info.isInternal
        // RFC 1997: NO_ADVERTISE to no peer, NO_EXPORT (and NO_EXPORT_SUBCONFED) to no external peer.
        if summary.noAdvertise || (toExternal && summary.noExport) { return 0 }
        let transform: OutboundTransform
        if toExternal {
            transform = .external(nextHop: target.info.nextHopSelf, keepMED: !source.isPeer)
        } else if let from = source.peerSlot, let origin = peers[from], origin.info.isInternal {
            // RFC 4271 §9.2: routes from internal peers are not sent to internal peers, unless we reflect
            // (RFC 4456 §6): from a client to everyone, from a non-client to clients only.
            guard configuration.isRouteReflector,
                origin.info.isRouteReflectorClient || target.info.isRouteReflectorClient
            else { return 0 }
            transform = .reflect(originator: origin.info.routerID)
        } else {
            transform = .internal
        }
        // RFC 4684 §4: a VPN route goes to an RT Constraint peer only if one of its route targets matches a
        // membership route the peer sent. Peers without the capability get everything.
        if target.info.routeTargetConstraint, configuration.rtcFamilies.contains(family),
            !target.membership.admits(summary.routeTargets)
        {
            return 0
        }
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

    /// Re-evaluates every key of the table for peer `slot`: the initial dump, and the changes when the peer's RT
    /// membership grows or shrinks.
    mutating func reconcilePeer<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ slot: Int) {
        rib.ensureAdjOut(slot)
        for i in rib.nets.indices where rib.nets[i].best >= 0 {
            exportNet(&rib, Int32(i), to: slot, resend: false)
        }
    }

    /// Forgets what was sent to peer `slot` (its session is gone), dropping the references.
    mutating func dropAdjOut<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ slot: Int) {
        guard slot < rib.adjOut.count else { return }
        let out = rib.adjOut[slot]
        rib.adjOut[slot] = AdjRIBOut()
        for raw in out.entries where raw & AdjRIBOut.valueMask != 0 {
            attributes.release(AttributeTable.Handle((raw & AdjRIBOut.valueMask) - 1))
        }
        for d in out.dirty where d.prior != 0 { attributes.release(AttributeTable.Handle(d.prior - 1)) }
    }
}
