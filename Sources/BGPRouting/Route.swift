public import BGPWire

/// One path to a destination: the NLRI as carried on the wire, its shared attribute set (next hop included), and
/// where it came from.
///
/// The key, labels and next hop are views of the stored fields; the attributes are an interned ``AttributeSet``,
/// so a route costs its NLRI plus one reference.
public struct Route: Hashable, Sendable, CustomStringConvertible {
    public var family: AddressFamily
    public var nlri: RouteNLRI
    public var attributes: AttributeSet
    public var source: RouteSource

    public init(family: AddressFamily, nlri: RouteNLRI, attributes: AttributeSet, source: RouteSource) {
        self.family = family
        self.nlri = nlri
        self.attributes = attributes
        self.source = source
    }

    public var key: RouteKey { nlri.key(family: family) }
    public var nextHop: NextHop? { attributes.nextHop }
    public var labels: LabelStack { nlri.labels }

    public var description: String {
        "\(family) \(nlri)" + (nextHop.map { " next-hop \($0)" } ?? "") + " from \(source)"
    }
}

/// The route the decision process chose for a key, why, and its equal-cost companions.
public struct BestPath: Hashable, Sendable, CustomStringConvertible {
    public var route: Route
    /// The first rule of the decision process that set the winner apart (``BestPathReason``); shown by the
    /// looking glass.
    public var reason: BestPathReason
    /// The routes equal to the best through the IGP cost step (the best first), when the consumer asked for
    /// multipath; otherwise just the best.
    public var multipath: [Route]

    public init(route: Route, reason: BestPathReason, multipath: [Route]? = nil) {
        self.route = route
        self.reason = reason
        self.multipath = multipath ?? [route]
    }

    public var key: RouteKey { route.key }

    public var description: String { "\(route) (\(reason.rawValue), \(multipath.count) path(s))" }
}

/// A change delivered to a VPN instance for one key.
public enum RouteChange: Hashable, Sendable, CustomStringConvertible {
    /// A new best path for the key, or a replacement of the one delivered before.
    case advertise(BestPath)
    /// The key is gone for this subscriber; the value is what was delivered last, so the dataplane entry it made can
    /// be found and removed.
    case withdraw(BestPath)

    public var key: RouteKey {
        switch self {
        case .advertise(let b), .withdraw(let b): b.key
        }
    }

    public var description: String {
        switch self {
        case .advertise(let b): "advertise \(b)"
        case .withdraw(let b): "withdraw \(b.route.key)"
        }
    }
}
