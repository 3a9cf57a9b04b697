/// A hash index from keys to dense 32-bit slot numbers: the keys sit in one array, in slot order, and an open
/// addressing table (linear probing, backward-shift deletion) maps hashes to slots.
///
/// Compared with `Dictionary<Key, Int32>`, a key is stored once at full density and the table costs 4 octets per
/// bucket, about 7 per key at the load factors it runs at; slot numbers also index the other per-route arrays
/// (paths, Adj-RIB-Out). Each bucket keeps 6 bits of the key's hash beside its 26-bit slot, so a probe passes
/// over other keys' buckets without loading those keys (at a million keys, each such load is a cache miss).
/// Hashing is Swift's seeded `Hasher`, so peers cannot aim collisions at it.
struct KeyIndex<Key: Hashable>: Sendable where Key: Sendable {
    private(set) var keys: [Key] = []
    private var buckets: [UInt32] = Array(repeating: Self.empty, count: 16)
    private var freeSlots: [Int32] = []
    private(set) var count = 0

    private static var slotBits: UInt32 { 26 }
    private static var slotMask: UInt32 { (1 << slotBits) - 1 }
    private static var empty: UInt32 { .max }
    /// Most keys one table holds: 2^26 - 1 (67 million routes of one family).
    static var capacityLimit: Int { Int(slotMask) }

    /// Slots handed out, live or free: the length the parallel arrays must have.
    var slotCount: Int { keys.count }

    @inline(__always)
    private static func tag(_ hash: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt(bitPattern: hash) >> 58) << slotBits
    }

    @inline(__always)
    private func home(_ key: Key) -> Int { key.hashValue & (buckets.count - 1) }

    func find(_ key: Key) -> Int32? {
        let mask = buckets.count - 1
        let hash = key.hashValue
        let tag = Self.tag(hash)
        var b = hash & mask
        while true {
            let entry = buckets[b]
            if entry == Self.empty { return nil }
            if entry & ~Self.slotMask == tag, keys[Int(entry & Self.slotMask)] == key {
                return Int32(entry & Self.slotMask)
            }
            b = (b + 1) & mask
        }
    }

    /// The slot of `key`, added if new; `isNew` tells which.
    @inline(__always)
    mutating func insert(_ key: Key) -> (slot: Int32, isNew: Bool) {
        if (count + 1) * 4 > buckets.count * 3 { grow() }
        let mask = buckets.count - 1
        let hash = key.hashValue
        let tag = Self.tag(hash)
        var b = hash & mask
        while true {
            let entry = buckets[b]
            if entry == Self.empty { break }
            if entry & ~Self.slotMask == tag, keys[Int(entry & Self.slotMask)] == key {
                return (Int32(entry & Self.slotMask), false)
            }
            b = (b + 1) & mask
        }
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            keys[Int(slot)] = key
        } else {
            precondition(keys.count < Self.capacityLimit, "more than \(Self.capacityLimit) routes in one family")
            slot = Int32(keys.count)
            keys.append(key)
        }
        buckets[b] = tag | UInt32(slot)
        count += 1
        return (slot, true)
    }

    /// Frees `slot`; its number is reused by a later insert.
    mutating func remove(slot: Int32) {
        let mask = buckets.count - 1
        var hole = home(keys[Int(slot)])
        while buckets[hole] == Self.empty || buckets[hole] & Self.slotMask != UInt32(slot) { hole = (hole + 1) & mask }
        buckets[hole] = Self.empty
        // Backward shift: move later entries of the run into the hole when their home bucket allows it, so
        // lookups never need tombstones.
        var next = (hole + 1) & mask
        while buckets[next] != Self.empty {
            let h = home(keys[Int(buckets[next] & Self.slotMask)])
            let movable = hole <= next ? (h <= hole || h > next) : (h <= hole && h > next)
            if movable {
                buckets[hole] = buckets[next]
                buckets[next] = Self.empty
                hole = next
            }
            next = (next + 1) & mask
        }
        freeSlots.append(slot)
        count -= 1
    }

    private mutating func grow() {
        buckets = Array(repeating: Self.empty, count: buckets.count * 2)
        let mask = buckets.count - 1
        // Keys in slot order, so that reading them is sequential; only the bucket writes land at random.
        var isFree: [Bool] = []
        if !freeSlots.isEmpty {
            isFree = Array(repeating: false, count: keys.count)
            for slot in freeSlots { isFree[Int(slot)] = true }
        }
        for slot in keys.indices where isFree.isEmpty || !isFree[slot] {
            let hash = keys[slot].hashValue
            var b = hash & mask
            while buckets[b] != Self.empty { b = (b + 1) & mask }
            buckets[b] = Self.tag(hash) | UInt32(slot)
        }
    }

    var approximateBytes: Int {
        keys.capacity * MemoryLayout<Key>.stride + buckets.capacity * 4 + freeSlots.capacity * 4
    }
}
