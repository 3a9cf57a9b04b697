public import BGPRouting
public import BGPWire
public import BagpipeVPN

/// Compute nodes, each a routing engine with a VPN manager and its two dataplane drivers, all clients of one route
/// reflector engine, with RT Constraint. Messages go through the engines' real UPDATE output, carried in memory;
/// no sockets. The VPN tests use recording dataplanes; the Linux dataplane tests use the real drivers, whose calls
/// program node namespaces.
public struct VPNTestNetwork<EVPN: DataplaneDriver, IPVPN: DataplaneDriver> {
    public struct Node {
        public var engine: RoutingEngine
        public var manager: VPNManager
        public let evpn: EVPN
        public let ipvpn: IPVPN
        public let address: IPv4Address
    }

    public static var asn: UInt32 { 64512 }
    static var families: Set<AddressFamily> { [.vpnIPv4, .vpnIPv6, .evpn, .routeTargetConstraint, .vpnIPv4Flowspec] }
    static var reflectorAddress: IPv4Address { IPv4Address(192, 0, 2, 100) }

    public var nodes: [Node] = []
    var reflector: RoutingEngine
    /// Engine events on their way: to node i, or to the reflector (nil).
    var queue: [(to: Int?, event: EngineEvent)] = []
    var queueHead = 0
    /// Driver errors (the manager's effects are carried out without throwing), when not `strict`.
    public var failures: [String] = []
    /// A driver error stops the run: for drivers that must not fail (the recording dataplane).
    let strict: Bool

    public init(drivers: [(address: IPv4Address, evpn: EVPN, ipvpn: IPVPN)], strict: Bool = false) {
        self.strict = strict
        reflector = RoutingEngine(
            configuration: EngineConfiguration(
                localAS: Self.asn, routerID: Self.reflectorAddress, clusterID: Self.reflectorAddress,
                // As bagpipe-bgp's reflector does: clients send it every VPN route (RFC 4684 §3.2).
                originateDefaultRTC: true))
        for d in drivers {
            let manager = VPNManager(
                configuration: VPNManager.Configuration(
                    bgpLocalAddress: d.address,
                    drivers: [.evpn: DriverTraits(d.evpn), .ipvpn: DriverTraits(d.ipvpn)]))
            let engine = RoutingEngine(configuration: EngineConfiguration(localAS: Self.asn, routerID: d.address))
            nodes.append(Node(engine: engine, manager: manager, evpn: d.evpn, ipvpn: d.ipvpn, address: d.address))
        }
        for i in nodes.indices {
            queue.append((i, .peerUp(peer(id: "rr", address: Self.reflectorAddress, client: false))))
            queue.append((nil, .peerUp(peer(id: nodeID(i), address: nodes[i].address, client: true))))
        }
        pump()
    }

    func nodeID(_ i: Int) -> PeerID { PeerID("node\(i)") }

    func peer(id: PeerID, address: IPv4Address, client: Bool) -> PeerInfo {
        PeerInfo(
            id: id, address: .v4(address), routerID: address, asn: Self.asn, isInternal: true,
            isRouteReflectorClient: client, families: Self.families, routeTargetConstraint: true,
            maximumMessageLength: 4096)
    }

    public mutating func attach(_ node: Int, _ a: Attachment) throws(VPNError) {
        let effects = try nodes[node].manager.attach(a)
        apply(node, effects)
        pump()
    }

    public mutating func detach(_ node: Int, _ d: Detachment) throws(VPNError) {
        let effects = try nodes[node].manager.detach(d)
        apply(node, effects)
        pump()
    }

    /// Carries out a manager's effects on node `i`.
    mutating func apply(_ i: Int, _ effects: [VPNEffect]) {
        for effect in effects {
            switch effect {
            case .subscribe(let s): process(i, .subscribe(s))
            case .unsubscribe(let s): process(i, .unsubscribe(s))
            case .advertise(let route, let s): process(i, .localRoute(s, .advertise(route)))
            case .withdraw(let key, let s): process(i, .localRoute(s, .withdraw(key)))
            case .removeSubscriber(let s): process(i, .removeSubscriber(s))
            case .dataplane(let instance, let call):
                do {
                    if instance.type == .evpn {
                        try nodes[i].evpn.apply(call, instance: instance)
                    } else {
                        try nodes[i].ipvpn.apply(call, instance: instance)
                    }
                } catch {
                    if strict { preconditionFailure("node\(i) \(call): \(error)") }
                    failures.append("node\(i) \(call): \(error)")
                }
            }
        }
    }

    mutating func process(_ i: Int, _ event: EngineEvent) {
        for effect in nodes[i].engine.process(event) {
            switch effect {
            case .sendUpdates(_, let messages):
                for m in messages { queue.append((nil, .routesReceived(nodeID(i), m))) }
            case .sendEndOfRIB(_, let family):
                queue.append((nil, .routesReceived(nodeID(i), .endOfRIB(family))))
            case .deliver(let subscriber, let changes):
                for c in changes { apply(i, nodes[i].manager.routeChanged(c, for: subscriber)) }
            default:
                break
            }
        }
    }

    mutating func pump() {
        while queueHead < queue.count {
            let (to, event) = queue[queueHead]
            queueHead += 1
            if let to {
                process(to, event)
                continue
            }
            for effect in reflector.process(event) {
                switch effect {
                case .sendUpdates(let peer, let messages):
                    guard let n = index(of: peer) else { continue }
                    for m in messages { queue.append((n, .routesReceived("rr", m))) }
                case .sendEndOfRIB(let peer, let family):
                    guard let n = index(of: peer) else { continue }
                    queue.append((n, .routesReceived("rr", .endOfRIB(family))))
                default:
                    break
                }
            }
        }
        queue = []
        queueHead = 0
    }

    func index(of peer: PeerID) -> Int? {
        guard peer.rawValue.hasPrefix("node") else { return nil }
        return Int(peer.rawValue.dropFirst(4))
    }
}

extension VPNTestNetwork where EVPN == RecordingDataplane, IPVPN == RecordingDataplane {
    /// `count` nodes 192.0.2.1... with recording dataplanes.
    public init(nodes count: Int, ecmp: Bool = true, ipvpnEncapsulations: [TunnelType] = [.mpls]) {
        self.init(
            drivers: (0..<count).map { i in
                let address = IPv4Address(192, 0, 2, UInt8(i + 1))
                return (
                    address, RecordingDataplane(type: .evpn, localAddress: .v4(address)),
                    RecordingDataplane(
                        type: .ipvpn, localAddress: .v4(address), encapsulations: ipvpnEncapsulations,
                        supportsECMP: ecmp)
                )
            }, strict: true)
    }
}
