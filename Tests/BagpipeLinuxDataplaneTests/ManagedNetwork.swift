import BGPRouting
import BGPWire
import BagpipeVPN

/// Compute nodes as in Tests/BagpipeVPNTests/SimulatedNetwork.swift (a routing engine and a real VPNManager
/// each, clients of one route reflector engine, UPDATEs carried in memory), but with the Linux drivers: the
/// manager's dataplane calls program the node namespaces.
struct ManagedNetwork {
    struct Node {
        var engine: RoutingEngine
        var manager: VPNManager
        let evpn: any DataplaneDriver
        let ipvpn: any DataplaneDriver
        let address: IPv4Address
    }

    static let asn: UInt32 = 64512
    static let families: Set<AddressFamily> = [.vpnIPv4, .vpnIPv6, .evpn, .routeTargetConstraint]
    static let reflectorAddress = IPv4Address(192, 0, 2, 100)

    var nodes: [Node] = []
    var reflector: RoutingEngine
    var queue: [(to: Int?, event: EngineEvent)] = []
    var queueHead = 0
    /// The first driver error, if any (the manager's effects are carried out without throwing).
    var failures: [String] = []

    init(drivers: [(address: IPv4Address, evpn: any DataplaneDriver, ipvpn: any DataplaneDriver)]) {
        reflector = RoutingEngine(
            configuration: EngineConfiguration(
                localAS: Self.asn, routerID: Self.reflectorAddress, clusterID: Self.reflectorAddress,
                originateDefaultRTC: true))
        for d in drivers {
            let manager = VPNManager(
                configuration: .init(
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

    mutating func attach(_ node: Int, _ a: Attachment) throws(VPNError) {
        let effects = try nodes[node].manager.attach(a)
        apply(node, effects)
        pump()
    }

    mutating func detach(_ node: Int, _ d: Detachment) throws(VPNError) {
        let effects = try nodes[node].manager.detach(d)
        apply(node, effects)
        pump()
    }

    mutating func apply(_ i: Int, _ effects: [VPNEffect]) {
        for effect in effects {
            switch effect {
            case .subscribe(let s): process(i, .subscribe(s))
            case .unsubscribe(let s): process(i, .unsubscribe(s))
            case .advertise(let route, let s): process(i, .localRoute(s, .advertise(route)))
            case .withdraw(let key, let s): process(i, .localRoute(s, .withdraw(key)))
            case .removeSubscriber(let s): process(i, .removeSubscriber(s))
            case .dataplane(let instance, let call):
                let driver = instance.type == .evpn ? nodes[i].evpn : nodes[i].ipvpn
                do {
                    try driver.apply(call, instance: instance)
                } catch {
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
