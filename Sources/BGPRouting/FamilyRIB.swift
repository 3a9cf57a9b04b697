import BGPWire

/// The routing state of one address family: every key with its paths (the Adj-RIBs-In of all peers and the local
/// routes, merged), the best path per key (the Loc-RIB, RFC 4271 §3.2), what was sent to each peer (the
/// Adj-RIBs-Out) and what was delivered to each VPN instance.
///
/// Everything is indexed by the key's slot number from ``KeyIndex``: per key, a 16-octet VPN-IPv4 key, 12 octets of
/// ``Net``, about 7 of hash index, a 32-octet path and 4 octets per update group (peers with the same
/// ``ExportPolicy``; a route reflector's clients are one group).
struct FamilyRIB<K: FamilyKey>: Sendable {
    let family: AddressFamily
    var index = KeyIndex<K>()
    var nets: [RIBNet] = []
    var paths = PathPool<K.Payload>()
    /// Update groups, by group index; a group without members is free for reuse.
    var groups: [AdjRIBOut] = []
    /// By peer slot: the index of the peer's group, or -1 while the peer does not get this family.
    var groupOf: [Int32] = []
    /// Groups with members, ascending: the ones every best path change goes to.
    var exportGroups: [Int] = []
    /// A group was made or changed policy during this event: groups with equal policies are merged at its end.
    var needsMerge = false
    /// By subscriber slot: key slot → what was delivered.
    var delivered: [Int: [Int32: BestPath]] = [:]
    /// Slots whose last path went during this event; freed after the UPDATEs are built (withdrawals still need
    /// the keys).
    var emptied: [Int32] = []
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

    /// The group of peer `slot`, or -1.
    @inline(__always)
    func group(of slot: Int) -> Int { slot < groupOf.count ? Int(groupOf[slot]) : -1 }

    mutating func setGroup(_ slot: Int, _ group: Int) {
        while groupOf.count <= slot { groupOf.append(-1) }
        groupOf[slot] = Int32(group)
    }

    mutating func refreshExportGroups() {
        exportGroups = groups.indices.filter { !groups[$0].members.isEmpty }
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
        for out in groups {
            bytes += out.entries.capacity * 4 + out.dirty.capacity * MemoryLayout<AdjRIBOut.Dirty>.stride
        }
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

/// What was last sent to the peers of one update group for each key of one family: the outbound attribute set's
/// handle + 1, or 0. Each entry holds one reference on its set.
///
/// A member was sent the entry unless the key's best path came from that member (RFC 4271 §9.2: never back to its
/// source), in which case it was sent nothing: the one per-peer difference, read from the Loc-RIB instead of kept
/// per peer. So an entry always belongs to the key's current best path, and a change of best path from one
/// member's route to another's is a change for those two members even when the entry stays the same.
///
/// Changes made during one event are recorded in ``dirty`` with the value that was on the wire before and the peer
/// the best path came from then, so that UPDATEs carry only the net difference: a key announced and withdrawn again
/// within one event sends nothing.
struct AdjRIBOut: Sendable {
    var policy: ExportPolicy
    /// Peer slots, ascending.
    var members: [Int] = []
    var entries: [UInt32] = []
    var dirty: [Dirty] = []

    init(policy: ExportPolicy) { self.policy = policy }

    struct Dirty: Sendable {
        var net: Int32
        /// The entry before this event; the record holds its reference until the UPDATEs are built.
        var prior: UInt32
        /// The peer slot the best path came from before this event (the member that was sent nothing), or -1.
        var priorPeer: Int32
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
