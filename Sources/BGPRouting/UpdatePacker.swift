import BGPWire

/// Builds the UPDATEs for the changes recorded in an Adj-RIB-Out: withdrawals first, then one run of messages per
/// outbound attribute set, each message holding as many NLRI as fit the peer's maximum message length
/// (RFC 4271 §4.3; 65535 with RFC 8654).
///
/// Sizes are exact: the fixed part of a message (header, attributes, MP_REACH_NLRI header and next hop) is measured
/// once per run with BGPWire's encoder, each NLRI's length is computed from its fields
/// (``FamilyKey/encodedLength(_:)``), and the MP attribute's length field grows to two octets when its value passes
/// 255 octets, as the encoder does.
enum UpdatePacker {
    /// Ranges of `count` items, in order, each as long as `fits` allows; items that fit in no message alone are
    /// left out and counted in `skipped`.
    static func chunks(
        count: Int, length: (Int) -> Int, fits: (_ total: Int) -> Bool, skipped: inout Int
    ) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        var total = 0
        var i = 0
        while i < count {
            let l = length(i)
            if fits(total + l) {
                total += l
                i += 1
            } else if i == start {
                // Alone it does not fit either: RFC 4271 §9.2 says not to advertise it.
                skipped += 1
                i += 1
                start = i
            } else {
                out.append(start..<i)
                start = i
                total = 0
            }
        }
        if start < count { out.append(start..<count) }
        return out
    }

    /// `list` with `attribute` inserted after every attribute of a lower or equal type code.
    static func inserting(_ attribute: PathAttribute, into list: [PathAttribute]) -> [PathAttribute] {
        var out = list
        let at = out.firstIndex { $0.typeCode > attribute.typeCode } ?? out.count
        out.insert(attribute, at: at)
        return out
    }

    static func encodedSize(_ update: UpdateMessage, _ options: EncodingOptions) -> Int {
        BGPMessage.update(update).encode(options: options).count
    }

    static func withdrawals<K: FamilyKey>(
        _ wires: [K.Wire], _: K.Type, family: AddressFamily, maximumLength: Int, skipped: inout Int
    ) -> [UpdateMessage] {
        guard !wires.isEmpty else { return [] }
        if family == .ipv4Unicast {
            // Header 19, two length fields: the rest is Withdrawn Routes.
            let ranges = chunks(
                count: wires.count, length: { K.encodedLength(wires[$0]) }, fits: { 23 + $0 <= maximumLength },
                skipped: &skipped)
            return ranges.map { r in
                guard case .ipv4(let l) = K.list(Array(wires[r])) else { return UpdateMessage() }
                return UpdateMessage(withdrawnRoutes: l)
            }
        }
        // Header 19 + 2 + 2, attribute header 3 (4 past 255 octets of value), AFI and SAFI 3.
        let ranges = chunks(
            count: wires.count, length: { K.encodedLength(wires[$0]) },
            fits: { 29 + $0 + (3 + $0 > 255 ? 1 : 0) <= maximumLength }, skipped: &skipped)
        return ranges.map { r in
            UpdateMessage(pathAttributes: [
                PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: family, withdrawnRoutes: K.list(Array(wires[r])))))
            ])
        }
    }

    static func announcements<K: FamilyKey>(
        _ wires: [K.Wire], _: K.Type, family: AddressFamily, attributes set: AttributeSet, peer: PeerInfo,
        skipped: inout Int
    ) -> [UpdateMessage] {
        guard !wires.isEmpty else { return [] }
        let options = EncodingOptions(fourOctetAS: peer.fourOctetAS)
        let maximum = peer.maximumMessageLength
        if family == .ipv4Unicast, case .ipv4(let address)? = set.nextHop {
            // RFC 4271: IPv4 unicast in the NLRI field, the next hop in NEXT_HOP.
            let list = inserting(PathAttribute(.nextHop(address)), into: set.attributes)
            let base = encodedSize(UpdateMessage(pathAttributes: list), options)
            let ranges = chunks(
                count: wires.count, length: { K.encodedLength(wires[$0]) }, fits: { base + $0 <= maximum },
                skipped: &skipped)
            return ranges.map { r in
                guard case .ipv4(let l) = K.list(Array(wires[r])) else { return UpdateMessage() }
                return UpdateMessage(pathAttributes: list, nlri: l)
            }
        }
        // RFC 4760 §3: everything else in MP_REACH_NLRI, placed in type code order.
        func attributes(_ nlri: NLRIList) -> [PathAttribute] {
            inserting(
                PathAttribute(.mpReachNLRI(MPReachNLRI(family: family, nextHop: set.nextHop ?? .none, nlri: nlri))),
                into: set.attributes)
        }
        let base = encodedSize(UpdateMessage(pathAttributes: attributes(.empty(for: family))), options)
        let withoutMP = encodedSize(UpdateMessage(pathAttributes: set.attributes), options)
        let mpValue = base - withoutMP - 3
        let ranges = chunks(
            count: wires.count, length: { K.encodedLength(wires[$0]) },
            fits: { base + $0 + (mpValue + $0 > 255 ? 1 : 0) <= maximum }, skipped: &skipped)
        return ranges.map { r in UpdateMessage(pathAttributes: attributes(K.list(Array(wires[r])))) }
    }
}

/// The last UPDATEs built for one family in this event, kept for the rest of it: the members of an update group
/// that are not the source of any change get the same changes, so the next member with the same changes and the
/// same encoding shares the messages (built once here, encoded once by the speaker) instead of building its own.
struct DrainMemo {
    /// What the messages depend on besides the changes.
    struct Encoding: Hashable {
        var fourOctetAS: Bool
        var maximumMessageLength: Int
    }
    var encoding: Encoding
    /// The changes, in order: `net << 32 | handle + 1` for an announcement, `net << 32` for a withdrawal.
    var signature: [UInt64]
    var messages: [UpdateMessage]
}

extension EngineCore {
    /// Builds the UPDATEs for what changed in every update group of this family since the last call, per member,
    /// into ``outbound``; the records are cleared and the references they held dropped.
    mutating func drainGroups<K: FamilyKey>(_ rib: inout FamilyRIB<K>) {
        for g in rib.exportGroups where !rib.groups[g].dirty.isEmpty { drain(&rib, g) }
    }

    /// One change of one group's entry in this event, settled.
    private struct Change {
        var net: Int32
        var prior: UInt32
        var priorPeer: Int32
        var final: UInt32
        var finalPeer: Int32
        var resend: Bool
    }

    private mutating func drain<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ g: Int) {
        let dirty = rib.groups[g].dirty
        rib.groups[g].dirty.removeAll(keepingCapacity: true)
        let members = rib.groups[g].members
        // Pass 1: settle the records, and note what goes on the wire to a member that is neither the source of
        // the prior best path nor of the final one (most members). Members that are one of those get their own
        // list below. The handles in the lists stay referenced by the entries, so none is freed and reused before
        // the messages are built.
        var signature: [UInt64] = []
        signature.reserveCapacity(dirty.count)
        var changes: [Change] = []
        var involved: [Int] = []
        for d in dirty {
            let net = Int(d.net)
            let raw = rib.groups[g].entries[net]
            let final = raw & AdjRIBOut.valueMask
            rib.groups[g].entries[net] = final
            let resend = raw & AdjRIBOut.resendBit != 0
            var finalPeer: Int32 = -1
            if final != 0, let slot = rib.paths[rib.nets[net].best].source.peerSlot { finalPeer = Int32(slot) }
            let change = Change(
                net: d.net, prior: d.prior, priorPeer: d.priorPeer, final: final, finalPeer: finalPeer, resend: resend)
            if let entry = Self.wireChange(change, for: Self.noMember) { signature.append(entry) }
            changes.append(change)
            if d.priorPeer >= 0, rib.group(of: Int(d.priorPeer)) == g, !involved.contains(Int(d.priorPeer)) {
                involved.append(Int(d.priorPeer))
            }
            if finalPeer >= 0, rib.group(of: Int(finalPeer)) == g, !involved.contains(Int(finalPeer)) {
                involved.append(Int(finalPeer))
            }
            if d.prior != 0 { attributes.release(AttributeTable.Handle(d.prior - 1)) }
        }
        for slot in members {
            guard let peer = peers[slot] else { continue }
            var own = signature
            if involved.contains(slot) {
                own = changes.compactMap { Self.wireChange($0, for: Int32(slot)) }
            }
            guard !own.isEmpty else { continue }
            let messages = memoizedMessages(&rib, own, peer.info)
            // Assigned rather than appended when alone, so that peers sharing a drain share the array too.
            if let existing = outbound[slot] {
                outbound[slot] = existing + messages
            } else {
                outbound[slot] = messages
            }
        }
    }

    /// A slot that is no peer's: the list for members that are not the source of the change (-1 is "no peer" in
    /// the records, which must not match).
    private static let noMember = Int32.min

    /// What `change` puts on the wire to member `slot`: `net << 32 | handle + 1` for an announcement, `net << 32`
    /// for a withdrawal, nil for nothing. The member the best path came from was sent nothing for it.
    @inline(__always)
    private static func wireChange(_ c: Change, for slot: Int32) -> UInt64? {
        let prior = c.priorPeer == slot ? 0 : c.prior
        let final = c.finalPeer == slot ? 0 : c.final
        if final != 0, final != prior || c.resend {
            return UInt64(UInt32(bitPattern: c.net)) << 32 | UInt64(final)
        } else if final == 0, prior != 0 {
            return UInt64(UInt32(bitPattern: c.net)) << 32
        }
        return nil
    }

    /// The UPDATEs for `signature`, shared with the last peer of this family and event that had the same changes
    /// and encoding.
    mutating func memoizedMessages<K: FamilyKey>(
        _ rib: inout FamilyRIB<K>, _ signature: [UInt64], _ peer: PeerInfo
    ) -> [UpdateMessage] {
        let encoding = DrainMemo.Encoding(
            fourOctetAS: peer.fourOctetAS, maximumMessageLength: peer.maximumMessageLength)
        if let memo = drainMemo[rib.family], memo.encoding == encoding, memo.signature == signature {
            return memo.messages
        }
        let messages = buildMessages(rib, signature, peer)
        drainMemo[rib.family] = DrainMemo(encoding: encoding, signature: signature, messages: messages)
        return messages
    }

    /// Pass 2: the wire forms, withdrawals first, announcements grouped by outbound attribute set.
    mutating func buildMessages<K: FamilyKey>(
        _ rib: FamilyRIB<K>, _ signature: [UInt64], _ peer: PeerInfo
    ) -> [UpdateMessage] {
        var withdrawn: [K.Wire] = []
        var groups: [(handle: UInt32, wires: [K.Wire])] = []
        var groupIndex: [UInt32: Int] = [:]
        var last = -1
        for entry in signature {
            let net = Int(entry >> 32)
            let final = UInt32(truncatingIfNeeded: entry)
            guard final != 0 else {
                withdrawn.append(rib.index.keys[net].withdrawal)
                continue
            }
            let best = rib.nets[net].best
            let wire = rib.index.keys[net].announcement(rib.paths[best].payload, pathID: nil)
            if last < 0 || groups[last].handle != final {
                if let g = groupIndex[final] {
                    last = g
                } else {
                    last = groups.count
                    groupIndex[final] = last
                    groups.append((final, []))
                }
            }
            groups[last].wires.append(wire)
        }
        var skipped = 0
        var messages = UpdatePacker.withdrawals(
            withdrawn, K.self, family: rib.family, maximumLength: peer.maximumMessageLength, skipped: &skipped)
        for g in groups {
            messages += UpdatePacker.announcements(
                g.wires, K.self, family: rib.family, attributes: attributes.set(g.handle - 1), peer: peer,
                skipped: &skipped)
        }
        statistics.oversizedRoutes += skipped
        return messages
    }

    /// Everything sent to peer `slot` for this family, again (route refresh, RFC 2918 §4), from its group's
    /// entries: what it was sent. Called between events, so no change is pending.
    mutating func refresh<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ slot: Int, _ peer: PeerInfo) -> [UpdateMessage] {
        let g = rib.group(of: slot)
        guard g >= 0 else { return [] }
        var signature: [UInt64] = []
        for (i, raw) in rib.groups[g].entries.enumerated() {
            let value = raw & AdjRIBOut.valueMask
            guard value != 0, rib.paths[rib.nets[i].best].source.peerSlot != slot else { continue }
            signature.append(UInt64(UInt32(i)) << 32 | UInt64(value))
        }
        guard !signature.isEmpty else { return [] }
        return buildMessages(rib, signature, peer)
    }
}
