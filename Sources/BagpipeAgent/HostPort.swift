/// One port of the host snapshot (`GET /v2.0/bagpipe/hosts/{host}/ports`, docs/server.md "Agent feed"), turned into
/// the attachments this agent makes for it.
public struct HostPort: Hashable, Sendable {
    public var id: String
    public var networkID: String
    public var macAddress: String
    /// The first IPv4 fixed IP, as the original agents used (bgpvpn-api.md §5.2).
    public var ipv4Address: String?
    /// The first IPv4 subnet's gateway.
    public var gatewayIP: String?
    /// The network's own route target (`route_target` network type): `<AS>:<segmentation id>`.
    public var routeTarget: String?
    public var segmentationID: Int64?
    /// False for admin-down ports and `network:*` ports (router interfaces, DHCP), which are not plugged.
    public var plugged: Bool
    /// What the server computed from the BGPVPN associations (bgpvpn-api.md §5.3), without `local_port`.
    public var serviceAttachments: [[String: JSON]]

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notAnObject
        case missing(port: String?, field: String)

        public var description: String {
            switch self {
            case .notAnObject: "a port of the host state is not a JSON object"
            case .missing(let port, let field): "port \(port ?? "?") has no '\(field)'"
            }
        }
    }

    public init(_ json: JSON) throws(ParseError) {
        guard let o = json.objectValue else { throw .notAnObject }
        guard let id = o["id"]?.stringValue else { throw .missing(port: nil, field: "id") }
        guard let net = o["network_id"]?.stringValue else { throw .missing(port: id, field: "network_id") }
        guard let mac = o["mac_address"]?.stringValue else { throw .missing(port: id, field: "mac_address") }
        self.id = id
        networkID = net
        macAddress = mac
        ipv4Address =
            (o["fixed_ips"]?.arrayValue ?? []).compactMap { $0["ip_address"]?.stringValue }.first { !$0.contains(":") }
        let subnets = o["subnets"]?.arrayValue ?? []
        gatewayIP = subnets.first { $0["ip_version"]?.intValue == 4 }?["gateway_ip"]?.stringValue
        routeTarget = o["network"]?["route_target"]?.stringValue
        segmentationID = o["network"]?["segmentation_id"]?.intValue
        plugged =
            o["admin_state_up"]?.boolValue != false && !(o["device_owner"]?.stringValue ?? "").hasPrefix("network:")
        serviceAttachments = (o["attachments"]?.arrayValue ?? []).compactMap(\.dictionaryValue)
    }

    /// The local interface name of the port: `tap` + the first 11 characters of its id (Linux names are at most
    /// 15 bytes), as the Neutron agents name it (bagpipe-bgp.md §8.5).
    public var tapName: String { "tap" + id.prefix(11) }
    /// The network's Linux bridge (linuxbridge naming, §8.5).
    public var bridgeName: String { "brq" + networkID.prefix(11) }

    /// The network's own E-VPN (the ML2 `bagpipe` application, bagpipe-bgp.md §8.1 and §8.5): every plugged port
    /// of a `route_target` network joins `evpn_<network>` with the network's route target and VNI.
    func networkAttachment() -> [String: JSON]? {
        guard plugged, let rt = routeTarget else { return nil }
        var a: [String: JSON] = [
            "vpn_instance_id": .string("evpn_\(networkID)"), "vpn_type": "evpn", "mac_address": .string(macAddress),
            "import_rt": [.string(rt)], "export_rt": [.string(rt)], "linuxbr": .string(bridgeName),
            "description": ["port": .string(id)],
            "instance_description": .string("network \(networkID)"),
        ]
        if let ip = ipv4Address { a["ip_address"] = .string(ip) }
        if let gw = gatewayIP { a["gateway_ip"] = .string(gw) }
        if let vni = segmentationID { a["vni"] = .int(vni) }
        return a
    }

    /// Every attachment of the port, E-VPN first, with `local_port` set; attachments of several services for the
    /// same endpoint are merged (bagpipe-bgp.md §8.2 `_compile_port_attach_info`).
    public func attachments() throws(LocalAttachment.BodyError) -> [LocalAttachment] {
        guard plugged else { return [] }
        var out: [LocalAttachment] = []
        var index: [AttachmentKey: Int] = [:]
        let bodies = [networkAttachment()].compactMap({ $0 }) + serviceAttachments
        // A port in an E-VPN is a port of that E-VPN's bridge, where a VRF cannot see its packets: its IP VPN
        // attachment plugs the VRF into the E-VPN instance instead (bagpipe-bgp.md §4.5), and the VMs reach the
        // VRF through the instance's gateway port, as the original's OVS agent redirected gateway traffic (§8.3).
        // An instance has one gateway port: the port association's extra VRFs (prefix and leak routes, bgpvpn-api.md
        // §5.3) are `to-port` only, and send to the tap itself (the driver's permanent neighbour for the VM).
        let evpnInstance = bodies.first { $0["vpn_type"] == "evpn" }?["vpn_instance_id"]?.stringValue
        for var body in bodies {
            // The server's bookkeeping, not part of bagpipe-bgp's schema; and JSON nulls mean "not given".
            body["bgpvpns"] = nil
            body = body.filter { !$0.value.isNull }
            if body["vpn_type"] == "ipvpn", let evpnInstance, body["direction"]?.stringValue != "to-port" {
                body["local_port"] = ["evpn": ["id": .string(evpnInstance)]]
            } else {
                body["local_port"] = ["linuxif": .string(tapName)]
            }
            if body["vpn_type"] == "evpn" && body["linuxbr"] == nil { body["linuxbr"] = .string(bridgeName) }
            let a = try LocalAttachment(body: body)
            if let i = index[a.key] {
                out[i].merge(a)
            } else {
                index[a.key] = out.count
                out.append(a)
            }
        }
        return out.sorted { ($0.vpnType, $0.key) < ($1.vpnType, $1.key) }
    }
}
