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

/// What one peer's drain of one family produced, kept for the rest of the event: a route reflector's clients
/// usually get the same changes, so the next peer with the same changes and the same encoding shares the messages
/// (built once here, encoded once by the speaker) instead of building its own.
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
    /// The UPDATEs for what changed in peer `slot`'s Adj-RIB-Out of this family since the last call; the records
    /// are cleared and the references they held dropped.
    mutating func drain<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ slot: Int, _ peer: PeerInfo) -> [UpdateMessage] {
        guard slot < rib.adjOut.count, !rib.adjOut[slot].dirty.isEmpty else { return [] }
        let dirty = rib.adjOut[slot].dirty
        rib.adjOut[slot].dirty.removeAll(keepingCapacity: true)
        // Pass 1: settle the records and note what goes on the wire. The handles in the signature stay referenced
        // by the entries, so none is freed and reused before the messages are built.
        var signature: [UInt64] = []
        signature.reserveCapacity(dirty.count)
        for d in dirty {
            let net = Int(d.net)
            let raw = rib.adjOut[slot].entries[net]
            let final = raw & AdjRIBOut.valueMask
            rib.adjOut[slot].entries[net] = final
            if final != 0, final != d.prior || raw & AdjRIBOut.resendBit != 0 {
                signature.append(UInt64(UInt32(bitPattern: d.net)) << 32 | UInt64(final))
            } else if final == 0, d.prior != 0 {
                signature.append(UInt64(UInt32(bitPattern: d.net)) << 32)
            }
            if d.prior != 0 { attributes.release(AttributeTable.Handle(d.prior - 1)) }
        }
        guard !signature.isEmpty else { return [] }
        let encoding = DrainMemo.Encoding(
            fourOctetAS: peer.fourOctetAS, maximumMessageLength: peer.maximumMessageLength)
        if let memo = drainMemo[rib.family], memo.encoding == encoding, memo.signature == signature {
            return memo.messages
        }
        // Pass 2: the wire forms, withdrawals first, announcements grouped by outbound attribute set.
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
        drainMemo[rib.family] = DrainMemo(encoding: encoding, signature: signature, messages: messages)
        return messages
    }

    /// Marks every entry sent to peer `slot` for sending again (route refresh, RFC 2918 §4).
    mutating func markForResend<K: FamilyKey>(_ rib: inout FamilyRIB<K>, _ slot: Int) {
        guard slot < rib.adjOut.count else { return }
        for i in rib.adjOut[slot].entries.indices {
            let raw = rib.adjOut[slot].entries[i]
            let value = raw & AdjRIBOut.valueMask
            guard value != 0 else { continue }
            if raw & AdjRIBOut.dirtyBit == 0 {
                attributes.retain(AttributeTable.Handle(value - 1))
                rib.adjOut[slot].dirty.append(AdjRIBOut.Dirty(net: Int32(i), prior: value))
            }
            rib.adjOut[slot].entries[i] = value | AdjRIBOut.dirtyBit | AdjRIBOut.resendBit
        }
    }
}
