public import BGPWire

/// The two kinds of VPN instance (bagpipe-bgp.md §4): an IP VPN VRF (RFC 4364) and an E-VPN EVI (RFC 7432).
public enum VPNType: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case ipvpn
    case evpn

    public var description: String { rawValue }
}

/// Which way traffic flows through a port (bagpipe-bgp.md §4.6).
public enum Direction: String, Hashable, Sendable, CaseIterable {
    /// A route is advertised and VPN traffic is delivered to the port, and the port's traffic is looked up in
    /// the VRF.
    case both
    /// A route is advertised and VPN traffic is delivered to the port.
    case toPort = "to-port"
    /// The port's traffic is looked up in the VRF; no route is advertised.
    case fromPort = "from-port"

    public var forwardsToPort: Bool { self != .fromPort }
    public var forwardsFromPort: Bool { self != .toPort }
}

/// A local port as the dataplane sees it: the Linux interface, and what the OVS drivers need.
public struct LocalPort: Hashable, Sendable {
    public var linuxInterface: String
    /// VLAN of the port's traffic (E-VPN OVS driver, IP VPN OVS driver).
    public var vlan: UInt16?

    public init(linuxInterface: String, vlan: UInt16? = nil) {
        self.linuxInterface = linuxInterface
        self.vlan = vlan
    }
}

/// A remote endpoint to install: where a prefix or MAC is, and through which tunnel.
public struct RemoteEndpoint: Hashable, Sendable {
    public enum Destination: Hashable, Sendable {
        /// IP VPN: a prefix reached through the VRF.
        case prefix(IPPrefix)
        /// E-VPN: a MAC, with the IP bound to it when the route carries one (ARP/ND suppression, §4.7).
        case mac(MACAddress, ip: IPAddress?)
    }
    public var destination: Destination
    /// The remote PE (tunnel endpoint).
    public var nextHop: IPAddress
    /// The MPLS label (IP VPN over MPLS) or the VNI (VXLAN).
    public var label: UInt32
    /// The encapsulations both sides support (RFC 9012 §4.1 communities; none means MPLS).
    public var encapsulations: [TunnelType]
    /// Order of this next hop among the ECMP members (Consistent Hash Sort Order community).
    public var consistentHashOrder: UInt32

    public init(
        destination: Destination, nextHop: IPAddress, label: UInt32, encapsulations: [TunnelType],
        consistentHashOrder: UInt32 = 0
    ) {
        self.destination = destination
        self.nextHop = nextHop
        self.label = label
        self.encapsulations = encapsulations
        self.consistentHashOrder = consistentHashOrder
    }
}

/// What a VPN instance asks of its dataplane (the verbs of bagpipe-bgp.md §5.1). The manager computes these as
/// values; the shell hands them to the driver in order.
public enum DataplaneCall: Hashable, Sendable, CustomStringConvertible {
    /// The instance exists: create its bridge/VXLAN device/VRF.
    case initialize(DataplaneInstance)
    case vifPlugged(mac: MACAddress, ip: IPPrefix?, port: LocalPort, label: UInt32, direction: Direction)
    case vifUnplugged(
        mac: MACAddress, ip: IPPrefix?, port: LocalPort, label: UInt32, direction: Direction, lastEndpoint: Bool)
    case setupRemoteEndpoint(RemoteEndpoint)
    case removeRemoteEndpoint(RemoteEndpoint)
    /// E-VPN broadcast, unknown unicast and multicast: flood to this remote VTEP (RFC 7432 §11, ingress
    /// replication).
    case addFloodEndpoint(nextHop: IPAddress, label: UInt32, encapsulations: [TunnelType])
    case removeFloodEndpoint(nextHop: IPAddress, label: UInt32)
    /// E-VPN ↔ IP VPN stitching (§4.5): a veth pair whose EVI side (`linuxInterface`) joins the EVI as its
    /// gateway port and whose other side (`peerInterface`) is plugged into the VRF.
    case setGatewayPort(linuxInterface: String, peerInterface: String, gatewayIP: IPAddress)
    case gatewayPortDown(linuxInterface: String)
    /// IP VPN: traffic from the ports matching `classifier` is looked up in the VRF `redirectTo` (Flowspec
    /// redirect-to-VRF, RFC 8955 §7.4).
    case addTrafficClassifier(TrafficClassifier, redirectTo: DataplaneInstance)
    case removeTrafficClassifier(TrafficClassifier)
    /// IP VPN: where traffic goes on a VRF lookup miss (`fallback`, bagpipe-bgp.md §6.2; the OVS driver uses it).
    case updateFallback(Fallback)
    /// The instance is gone: remove everything it made.
    case cleanup

    public var description: String {
        switch self {
        case .initialize(let i): "initialize \(i.type) \(i.name) label \(i.label)"
        case .vifPlugged(let mac, let ip, let port, let label, let direction):
            "vif_plugged \(mac) \(ip.map { "\($0)" } ?? "-") \(port.linuxInterface) label \(label) \(direction.rawValue)"
        case .vifUnplugged(let mac, let ip, let port, let label, _, let last):
            "vif_unplugged \(mac) \(ip.map { "\($0)" } ?? "-") \(port.linuxInterface) label \(label) last \(last)"
        case .setupRemoteEndpoint(let e): "setup_remote \(e.destination) via \(e.nextHop) label \(e.label)"
        case .removeRemoteEndpoint(let e): "remove_remote \(e.destination) via \(e.nextHop) label \(e.label)"
        case .addFloodEndpoint(let nh, let label, _): "add_bum \(nh) label \(label)"
        case .removeFloodEndpoint(let nh, let label): "remove_bum \(nh) label \(label)"
        case .setGatewayPort(let interface, let peer, let ip): "set_gateway_port \(interface) (\(peer)) \(ip)"
        case .gatewayPortDown(let interface): "gateway_port_down \(interface)"
        case .addTrafficClassifier(let c, let to): "add_classifier \(c) → \(to.name)"
        case .removeTrafficClassifier(let c): "remove_classifier \(c)"
        case .updateFallback(let f): "update_fallback \(f)"
        case .cleanup: "cleanup"
        }
    }
}

/// `fallback` (bagpipe-bgp.md §6.2): on a VRF lookup miss, send the packet with these MACs out of this OVS port.
public struct Fallback: Hashable, Sendable, CustomStringConvertible {
    public var sourceMAC: MACAddress?
    public var destinationMAC: MACAddress?
    public var ovsPortNumber: Int?

    public init(sourceMAC: MACAddress? = nil, destinationMAC: MACAddress? = nil, ovsPortNumber: Int? = nil) {
        self.sourceMAC = sourceMAC
        self.destinationMAC = destinationMAC
        self.ovsPortNumber = ovsPortNumber
    }

    public var description: String {
        "src \(sourceMAC.map { "\($0)" } ?? "-") dst \(destinationMAC.map { "\($0)" } ?? "-") port \(ovsPortNumber.map { "\($0)" } ?? "-")"
    }
}

/// What a driver needs to set up an instance.
public struct DataplaneInstance: Hashable, Sendable {
    public var type: VPNType
    /// Internal id (1, 2, ...), as in the original's `instance_id`.
    public var id: UInt32
    /// `VRF-1`, `EVI-2`.
    public var name: String
    public var externalID: String
    /// The instance label: the VNI of an EVI, or the VRF's label.
    public var label: UInt32
    public var gatewayIP: IPAddress?
    public var prefixLength: UInt8?
    /// An existing Linux bridge to use (E-VPN `linuxbr`).
    public var linuxBridge: String?

    public init(
        type: VPNType, id: UInt32, name: String, externalID: String, label: UInt32, gatewayIP: IPAddress? = nil,
        prefixLength: UInt8? = nil, linuxBridge: String? = nil
    ) {
        self.type = type
        self.id = id
        self.name = name
        self.externalID = externalID
        self.label = label
        self.gatewayIP = gatewayIP
        self.prefixLength = prefixLength
        self.linuxBridge = linuxBridge
    }
}

/// A dataplane driver (bagpipe-bgp.md §5.1): the real ones program the kernel (issue 6); ``RecordingDataplane``
/// records the calls. Called by one owner, in order, so implementations need no locking of their own.
public protocol DataplaneDriver: AnyObject {
    var type: VPNType { get }
    /// Short name (`dummy`, `linux`), shown by the looking glass.
    var name: String { get }
    /// Encapsulations it can carry (RFC 9012 tunnel types), advertised with the routes and matched against
    /// received ones.
    var supportedEncapsulations: [TunnelType] { get }
    /// Installs several equal-cost next hops for one prefix.
    var supportsECMP: Bool { get }
    /// Directions other than `both` it can honour.
    var supportedDirections: Set<Direction> { get }
    /// The tunnel source address, put in the next hop of advertised routes.
    var localAddress: IPAddress { get }
    func apply(_ call: DataplaneCall, instance: DataplaneInstance) throws
    /// What it knows about an instance, for the looking glass.
    func state(of instance: DataplaneInstance) -> [String: String]
}
