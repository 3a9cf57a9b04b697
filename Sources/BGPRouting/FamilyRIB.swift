import BGPWire

/// The routing state of one address family: every key with its paths (the Adj-RIBs-In of all peers and the local
/// routes, merged), the best path per key (the Loc-RIB, RFC 4271 §3.2), what was sent to each peer (the
/// Adj-RIBs-Out) and what was delivered to each VPN instance.
///
/// Everything is indexed by the key's slot number from ``KeyIndex``: per key, a 16-octet VPN-IPv4 key, 12 octets of
/// ``Net``, about 7 of hash index, a 32-octet path and 4 octets per peer it was sent to.
struct FamilyRIB<K: FamilyKey>: Sendable {
    let family: AddressFamily
    var index = KeyIndex<K>()
    var nets: [RIBNet] = []
    var paths = PathPool<K.Payload>()
    /// By peer slot.
    var adjOut: [AdjRIBOut] = []
    /// By subscriber slot: key slot → what was delivered.
    var delivered: [Int: [Int32: BestPath]] = [:]
    /// Slots whose last path went during this event; freed after the UPDATEs are built (withdrawals still need
    /// the keys).
    var emptied: [Int32] = []
    /// Peers that get this family now: up, negotiated, not held back for RT membership.
    var exportTargets: [Int] = []
    /// Whether any VPN instance subscribes to a route target of this family.
    var hasSubscribers = false

    init(family: AddressFamily) { self.family = family }

    @inline(__always)
    mutating func slot(for key: K) -> Int32 {
        let (slot, isNew) = index.insert(key)
        if isNew {
            let net = RIBNet(head: -1, best: -1, reason: .onlyPath)
            if Int(slot) == nets.count { nets.append(net) } else { nets[Int(slot)] = net }
        }
        return slot
    }

    func isLive(_ net: Int32) -> Bool { nets[Int(net)].head != RIBNet.freed }

    /// Live key slots, in slot order.
    var liveSlots: [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(index.count)
        for i in nets.indices where nets[i].head != RIBNet.freed { out.append(Int32(i)) }
        return out
    }

    /// Path indexes of a key, list order.
    func pathIndexes(_ net: Int32) -> [Int32] {
        var out: [Int32] = []
        var p = nets[Int(net)].head
        while p >= 0 {
            out.append(p)
            p = paths[p].next
        }
        return out
    }

    mutating func ensureAdjOut(_ peer: Int) {
        while adjOut.count <= peer { adjOut.append(AdjRIBOut()) }
    }

    /// Frees the slots that are still empty; called once UPDATEs are built.
    mutating func freeEmptied() {
        for net in emptied where nets[Int(net)].head == -1 {
            index.remove(slot: net)
            nets[Int(net)].head = RIBNet.freed
            nets[Int(net)].best = -1
        }
        emptied.removeAll(keepingCapacity: true)
    }

    var approximateBytes: Int {
        var bytes = index.approximateBytes + nets.capacity * MemoryLayout<RIBNet>.stride + paths.approximateBytes
        for out in adjOut { bytes += out.entries.capacity * 4 + out.dirty.capacity * 8 }
        for d in delivered.values { bytes += d.capacity * 64 }
        return bytes
    }
}

/// Per key: the head of its path list and its best path, 12 octets.
struct RIBNet: Sendable {
    var head: Int32
    var best: Int32
    var reason: BestPathReason

    static let freed: Int32 = -2
}

/// What was last sent to one peer for each key of one family: the outbound attribute set's handle + 1, or 0.
///
/// Changes made during one event are recorded in ``dirty`` with the value that was on the wire before, so that
/// UPDATEs carry only the net difference: a key announced and withdrawn again within one event sends nothing.
struct AdjRIBOut: Sendable {
    var entries: [UInt32] = []
    var dirty: [Dirty] = []

    struct Dirty: Sendable {
        var net: Int32
        /// The entry before this event; the record holds its reference until the UPDATEs are built.
        var prior: UInt32
    }

    static let dirtyBit: UInt32 = 1 << 31
    /// Send again although the attributes are the same: the labels changed, or a route refresh.
    static let resendBit: UInt32 = 1 << 30
    static let valueMask: UInt32 = resendBit - 1

    @inline(__always)
    func value(_ net: Int32) -> UInt32 {
        Int(net) < entries.count ? entries[Int(net)] & Self.valueMask : 0
    }

    var sentCount: Int { entries.reduce(0) { $0 + ($1 & Self.valueMask != 0 ? 1 : 0) } }
}
