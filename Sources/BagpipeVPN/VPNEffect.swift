public import BGPRouting
public import BGPWire

/// What the manager asks of the outside, in order: the routing engine (subscriptions, local routes) and the
/// dataplane drivers. The shell carries them out; tests read them.
public enum VPNEffect: Hashable, Sendable, CustomStringConvertible {
    case subscribe(Subscription)
    case unsubscribe(Subscription)
    case advertise(LocalRoute, SubscriberID)
    case withdraw(RouteKey, SubscriberID)
    /// The instance is gone: the engine drops its subscriptions and withdraws what it still advertises.
    case removeSubscriber(SubscriberID)
    case dataplane(DataplaneInstance, DataplaneCall)

    public var description: String {
        switch self {
        case .subscribe(let s): "subscribe \(s.subscriber) \(s.family) \(s.routeTarget)"
        case .unsubscribe(let s): "unsubscribe \(s.subscriber) \(s.family) \(s.routeTarget)"
        case .advertise(let r, let s): "advertise \(s) \(r.nlri)"
        case .withdraw(let k, let s): "withdraw \(s) \(k)"
        case .removeSubscriber(let s): "remove \(s)"
        case .dataplane(let i, let c): "dataplane \(i.name): \(c)"
        }
    }
}

/// What the manager must know of a dataplane driver to build routes and calls (``DataplaneDriver``'s
/// properties, as a value).
public struct DriverTraits: Hashable, Sendable {
    public var name: String
    public var encapsulations: [TunnelType]
    public var supportsECMP: Bool
    public var directions: Set<Direction>
    /// Next hop of the routes advertised for local ports, and tunnel source.
    public var localAddress: IPAddress

    public init(
        name: String, encapsulations: [TunnelType], supportsECMP: Bool = false, directions: Set<Direction> = [.both],
        localAddress: IPAddress
    ) {
        self.name = name
        self.encapsulations = encapsulations
        self.supportsECMP = supportsECMP
        self.directions = directions
        self.localAddress = localAddress
    }

    public init(_ driver: some DataplaneDriver) {
        self.init(
            name: driver.name, encapsulations: driver.supportedEncapsulations, supportsECMP: driver.supportsECMP,
            directions: driver.supportedDirections.union([.both]), localAddress: driver.localAddress)
    }

    /// The label field as this dataplane reads it: a raw 24-bit VNI with VXLAN (RFC 8365 §5.1.3), an MPLS label
    /// otherwise (RFC 8277).
    var usesVNI: Bool { encapsulations.contains(.vxlan) && !encapsulations.contains(.mpls) }
}
