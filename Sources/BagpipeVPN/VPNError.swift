/// Why an attach or detach was refused. Each is a client error (400 `API error: <message>` in the REST API) unless
/// ``isInternal``; the texts are the original's where it had one (bagpipe-bgp.md §6.1).
public enum VPNError: Error, Hashable, Sendable, CustomStringConvertible {
    case vpnNotFound(String)
    case vniAlreadyUsed(UInt32)
    case typeMismatch(instance: String, existing: VPNType, requested: VPNType)
    case macBoundToAnotherPort(mac: String, port: String)
    case ipBoundToAnotherMAC(ip: String, mac: String)
    case notPluggedYet(mac: String, ip: String?)
    case unsupportedDirection(Direction, driver: String)
    case missingGatewayIP
    case missingIPAddress
    case missingLinuxInterface
    case evpnLink(String)
    case noDriver(VPNType)
    case attractTraffic(String)
    /// Labels, RDs or instance ids are exhausted, or a driver failed: a server error.
    case internalError(String)

    public var isInternal: Bool {
        if case .internalError = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .vpnNotFound(let id): "VPN \(id) could not be found"
        case .vniAlreadyUsed(let vni): "A VPN instance using vni \(vni) already exists."
        case .typeMismatch(let id, let existing, let requested):
            "VPN instance \(id) exists with type \(existing), not \(requested)"
        case .macBoundToAnotherPort(let mac, let port):
            "MAC address cannot be bound to two different ports (\(mac) is already on \(port))"
        case .ipBoundToAnotherMAC(let ip, let mac): "Inconsistent endpoint info: \(ip) is already bound to \(mac)"
        case .notPluggedYet(let mac, let ip): "Endpoint (\(mac), \(ip ?? "None")) not plugged yet, can't unplug"
        case .unsupportedDirection(let d, let driver): "Unsupported direction: \(d.rawValue) (driver \(driver))"
        case .missingGatewayIP: "Missing parameter: 'gateway_ip'"
        case .missingIPAddress: "Missing parameter: 'ip_address'"
        case .missingLinuxInterface: "local_port requires 'linuxif' or 'evpn'"
        case .evpnLink(let why): why
        case .noDriver(let type): "no dataplane driver for vpn_type \(type)"
        case .attractTraffic(let why): why
        case .internalError(let why): why
        }
    }
}
