import BGPWire

/// A rejected attach or detach: the REST layer answers 400 with `API error: <message>` (§6.1), the original's
/// `APIException`. Request validation throws it, and so does a ``LocalPortService`` for the checks that depend on
/// state (the factory functions below carry the original's exact texts). Any other error thrown by the service
/// becomes a 500.
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    // MARK: The original's APIException subclasses (common/exceptions.py), same texts.

    /// A mandatory key is absent.
    public static func missingParameter(_ name: String) -> APIError { APIError("Missing parameter: '\(name)'") }

    public static func malformedMACAddress(_ text: String) -> APIError { APIError("MAC address \(text) is not valid") }

    public static func malformedIPAddress(_ text: String) -> APIError { APIError("IP address \(text) is not valid") }

    /// Detach from an instance that does not exist.
    public static func vpnNotFound(_ vpnInstanceID: String) -> APIError {
        APIError("VPN \(vpnInstanceID) could not be found")
    }

    /// A new instance asks for a VNI that another instance already uses (Launchpad #1765764).
    public static func alreadyUsedVNI(_ vni: UInt32) -> APIError {
        APIError("A VPN instance using vni \(vni) already exists.")
    }

    /// Detach of an endpoint that is not plugged. The original prints the Python tuple `(mac, ip)`.
    public static func notPluggedYet(mac: MACAddress, ip: EndpointAddress?) -> APIError {
        let ipText = ip.map { JSONValue.pythonStringRepr($0.description) } ?? "None"
        return APIError(
            "Endpoint (\(JSONValue.pythonStringRepr(mac.description)), \(ipText)) not plugged yet, can't unplug")
    }

    public static func ovsBridgeNotFound(_ bridge: String) -> APIError {
        APIError("OVS bridge '\(bridge)' doesn't exist")
    }

    public static func ovsBridgePortNotFound(interface: String, bridge: String) -> APIError {
        APIError("OVS Port \(interface) doesn't exist on OVS Bridge \(bridge)")
    }

    // MARK: Free-text APIExceptions raised by the original's VPN manager and instances.

    /// No dataplane driver is configured for the type.
    public static func noDataplaneDriver(_ type: VPNType) -> APIError {
        APIError("No dataplane driver for VPN type \(type.rawValue)")
    }

    /// An existing instance with this id has the other type (a plain Exception, hence a 500, in the original).
    public static func instanceTypeMismatch(_ vpnInstanceID: String, existing: VPNType, requested: VPNType) -> APIError
    {
        APIError(
            "Found an existing instance \(vpnInstanceID) with type \(existing.rawValue) (requested: \(requested.rawValue))"
        )
    }

    /// The MAC is already plugged with another local port.
    public static func macBoundToTwoPorts(linuxif: String, previous: LocalPort, new: LocalPort) -> APIError {
        APIError(
            "Port information is not consistent. MAC address cannot be bound to two different ports. "
                + "Previous plug for port \(linuxif) (\(previous.json.pythonRepr) != \(new.json.pythonRepr))")
    }

    /// The IP is already plugged with other MAC addresses.
    public static func inconsistentEndpoint(
        ip: EndpointAddress, mac: MACAddress, boundTo macs: [MACAddress]
    ) -> APIError {
        let set = "{" + macs.map { JSONValue.pythonStringRepr($0.description) }.joined(separator: ", ") + "}"
        return APIError(
            "Inconsistent endpoint info: IP \(ip) already bound to a MAC address different from \(mac) (\(set))")
    }

    /// The driver does not support the direction.
    public static func unsupportedDirection(_ direction: Direction) -> APIError {
        APIError("Unsupported direction: \(direction.rawValue)")
    }
}
