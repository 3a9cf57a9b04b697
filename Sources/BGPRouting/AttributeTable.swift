import BGPWire

/// Interned attribute sets, reference counted: equal sets are stored once and every route that uses them holds a
/// 32-bit ``Handle`` instead of a copy.
///
/// This is how a RIB stays near BIRD's ~110 octets per route (bgp-anchors §2.2): the attributes of thousands of
/// routes from one UPDATE, or of every route a PE advertises for one VPN, are one entry here. Handles are indexes;
/// a released entry's index is reused, and its generation number changes so that caches keyed by handle can tell
/// a reused index from the one they saw.
public struct AttributeTable: Sendable {
    /// A reference to one interned set. Valid while its reference count is above zero.
    public struct Handle: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let index: UInt32
        init(_ index: UInt32) { self.index = index }
        public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
        public var description: String { "#\(index)" }
    }

    private var sets: [AttributeSet?] = []
    private var referenceCounts: [UInt32] = []
    private(set) var generations: [UInt32] = []
    private var lookup: [AttributeSet: UInt32] = [:]
    private var freeIndexes: [UInt32] = []

    public init() {}

    /// Live sets.
    public var count: Int { lookup.count }

    /// The handle of the set equal to `set`, interning it if new, with one more reference (the caller's).
    public mutating func intern(_ set: AttributeSet) -> Handle {
        if let index = lookup[set] {
            referenceCounts[Int(index)] += 1
            return Handle(index)
        }
        let index: UInt32
        if let reused = freeIndexes.popLast() {
            index = reused
            sets[Int(index)] = set
            referenceCounts[Int(index)] = 1
        } else {
            index = UInt32(sets.count)
            sets.append(set)
            referenceCounts.append(1)
            generations.append(0)
        }
        lookup[set] = index
        return Handle(index)
    }

    /// The handle of an interned set equal to `set`, without taking a reference.
    public func handle(of set: AttributeSet) -> Handle? { lookup[set].map(Handle.init) }

    public mutating func retain(_ handle: Handle) {
        precondition(referenceCounts[Int(handle.index)] > 0, "retain of a released attribute set")
        referenceCounts[Int(handle.index)] += 1
    }

    /// Drops one reference; the last one frees the entry.
    public mutating func release(_ handle: Handle) {
        let i = Int(handle.index)
        precondition(referenceCounts[i] > 0, "release of a released attribute set")
        referenceCounts[i] -= 1
        guard referenceCounts[i] == 0, let set = sets[i] else { return }
        lookup[set] = nil
        sets[i] = nil
        generations[i] &+= 1
        freeIndexes.append(handle.index)
    }

    public subscript(handle: Handle) -> AttributeSet { sets[Int(handle.index)]! }

    public func referenceCount(_ handle: Handle) -> Int { Int(referenceCounts[Int(handle.index)]) }

    func summary(_ index: UInt32) -> AttributeSummary { sets[Int(index)]!.summary }
    func set(_ index: UInt32) -> AttributeSet { sets[Int(index)]! }
    func generation(_ index: UInt32) -> UInt32 { generations[Int(index)] }
    /// Indexes handed out so far: the size a per-handle memo array needs.
    var capacity: Int { sets.count }

    /// Octets the table holds, approximately: slots, lookup and each set's attributes.
    var approximateBytes: Int {
        var bytes = sets.capacity * 8 + referenceCounts.capacity * 4 + generations.capacity * 4
        bytes += lookup.capacity * 16 + freeIndexes.capacity * 4
        for case let set? in sets {
            bytes += 64 + set.attributes.count * MemoryLayout<PathAttribute>.stride
            bytes += set.summary.routeTargets.count * 8
        }
        return bytes
    }
}
