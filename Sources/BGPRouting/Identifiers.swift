/// Names one BGP peer of the engine. The speaker chooses it (usually the peer's address as text); the engine maps
/// it to a small index internally, so its cost is paid once per event, never per route.
public struct PeerID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Names one local consumer and producer of routes: a VPN instance (VRF or EVI) in bagpipe terms.
public struct SubscriberID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Where a route came from.
public enum RouteSource: Hashable, Sendable, CustomStringConvertible {
    /// Learned from a BGP peer.
    case peer(PeerID)
    /// Advertised by a local VPN instance.
    case local(SubscriberID)
    /// Originated by the engine itself: the RT Constraint routes of RFC 4684.
    case originated

    public var description: String {
        switch self {
        case .peer(let p): "peer \(p)"
        case .local(let s): "local \(s)"
        case .originated: "originated"
        }
    }
}

/// The internal form of a ``RouteSource``: one 32-bit word per stored path.
///
/// Peers are their slot number, local subscribers their slot with bit 30 set, and engine-originated routes the
/// single value with bit 31 set.
struct SourceRef: Hashable, Sendable {
    var rawValue: UInt32

    static let localBit: UInt32 = 1 << 30
    static let originated = SourceRef(rawValue: 1 << 31)

    static func peer(_ slot: Int) -> SourceRef { SourceRef(rawValue: UInt32(slot)) }
    static func local(_ slot: Int) -> SourceRef { SourceRef(rawValue: localBit | UInt32(slot)) }

    var isPeer: Bool { rawValue & (Self.localBit | Self.originated.rawValue) == 0 }
    var isLocal: Bool { rawValue & Self.originated.rawValue == 0 && rawValue & Self.localBit != 0 }
    var isOriginated: Bool { self == Self.originated }
    var peerSlot: Int? { isPeer ? Int(rawValue) : nil }
    var subscriberSlot: Int? { isLocal ? Int(rawValue & ~Self.localBit) : nil }
}
