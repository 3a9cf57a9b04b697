/// One path as the RIB stores it: 32 octets for a labeled route (a VPN-IPv4 path), the attributes by handle.
///
/// Paths of one key form a singly linked list through ``next``, so a key with a single path (the usual case with
/// per-PE route distinguishers) costs no array of its own.
struct StoredPath<Payload: Hashable & Sendable>: Sendable {
    var next: Int32
    var source: SourceRef
    /// ``AttributeTable/Handle`` index; the path holds one reference.
    var attributes: UInt32
    var pathID: UInt32
    var payload: Payload
    var flags: UInt8

    static var hasPathID: UInt8 { 1 }
    static var stale: UInt8 { 2 }

    var pathIdentifier: UInt32? { flags & Self.hasPathID != 0 ? pathID : nil }
    var isStale: Bool { flags & Self.stale != 0 }
}

/// Paths of one family in one array, with a free list through `next`.
struct PathPool<Payload: Hashable & Sendable>: Sendable {
    private(set) var items: [StoredPath<Payload>] = []
    private var freeHead: Int32 = -1
    private(set) var count = 0

    @inline(__always)
    mutating func allocate(_ path: StoredPath<Payload>) -> Int32 {
        count += 1
        if freeHead >= 0 {
            let i = freeHead
            freeHead = items[Int(i)].next
            items[Int(i)] = path
            return i
        }
        items.append(path)
        return Int32(items.count - 1)
    }

    mutating func free(_ i: Int32) {
        items[Int(i)].next = freeHead
        freeHead = i
        count -= 1
    }

    subscript(i: Int32) -> StoredPath<Payload> {
        get { items[Int(i)] }
        _modify { yield &items[Int(i)] }
    }

    var approximateBytes: Int { items.capacity * MemoryLayout<StoredPath<Payload>>.stride }
}
