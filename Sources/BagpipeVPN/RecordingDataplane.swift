public import BGPWire

/// The `dummy` driver (bagpipe-bgp.md §5.2): changes nothing, records every call in order, and keeps the state
/// the calls describe, which tests and the looking glass read.
public final class RecordingDataplane: DataplaneDriver {
    public let type: VPNType
    public let name = "dummy"
    public let supportedEncapsulations: [TunnelType]
    public let supportsECMP: Bool
    public let supportedDirections: Set<Direction> = Set(Direction.allCases)
    public let localAddress: IPAddress
    /// Every call, in order, with the instance name.
    public private(set) var calls: [(instance: String, call: DataplaneCall)] = []
    /// Per instance name: the remote endpoints installed, the flood list, the plugged ports.
    public private(set) var remote: [String: Set<RemoteEndpoint>] = [:]
    public private(set) var flood: [String: Set<IPAddress>] = [:]
    public private(set) var ports: [String: Set<String>] = [:]
    public private(set) var instances: Set<String> = []
    /// Per instance name: the redirected traffic and the instance it goes to.
    public private(set) var classifiers: [String: [TrafficClassifier: String]] = [:]
    public private(set) var fallbacks: [String: Fallback] = [:]

    public init(
        type: VPNType, localAddress: IPAddress, encapsulations: [TunnelType]? = nil, supportsECMP: Bool = true
    ) {
        self.type = type
        self.localAddress = localAddress
        supportedEncapsulations = encapsulations ?? (type == .evpn ? [.vxlan] : [.mpls])
        self.supportsECMP = supportsECMP
    }

    public func apply(_ call: DataplaneCall, instance: DataplaneInstance) throws {
        calls.append((instance.name, call))
        let n = instance.name
        switch call {
        case .initialize: instances.insert(n)
        case .vifPlugged(_, _, let port, _, _): ports[n, default: []].insert(port.linuxInterface)
        case .vifUnplugged(_, _, let port, _, _, let last): if last { ports[n]?.remove(port.linuxInterface) }
        case .setupRemoteEndpoint(let e): remote[n, default: []].insert(e)
        case .removeRemoteEndpoint(let e): remote[n]?.remove(e)
        case .addFloodEndpoint(let nh, _, _): flood[n, default: []].insert(nh)
        case .removeFloodEndpoint(let nh, _): flood[n]?.remove(nh)
        case .setGatewayPort(let interface, _, _): ports[n, default: []].insert(interface)
        case .gatewayPortDown(let interface): ports[n]?.remove(interface)
        case .addTrafficClassifier(let c, let to): classifiers[n, default: [:]][c] = to.name
        case .removeTrafficClassifier(let c): classifiers[n]?[c] = nil
        case .updateFallback(let f): fallbacks[n] = f
        case .cleanup:
            instances.remove(n)
            classifiers[n] = nil
            fallbacks[n] = nil
            remote[n] = nil
            flood[n] = nil
            ports[n] = nil
        }
    }

    public func state(of instance: DataplaneInstance) -> [String: String] {
        let n = instance.name
        return [
            "remote_endpoints": (remote[n] ?? []).map { "\($0.destination) via \($0.nextHop)" }.sorted().joined(
                separator: ", "),
            "flood_list": (flood[n] ?? []).map(\.description).sorted().joined(separator: ", "),
            "ports": (ports[n] ?? []).sorted().joined(separator: ", "),
        ]
    }
}
