import BGPWire

/// A validated `detach_localport` body (§6.3). Other members (the full attach body that `bagpipe-rest-attach`
/// sends) are ignored, as in the original.
public struct DetachRequest: Hashable, Sendable {
    public var vpnInstanceID: String
    public var vpnType: VPNType
    public var macAddress: MACAddress
    /// Mandatory for ipvpn; nil for evpn means every IP of the MAC (§4.2 `vif_unplugged`).
    public var ipAddress: EndpointAddress?
    public var localPort: LocalPort

    public init(
        vpnInstanceID: String, vpnType: VPNType, macAddress: MACAddress, ipAddress: EndpointAddress?,
        localPort: LocalPort
    ) {
        self.vpnInstanceID = vpnInstanceID
        self.vpnType = vpnType
        self.macAddress = macAddress
        self.ipAddress = ipAddress
        self.localPort = localPort
    }

    /// Validates a body in the original's order.
    public init(json: JSONValue) throws(APIError) {
        guard case .object(let body) = json else { throw APIError("the request body must be a JSON object") }
        let c = try CommonFields(body, alsoMandatory: [])
        self.init(
            vpnInstanceID: c.vpnInstanceID, vpnType: c.vpnType, macAddress: c.macAddress, ipAddress: c.ipAddress,
            localPort: c.localPort)
    }

    /// Parses and validates the raw body of `POST /detach_localport`.
    public init(body: some Collection<UInt8>) throws(RequestRejection) {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .notJSON }
        do { try self.init(json: json) } catch { throw .invalid(error) }
    }
}
