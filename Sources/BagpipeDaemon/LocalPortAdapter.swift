import BGPWire
public import BagpipeAPI
import BagpipeVPN

/// The REST API's service (``LocalPortService``) on top of the VPN service: the validated request as the VPN
/// manager takes it, and its refusals as the original's API errors.
public struct LocalPortAdapter: LocalPortService {
    let vpn: VPNService
    let metrics: DaemonMetrics?

    public init(vpn: VPNService, metrics: DaemonMetrics? = nil) {
        self.vpn = vpn
        self.metrics = metrics
    }

    public func attach(_ r: AttachRequest) async throws {
        do {
            try await vpn.attach(Self.attachment(r))
            metrics?.attached(ok: true)
        } catch {
            metrics?.attached(ok: false)
            throw Self.apiError(error, mac: r.macAddress, ip: r.ipAddress, port: r.localPort)
        }
    }

    public func detach(_ r: DetachRequest) async throws {
        do {
            try await vpn.detach(Self.detachment(r))
            metrics?.detached(ok: true)
        } catch {
            metrics?.detached(ok: false)
            throw Self.apiError(error, mac: r.macAddress, ip: r.ipAddress, port: r.localPort)
        }
    }

    static func type(_ t: BagpipeAPI.VPNType) -> BagpipeVPN.VPNType { t == .ipvpn ? .ipvpn : .evpn }

    static func direction(_ d: BagpipeAPI.Direction) -> BagpipeVPN.Direction {
        switch d {
        case .both: .both
        case .toPort: .toPort
        case .fromPort: .fromPort
        }
    }

    static func port(_ p: BagpipeAPI.LocalPort) -> PortSpec {
        PortSpec(
            linuxInterface: p.linuxif, vlan: (p.vlan ?? p.ovs?.vlan).flatMap { UInt16(exactly: $0) },
            evpnLink: p.evpn?.id)
    }

    static func address(_ e: EndpointAddress?) -> IPPrefixWithHost? {
        e.map { IPPrefixWithHost(address: $0.address, length: $0.length) }
    }

    /// IP protocol numbers of the names the original accepted (ExaBGP's `Protocol.named`).
    static let protocolNumbers: [String: UInt8] = [
        "icmp": 1, "igmp": 2, "tcp": 6, "egp": 8, "udp": 17, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51,
        "ospf": 89, "pim": 103, "sctp": 132,
    ]

    static func attachment(_ r: AttachRequest) throws -> Attachment {
        var attract: BagpipeVPN.AttractTraffic?
        if let a = r.attractTraffic {
            let c = a.classifier
            guard let proto = protocolNumbers[c.protocol.lowercased()] ?? UInt8(c.protocol) else {
                throw APIError("attract_traffic: unknown protocol '\(c.protocol)'")
            }
            func range(_ p: BagpipeAPI.PortRange?) -> BagpipeVPN.PortRange? {
                p.map { BagpipeVPN.PortRange($0.lower, $0.upper) }
            }
            attract = BagpipeVPN.AttractTraffic(
                redirectRouteTargets: a.redirectRTs,
                classifier: BagpipeVPN.TrafficClassifier(
                    sourcePrefix: c.sourcePrefix, destinationPrefix: c.destinationPrefix,
                    sourcePort: range(c.sourcePort), destinationPort: range(c.destinationPort), ipProtocol: proto),
                to: a.toRT, staticDestinationPrefixes: a.staticDestinationPrefixes)
        }
        return Attachment(
            instanceID: r.vpnInstanceID, type: type(r.vpnType), mac: r.macAddress, ip: address(r.ipAddress),
            advertiseSubnet: r.advertiseSubnet, gatewayIP: r.gatewayIP, port: port(r.localPort),
            importRouteTargets: r.importRTs, exportRouteTargets: r.exportRTs,
            consistentHashOrder: r.lbConsistentHashOrder, localPreference: r.localPref,
            vni: r.vni == 0 ? nil : r.vni, linuxBridge: r.linuxbr, direction: direction(r.direction),
            instanceDescription: r.instanceDescription, endpointDescription: r.description.map { "\($0)" },
            readvertise: r.readvertise.map { BagpipeVPN.Readvertise(from: $0.fromRTs, to: $0.toRTs) },
            attractTraffic: attract,
            fallback: r.fallback.map {
                BagpipeVPN.Fallback(sourceMAC: $0.srcMAC, destinationMAC: $0.dstMAC, ovsPortNumber: $0.ovsPortNumber)
            })
    }

    static func detachment(_ r: DetachRequest) -> Detachment {
        Detachment(
            instanceID: r.vpnInstanceID, type: type(r.vpnType), mac: r.macAddress, ip: address(r.ipAddress),
            port: port(r.localPort))
    }

    /// The original's texts where it had an APIException; internal failures stay errors (500).
    static func apiError(
        _ error: any Error, mac: MACAddress, ip: EndpointAddress?, port: BagpipeAPI.LocalPort
    )
        -> any Error
    {
        guard let e = error as? VPNError else { return error }
        switch e {
        case .vpnNotFound(let id): return APIError.vpnNotFound(id)
        case .vniAlreadyUsed(let vni): return APIError.alreadyUsedVNI(vni)
        case .typeMismatch(let id, let existing, let requested):
            return APIError.instanceTypeMismatch(
                id, existing: existing == .ipvpn ? .ipvpn : .evpn, requested: requested == .ipvpn ? .ipvpn : .evpn)
        case .macBoundToAnotherPort(_, let previous):
            return APIError.macBoundToTwoPorts(
                linuxif: port.linuxif ?? "", previous: BagpipeAPI.LocalPort(linuxif: previous), new: port)
        case .ipBoundToAnotherMAC(_, let other):
            return APIError.inconsistentEndpoint(
                ip: ip ?? EndpointAddress(address: .v4(IPv4Address(0)), length: 32), mac: mac,
                boundTo: MACAddress(other).map { [$0] } ?? [])
        case .notPluggedYet: return APIError.notPluggedYet(mac: mac, ip: ip)
        case .unsupportedDirection(let d, _): return APIError.unsupportedDirection(direction(d))
        case .noDriver(let t): return APIError.noDataplaneDriver(t == .ipvpn ? .ipvpn : .evpn)
        case .internalError: return e
        default: return APIError(e.description)
        }
    }

    static func direction(_ d: BagpipeVPN.Direction) -> BagpipeAPI.Direction {
        switch d {
        case .both: .both
        case .toPort: .toPort
        case .fromPort: .fromPort
        }
    }
}
