import BagpipeAgent
import Testing

/// The pure core with value inputs: host snapshots (as the server sends them) → desired attachments → actions.
@Suite("AgentState: desired attachments, consolidation and convergence actions")
struct AgentStateTests {
    static let net = "11111111-2222-3333-4444-555555555555"
    static let portA = "aaaaaaaa-0000-0000-0000-000000000001"
    static let portB = "bbbbbbbb-0000-0000-0000-000000000002"

    /// A port as `GET /v2.0/bagpipe/hosts/{host}/ports` describes it.
    static func port(
        _ id: String, mac: String, ip: String, rt: String? = "64512:100", segmentation: Int64? = 100,
        attachments: [JSON] = [], adminUp: Bool = true, owner: String = "compute:nova"
    ) -> JSON {
        [
            "id": .string(id), "network_id": .string(net), "mac_address": .string(mac),
            "fixed_ips": [["subnet_id": "s1", "ip_address": .string(ip)]], "admin_state_up": .bool(adminUp),
            "device_owner": .string(owner),
            "network": [
                "id": .string(net), "network_type": "route_target",
                "segmentation_id": segmentation.map(JSON.int) ?? .null, "route_target": rt.map(JSON.string) ?? .null,
            ],
            "subnets": [["id": "s1", "cidr": "10.0.0.0/24", "ip_version": 4, "gateway_ip": "10.0.0.1"]],
            "attachments": .array(attachments),
        ]
    }

    /// A server-computed BGPVPN attachment for a port (bgpvpn-api.md §5.3).
    static func service(
        _ type: String, mac: String, ip: String, port: String, imports: [String], exports: [String],
        localPref: JSON = .null, vni: JSON = .null, instance: String? = nil
    ) -> JSON {
        var o: [String: JSON] = [
            "vpn_type": .string(type), "vpn_instance_id": .string(instance ?? "\(type)_\(net)"),
            "mac_address": .string(mac), "ip_address": .string(ip), "gateway_ip": "10.0.0.1",
            "description": ["port": .string(port)], "import_rt": .array(imports.map(JSON.string)),
            "export_rt": .array(exports.map(JSON.string)), "local_pref": localPref, "bgpvpns": ["vpn-1"],
        ]
        if type == "evpn" { o["vni"] = vni }
        return .object(o)
    }

    static func converged(_ ports: [JSON]) -> AgentState {
        var s = AgentState()
        s.setHostPorts(ports)
        for a in s.actions() { s.completed(a) }
        return s
    }

    @Test("a port on a route_target network: one E-VPN attachment with the network's RT, VNI, tap and bridge")
    func networkEVPN() throws {
        var s = AgentState()
        s.setHostPorts([Self.port(Self.portA, mac: "fa:16:3e:00:00:01", ip: "10.0.0.5")])
        let actions = s.actions()
        #expect(actions.count == 1)
        guard case .attach(let a) = try #require(actions.first) else {
            Issue.record("expected an attach")
            return
        }
        #expect(a.vpnType == .evpn)
        #expect(
            a.key
                == AttachmentKey(
                    vpnInstanceID: "evpn_\(Self.net)", macAddress: "fa:16:3e:00:00:01", ipAddress: "10.0.0.5",
                    localPort: "tapaaaaaaaa-00"))
        #expect(
            a.attachBody
                == [
                    "vpn_instance_id": .string("evpn_\(Self.net)"), "vpn_type": "evpn",
                    "mac_address": "fa:16:3e:00:00:01", "ip_address": "10.0.0.5", "gateway_ip": "10.0.0.1",
                    "local_port": ["linuxif": "tapaaaaaaaa-00"], "linuxbr": "brq11111111-22",
                    "import_rt": ["64512:100"], "export_rt": ["64512:100"], "vni": 100,
                    "description": ["port": .string(Self.portA)],
                    "instance_description": .string("network \(Self.net)"),
                ])
        #expect(actions.first?.path == "attach_localport")
    }

    @Test("admin-down ports, network:* ports and networks without a route target give nothing")
    func notPlugged() {
        var s = AgentState()
        s.setHostPorts([
            Self.port(Self.portA, mac: "fa:16:3e:00:00:01", ip: "10.0.0.5", adminUp: false),
            Self.port(Self.portB, mac: "fa:16:3e:00:00:02", ip: "10.0.0.1", owner: "network:router_interface"),
            Self.port("cccccccc-0000", mac: "fa:16:3e:00:00:03", ip: "10.0.0.7", rt: nil, segmentation: nil),
        ])
        #expect(s.desired.isEmpty && s.actions().isEmpty && s.rejectedPorts.isEmpty)
    }

    @Test(
        "an L2 BGPVPN on the network merges into the network's E-VPN: RT union, the BGPVPN's VNI wins, no server keys")
    func evpnMerge() throws {
        let mac = "fa:16:3e:00:00:01"
        var s = AgentState()
        s.setHostPorts([
            Self.port(
                Self.portA, mac: mac, ip: "10.0.0.5",
                attachments: [
                    Self.service(
                        "evpn", mac: mac, ip: "10.0.0.5", port: Self.portA, imports: ["64512:1", "64512:100"],
                        exports: ["64512:1"], vni: 5000)
                ])
        ])
        #expect(s.desired.count == 1)
        let a = try #require(s.desired.values.first)
        #expect(a.importRT == ["64512:100", "64512:1"] && a.exportRT == ["64512:100", "64512:1"])
        #expect(a.attachBody["vni"] == 5000)
        #expect(a.attachBody["bgpvpns"] == nil && a.attachBody["local_pref"] == nil)
        #expect(a.attachBody["local_port"] == ["linuxif": "tapaaaaaaaa-00"])
    }

    @Test("an L3 BGPVPN adds an IP VPN attachment, attached after the E-VPN one, with local_pref")
    func ipvpnOrder() throws {
        let mac = "fa:16:3e:00:00:01"
        var s = AgentState()
        s.setHostPorts([
            Self.port(
                Self.portA, mac: mac, ip: "10.0.0.5",
                attachments: [
                    Self.service(
                        "ipvpn", mac: mac, ip: "10.0.0.5", port: Self.portA, imports: ["64512:7"],
                        exports: ["64512:7"], localPref: 200)
                ])
        ])
        let actions = s.actions()
        #expect(actions.map(\.attachment.vpnType) == [.evpn, .ipvpn])
        let ip = actions[1].attachment
        #expect(ip.attachBody["local_pref"] == 200 && ip.attachBody["gateway_ip"] == "10.0.0.1")
        #expect(ip.attachBody["linuxbr"] == nil)
        #expect(ip.key.vpnInstanceID == "ipvpn_\(Self.net)")
        // The tap is a port of the E-VPN's bridge: the VRF is plugged into the E-VPN instance (§4.5).
        #expect(ip.attachBody["local_port"] == ["evpn": ["id": .string("evpn_\(Self.net)")]])
        #expect(ip.key.localPort == "evpn:evpn_\(Self.net)")
    }

    @Test("a network without a route target: the IP VPN attachment plugs the tap itself")
    func ipvpnOnPlainNetwork() {
        let mac = "fa:16:3e:00:00:01"
        var s = AgentState()
        s.setHostPorts([
            Self.port(
                Self.portA, mac: mac, ip: "10.0.0.5", rt: nil, segmentation: nil,
                attachments: [
                    Self.service(
                        "ipvpn", mac: mac, ip: "10.0.0.5", port: Self.portA, imports: ["64512:7"],
                        exports: ["64512:7"])
                ])
        ])
        let actions = s.actions()
        #expect(actions.map(\.attachment.vpnType) == [.ipvpn])
        #expect(actions.first?.attachment.attachBody["local_port"] == ["linuxif": "tapaaaaaaaa-00"])
    }

    @Test("route targets are consolidated per instance across the host's ports (one port's port association)")
    func consolidationAcrossPorts() {
        let macA = "fa:16:3e:00:00:01"
        let macB = "fa:16:3e:00:00:02"
        var s = AgentState()
        s.setHostPorts([
            Self.port(
                Self.portA, mac: macA, ip: "10.0.0.5",
                attachments: [
                    Self.service(
                        "ipvpn", mac: macA, ip: "10.0.0.5", port: Self.portA, imports: ["64512:7", "64512:8"],
                        exports: ["64512:7"])
                ]),
            Self.port(
                Self.portB, mac: macB, ip: "10.0.0.6",
                attachments: [
                    Self.service(
                        "ipvpn", mac: macB, ip: "10.0.0.6", port: Self.portB, imports: ["64512:7"],
                        exports: ["64512:7", "64512:9"])
                ]),
        ])
        let vrf = s.desired.values.filter { $0.vpnType == .ipvpn }
        #expect(vrf.count == 2)
        #expect(vrf.allSatisfy { $0.importRT == ["64512:7", "64512:8"] && $0.exportRT == ["64512:7", "64512:9"] })
    }

    @Test("converged state: no action; the same snapshot again: still none")
    func idempotent() {
        let ports = [Self.port(Self.portA, mac: "fa:16:3e:00:00:01", ip: "10.0.0.5")]
        var s = Self.converged(ports)
        #expect(s.isConverged && s.applied.count == 1)
        s.setHostPorts(ports)
        #expect(s.actions().isEmpty)
    }

    @Test("removing the association: detach the IP VPN only; deleting the port: detach IP VPN before E-VPN")
    func detachOrder() {
        let mac = "fa:16:3e:00:00:01"
        let withVPN = [
            Self.port(
                Self.portA, mac: mac, ip: "10.0.0.5",
                attachments: [
                    Self.service(
                        "ipvpn", mac: mac, ip: "10.0.0.5", port: Self.portA, imports: ["1:1"], exports: ["1:1"])
                ])
        ]
        var s = Self.converged(withVPN)
        s.setHostPorts([Self.port(Self.portA, mac: mac, ip: "10.0.0.5")])
        let a = s.actions()
        #expect(a.count == 1)
        #expect(a.first.map { if case .detach = $0 { true } else { false } } == true)
        #expect(a.first?.attachment.vpnType == .ipvpn)
        #expect(
            a.first?.body
                == [
                    "vpn_instance_id": .string("ipvpn_\(Self.net)"), "vpn_type": "ipvpn", "mac_address": .string(mac),
                    "ip_address": "10.0.0.5", "local_port": ["evpn": ["id": .string("evpn_\(Self.net)")]],
                ])
        s = Self.converged(withVPN)
        s.setHostPorts([])
        #expect(s.actions().map(\.description).map { $0.prefix(12) } == ["detach ipvpn", "detach evpn "])
        for x in s.actions() { s.completed(x) }
        #expect(s.applied.isEmpty && s.isConverged)
    }

    @Test("a route-target change is a re-attach; a gateway change is a detach then an attach")
    func changes() {
        let mac = "fa:16:3e:00:00:01"
        var s = Self.converged([Self.port(Self.portA, mac: mac, ip: "10.0.0.5")])
        s.setHostPorts([Self.port(Self.portA, mac: mac, ip: "10.0.0.5", rt: "64512:101")])
        #expect(s.actions().map(\.path) == ["attach_localport"])
        #expect(s.actions().first?.attachment.importRT == ["64512:101"])
        s = Self.converged([Self.port(Self.portA, mac: mac, ip: "10.0.0.5")])
        s.setHostPorts([Self.port(Self.portA, mac: mac, ip: "10.0.0.5", segmentation: 105)])
        #expect(s.actions().map(\.path) == ["detach_localport", "attach_localport"])
    }

    @Test("an IP change is a new endpoint: the old key is detached, the new one attached")
    func ipChange() {
        let mac = "fa:16:3e:00:00:01"
        var s = Self.converged([Self.port(Self.portA, mac: mac, ip: "10.0.0.5")])
        s.setHostPorts([Self.port(Self.portA, mac: mac, ip: "10.0.0.9")])
        let a = s.actions()
        #expect(a.map(\.path) == ["detach_localport", "attach_localport"])
        #expect(a.map(\.attachment.key.ipAddress) == ["10.0.0.5", "10.0.0.9"])
    }

    @Test("bagpipe-bgp restart: everything desired is replayed, E-VPN first")
    func restart() {
        let mac = "fa:16:3e:00:00:01"
        var s = Self.converged([
            Self.port(
                Self.portA, mac: mac, ip: "10.0.0.5",
                attachments: [
                    Self.service(
                        "ipvpn", mac: mac, ip: "10.0.0.5", port: Self.portA, imports: ["1:1"], exports: ["1:1"])
                ])
        ])
        #expect(s.isConverged)
        s.bagpipeRestarted()
        #expect(s.applied.isEmpty)
        #expect(s.actions().map(\.description).map { $0.prefix(12) } == ["attach evpn ", "attach ipvpn"])
    }

    @Test("a failed call is not recorded: the same action comes back until it succeeds")
    func failedIsRetried() {
        var s = AgentState()
        s.setHostPorts([Self.port(Self.portA, mac: "fa:16:3e:00:00:01", ip: "10.0.0.5")])
        let first = s.actions()
        // The shell did not call completed(): nothing changed.
        #expect(s.actions() == first)
        s.completed(first[0])
        #expect(s.actions().isEmpty)
    }

    @Test("port-association routes: their own instances, next to the fixed-IP one")
    func prefixRoutes() {
        let mac = "fa:16:3e:00:00:01"
        var route = Self.service(
            "ipvpn", mac: mac, ip: "20.1.0.0/16", port: Self.portA, imports: ["1:2"], exports: ["1:2"],
            instance: "ipvpn_portassoc_x_prefix_20_1_0_0_16")
        if case .object(var o) = route {
            o["advertise_subnet"] = true
            o["direction"] = "to-port"
            route = .object(o)
        }
        var s = AgentState()
        s.setHostPorts([Self.port(Self.portA, mac: mac, ip: "10.0.0.5", attachments: [route])])
        let r = s.desired.values.first { $0.key.vpnInstanceID.contains("portassoc") }
        #expect(r?.importRT == ["1:2"] && r?.attachBody["advertise_subnet"] == true)
        #expect(s.desired.count == 2)
        // `to-port` only: sent to the tap, as the E-VPN instance's one gateway port is the fixed-IP VRF's.
        #expect(r?.attachBody["local_port"] == ["linuxif": "tapaaaaaaaa-00"])
    }

    @Test("a malformed port is reported and left out; the others are served")
    func malformed() {
        var s = AgentState()
        s.setHostPorts([
            ["id": "broken", "network_id": "n"],
            Self.port(Self.portA, mac: "fa:16:3e:00:00:01", ip: "10.0.0.5"),
            Self.port(
                Self.portB, mac: "fa:16:3e:00:00:02", ip: "10.0.0.6",
                attachments: [["vpn_type": "l9", "vpn_instance_id": "x", "mac_address": "fa:16:3e:00:00:02"]]),
        ])
        #expect(s.rejectedPorts.count == 2)
        #expect(s.rejectedPorts[0] == "broken: port broken has no 'mac_address'")
        #expect(s.rejectedPorts[1].contains("unknown vpn_type 'l9'"))
        #expect(s.desired.count == 1)
    }
}
