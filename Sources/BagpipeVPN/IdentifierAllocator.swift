/// Hands out identifiers sequentially from `minimum`, honouring a hint when it is free, and reuses released ones
/// only once the sequence has reached `maximum`: an identifier still in a peer's tables or in flight is not
/// reused soon (bagpipe-bgp.md §2.2, "reuse as late as possible").
public struct IdentifierAllocator: Hashable, Sendable {
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        case exhausted(minimum: UInt32, maximum: UInt32)
        case notAllocated(UInt32)

        public var description: String {
            switch self {
            case .exhausted(let lo, let hi): "no identifier left in \(lo)...\(hi)"
            case .notAllocated(let v): "identifier \(v) is not allocated"
            }
        }
    }

    public let minimum: UInt32
    public let maximum: UInt32
    /// The next never-used identifier (64 bits so that passing `UInt32.max` does not overflow).
    private var next: UInt64
    private var released: [UInt32] = []
    private var releasedHead = 0
    public private(set) var allocated: [UInt32: String] = [:]

    public init(minimum: UInt32, maximum: UInt32) {
        self.minimum = minimum
        self.maximum = maximum
        next = UInt64(minimum)
    }

    /// A free identifier, `hint` if it is free; `owner` is shown by the looking glass.
    public mutating func allocate(hint: UInt32? = nil, owner: String = "") throws(Failure) -> UInt32 {
        if let hint, hint >= minimum, hint <= maximum, allocated[hint] == nil {
            allocated[hint] = owner
            return hint
        }
        while next <= UInt64(maximum) {
            let v = UInt32(next)
            next += 1
            if allocated[v] == nil {
                allocated[v] = owner
                return v
            }
        }
        while releasedHead < released.count {
            let v = released[releasedHead]
            releasedHead += 1
            if allocated[v] == nil {
                allocated[v] = owner
                compactReleased()
                return v
            }
        }
        throw .exhausted(minimum: minimum, maximum: maximum)
    }

    public mutating func release(_ value: UInt32) throws(Failure) {
        guard allocated.removeValue(forKey: value) != nil else { throw .notAllocated(value) }
        released.append(value)
    }

    public var count: Int { allocated.count }

    /// How many more identifiers can be allocated (released ones included).
    public var available: Int {
        Int(UInt64(maximum) + 1 - min(next, UInt64(maximum) + 1)) + released.count - releasedHead
    }

    private mutating func compactReleased() {
        if releasedHead > 1024, releasedHead * 2 > released.count {
            released.removeFirst(releasedHead)
            releasedHead = 0
        }
    }
}
