/// One BGP Extended Community (RFC 4360 §2): 8 octets, the first one or two being the type.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |  Type high    |  Type low(*)  |                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+          Value                |
///     |                                                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Kept as the raw 8 octets, so unknown kinds are carried transparently; ``TypedExtendedCommunity`` is the
/// typed view.
public struct ExtendedCommunity: Hashable, Sendable, Comparable {
    public var rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The high-order type octet.
    public var type: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 56) }
    /// The low-order type octet (sub-type) for the extended types.
    public var subtype: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 48) }
    /// RFC 4360 §2: bit 1 of the type octet (0x40) set means non-transitive across ASes.
    public var isTransitive: Bool { type & 0x40 == 0 }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
