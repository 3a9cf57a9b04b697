import BGPRouting
import BGPWire
import BagpipeVPN

/// Compute nodes, each a routing engine with a VPN manager and recording dataplanes, all clients of one route
/// reflector engine, with RT Constraint. Messages go through the engines' real UPDATE output; no sockets.
struct SimulatedNetwork {
    struct Node {
        var engine: RoutingEngine
        var manager: VPNManager
        let evpn: RecordingDataplane
        let ipvpn: RecordingDataplane
        let address: IPv4Address
    }

    static let asn: UInt32 = 64512
    static let families: Set<AddressFamily> = [.vpnIPv4, .vpnIPv6, .evpn, .routeTargetConstraint, .vpnIPv4Flowspec]
    static let reflectorAddress = IPv4Address(192, 0, 2, 100)

    var nodes: [Node] = []
    var reflector: RoutingEngine
    /// Engine events on their way: to node i, or to the reflector (nil).
    var queue: [(to: Int?, event: EngineEvent)] = []
    var queueHead = 0

    init(nodes count: Int, ecmp: Bool = true, ipvpnEncapsulations: [TunnelType] = [.mpls]) {
        reflector = RoutingEngine(
            configuration: EngineConfiguration(
                localAS: Self.asn, routerID: Self.reflectorAddress, clusterID: Self.reflectorAddress,
                // As bagpipe-bgp's reflector does: clients send it every VPN route (RFC 4684 §3.2).
                originateDefaultRTC: true))
        for i in 0..<count {
            let address = IPv4Address(192, 0, 2, UInt8(i + 1))
            let evpn = RecordingDataplane(type: .evpn, localAddress: .v4(address))
            let ipvpn = RecordingDataplane(
                type: .ipvpn, localAddress: .v4(address), encapsulations: ipvpnEncapsulations, supportsECMP: ecmp)
            let manager = VPNManager(
                configuration: .init(
                    bgpLocalAddress: address, drivers: [.evpn: DriverTraits(evpn), .ipvpn: DriverTraits(ipvpn)]))
            let engine = RoutingEngine(configuration: EngineConfiguration(localAS: Self.asn, routerID: address))
            nodes.append(Node(engine: engine, manager: manager, evpn: evpn, ipvpn: ipvpn, address: address))
        }
        for i in 0..<count {
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
                let driver = instance.type == .evpn ? nodes[i].evpn : nodes[i].ipvpn
                try! driver.apply(call, instance: instance)
            }
        }
    }

    mutating func process(_ i: Int, _ event: EngineEvent) {
        let effects = nodes[i].engine.process(event)
        for effect in effects {
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
            } else {
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
        }
        queue = []
        queueHead = 0
    }

    func index(of peer: PeerID) -> Int? {
        guard peer.rawValue.hasPrefix("node") else { return nil }
        return Int(peer.rawValue.dropFirst(4))
    }
}

extension MACAddress {
    static func test(_ n: UInt64) -> MACAddress { MACAddress(0x02_00_00_00_00_00 | n) }
}

extension RouteTarget {
    static func test(_ n: UInt32) -> RouteTarget { .as2(64512, n) }
}

func evpnAttachment(
    _ instance: String, mac: UInt64, ip: String?, port: String, rt: UInt32, exportRT: UInt32? = nil, vni: UInt32? = nil
) -> Attachment {
    Attachment(
        instanceID: instance, type: .evpn, mac: .test(mac), ip: ip.flatMap { IPPrefixWithHost($0) },
        port: PortSpec(linuxInterface: port), importRouteTargets: [.test(rt)],
        exportRouteTargets: [.test(exportRT ?? rt)], vni: vni)
}

func ipvpnAttachment(
    _ instance: String, mac: UInt64, ip: String, port: String, rt: UInt32, subnet: Bool = false,
    localPref: UInt32? = nil
) -> Attachment {
    Attachment(
        instanceID: instance, type: .ipvpn, mac: .test(mac), ip: IPPrefixWithHost(ip), advertiseSubnet: subnet,
        gatewayIP: IPAddress("10.0.0.1"), port: PortSpec(linuxInterface: port), importRouteTargets: [.test(rt)],
        exportRouteTargets: [.test(rt)], localPreference: localPref)
}
