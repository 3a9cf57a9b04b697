import BGPWire
import Testing

@testable import BagpipeAPI

/// A valid ipvpn body (the Neutron OVS extension's, §6.3) that the tests vary.
func agentBody() -> JSONObject {
    [
        "vpn_instance_id": "ipvpn_net1", "vpn_type": "ipvpn", "mac_address": "00:00:de:ad:be:ef",
        "ip_address": "10.0.0.2", "gateway_ip": "10.0.0.1",
        "local_port": ["linuxif": "patch2tun:31", "ovs": ["plugged": true, "port_number": 7, "vlan": 31]],
        "fallback": ["dst_mac": "aa:bb:cc:dd:ee:ff", "src_mac": "00:00:5e:2a:10:00", "ovs_port_number": 4],
        "import_rt": ["64512:100"], "export_rt": ["64512:100"], "local_pref": 200,
        "description": ["port": "uuid-1"], "instance_description": "BGPVPN ipvpn associations for net1",
    ]
}

func attachError(_ body: JSONObject) -> String? {
    do {
        _ = try AttachRequest(json: .object(body))
        return nil
    } catch {
        return error.message
    }
}

func with(_ body: JSONObject, _ changes: [String: JSONValue?]) -> JSONObject {
    var b = body
    for (k, v) in changes { b[k] = v }
    return b
}

@Suite struct AttachRequestTests {
    @Test func agentBodyIsTyped() throws {
        let r = try AttachRequest(json: .object(agentBody()))
        #expect(r.vpnInstanceID == "ipvpn_net1")
        #expect(r.vpnType == .ipvpn)
        #expect(r.macAddress == MACAddress("00:00:de:ad:be:ef"))
        #expect(r.ipAddress?.description == "10.0.0.2/32")
        #expect(r.gatewayIP == IPAddress("10.0.0.1"))
        #expect(r.localPort == LocalPort(linuxif: "patch2tun:31", ovs: .init(plugged: true, portNumber: 7, vlan: 31)))
        #expect(
            r.fallback
                == Fallback(
                    srcMAC: MACAddress("00:00:5e:2a:10:00"), dstMAC: MACAddress("aa:bb:cc:dd:ee:ff"), ovsPortNumber: 4))
        #expect(r.importRTs == [.as2(64512, 100)])
        #expect(r.localPref == 200)
        #expect(r.description == ["port": "uuid-1"])
        #expect(r.instanceDescription == "BGPVPN ipvpn associations for net1")
        #expect(r.direction == .both && r.vni == 0 && r.lbConsistentHashOrder == 0 && !r.advertiseSubnet)
        #expect(r.readvertise == nil && r.attractTraffic == nil && r.linuxbr == nil)
    }

    @Test func restAttachExampleBody() throws {
        // §6.3's example from bagpipe-rest-attach.
        let text = """
            {"import_rt": ["64512:77"], "export_rt": ["64512:77"], "local_port": {"linuxif": "tap42"},
             "vpn_instance_id": "ipvpn-bagpipe-test", "vpn_type": "ipvpn", "gateway_ip": "11.11.11.254",
             "mac_address": "de:ad:00:00:be:ef", "ip_address": "11.11.11.1/24", "advertise_subnet": false,
             "readvertise": null, "attract_traffic": {}, "lb_consistent_hash_order": 0, "vni": 0,
             "direction": "both"}
            """
        let r = try AttachRequest(body: Array(text.utf8))
        #expect(r.ipAddress == EndpointAddress(address: IPAddress("11.11.11.1")!, length: 24))
        #expect(r.ipAddress?.prefix.description == "11.11.11.0/24")
        #expect(r.readvertise == nil && r.attractTraffic == nil)
    }

    @Test(
        arguments: [
            // (changes, expected message), in the validation order of §6.2.
            (["vpn_type": nil, "vpn_instance_id": nil], "missing instance_type"),
            (["vpn_type": "l3vpn", "vpn_instance_id": nil], "unknown vpn_type: l3vpn"),
            (["vpn_type": 3], "unknown vpn_type: 3"),
            (["vpn_instance_id": nil, "mac_address": nil], "Missing parameter: 'vpn_instance_id'"),
            (["mac_address": nil, "local_port": nil], "Missing parameter: 'mac_address'"),
            (["local_port": nil], "Missing parameter: 'local_port'"),
            (["ip_address": nil, "import_rt": nil], "Missing parameter: 'ip_address'"),
            (["import_rt": nil], "Missing parameter: 'import_rt'"),
            (["export_rt": nil], "Missing parameter: 'export_rt'"),
            (["local_port": 3], "'local_port' must be a string or an object"),
            (["import_rt": 5, "local_port": [:]], "'import_rt' must be a list of strings or a comma-separated string"),
            (
                ["local_port": ["ovs": ["plugged": true]], "mac_address": "x"],
                "Mandatory key is missing in local_port parameter (linuxif, or evpn)"
            ),
            (["mac_address": "00:00:de:ad:be", "ip_address": "x"], "MAC address 00:00:de:ad:be is not valid"),
            (["mac_address": nil as JSONValue?].mapValues { _ in JSONValue.null }, "MAC address None is not valid"),
            (["ip_address": "10.0.0.300", "advertise_subnet": "yes"], "IP address 10.0.0.300 is not valid"),
            (["ip_address": "10.0.0.1/33"], "IP address 10.0.0.1/33 is not valid"),
            (["advertise_subnet": "yes", "direction": "up"], "'advertise_subnet' must be a boolean"),
            (["direction": "up", "gateway_ip": nil], "direction should be one of: both, to-port, from-port"),
            (["vni": 16_777_216], "'vni' must be an integer between 0 and 16777215"),
            (["gateway_ip": nil, "import_rt": "x"], "Missing parameter: 'gateway_ip'"),
            (["gateway_ip": "10.0.0"], "'gateway_ip' 10.0.0 is not a valid IP address"),
            (["import_rt": "64512:1,bogus"], "Malformed route target: 'bogus'"),
            (["export_rt": ["64512:1", "1:2:3"]], "Malformed route target: '1:2:3'"),
            (["readvertise": ["from_rt": ["64512:3"]]], "Wrong 'readvertise' parameters: 'to_rt'"),
            (["readvertise": ["to_rt": ["64512:3"]]], "Wrong 'readvertise' parameters: 'from_rt'"),
            (["attract_traffic": ["classifier": [:]]], "Wrong 'attract_traffic' parameters: 'redirect_rts'"),
            (
                ["attract_traffic": ["redirect_rts": ["64512:5"], "to_rt": ["64512:4"]]],
                "'attract_traffic/to_rt' specified without 'static_destination_prefixes'"
            ),
            (
                [
                    "readvertise": ["from_rt": [], "to_rt": ["64512:4"]],
                    "attract_traffic": ["redirect_rts": ["64512:5"], "to_rt": ["64512:6"]],
                ],
                "if both are set, then 'attract_traffic/to_rt' and 'readvertise/to_rt' have to be equal"
            ),
            (
                [
                    "readvertise": ["from_rt": [], "to_rt": ["64512:4", "64512:6"]],
                    "attract_traffic": ["redirect_rts": []],
                ],
                "attract_traffic requires exactly one RT to be provided in 'readvertise/to_rt' and 'attract_traffic/to_rt'"
            ),
            (
                ["readvertise": ["from_rt": [], "to_rt": ["64512:4"]], "attract_traffic": ["redirect_rts": []]],
                "'attract_traffic' specified with no 'classifier'"
            ),
            (
                [
                    "readvertise": ["from_rt": [], "to_rt": ["64512:4"]],
                    "attract_traffic": ["redirect_rts": [], "classifier": ["sourcePort": "80:20"]],
                ],
                "'attract_traffic/classifier/sourcePort': 80:20 is not a port or a port range"
            ),
            (["local_pref": -1], "'local_pref' must be an integer between 0 and 4294967295"),
            (["fallback": ["src_mac": "zz"]], "MAC address zz is not valid"),
            (
                ["local_port": ["linuxif": "tap1", "ovs": ["vlan": 5000]]],
                "'local_port/ovs/vlan' must be an integer between 0 and 4095"
            ),
            (
                ["vpn_type": "evpn", "local_port": ["evpn": ["id": "e1"]]],
                "'local_port/evpn' is only valid for an ipvpn attachment"
            ),
        ] as [([String: JSONValue?], String)])
    func rejected(_ changes: [String: JSONValue?], _ message: String) {
        #expect(attachError(with(agentBody(), changes)) == message)
    }

    @Test func notJSONAndNotObject() {
        #expect(throws: RequestRejection.notJSON) { try AttachRequest(body: Array("{".utf8)) }
        #expect(throws: RequestRejection.notJSON) { try AttachRequest(body: [UInt8]()) }
        #expect(RequestRejection.notJSON.httpMessage == "No local port details received")
        #expect(throws: RequestRejection.invalid(APIError("the request body must be a JSON object"))) {
            try AttachRequest(body: Array("[1]".utf8))
        }
    }

    @Test func routeTargetsSplitAndDedupeKeepingOrder() throws {
        let r = try AttachRequest(
            json: .object(
                with(agentBody(), ["import_rt": "64512:2,,, 64512:1,64512:2,", "export_rt": ["", "64512:9"]])))
        #expect(r.importRTs == [.as2(64512, 2), .as2(64512, 1)])
        #expect(r.exportRTs == [.as2(64512, 9)])
    }

    @Test func localPortStringAndMACForms() throws {
        for mac in ["aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "aabbccddeeff", "aabbcc-ddeeff"] {
            let r = try AttachRequest(
                json: .object(with(agentBody(), ["mac_address": .string(mac), "local_port": "tap1"])))
            #expect(r.macAddress == MACAddress(0xAABB_CCDD_EEFF))
            #expect(r.localPort == LocalPort(linuxif: "tap1"))
        }
    }

    @Test func evpnDefaultsAndNullables() throws {
        let body: JSONObject = [
            "vpn_instance_id": "evpn1", "vpn_type": "evpn", "mac_address": "aa:bb:cc:dd:ee:01", "local_port": "tap1",
            "import_rt": "64512:1", "export_rt": "64512:1", "ip_address": nil, "direction": "", "vni": 5000,
            "linuxbr": "brq1", "readvertise": nil, "attract_traffic": [:], "local_pref": nil,
        ]
        let r = try AttachRequest(json: .object(body))
        #expect(r.ipAddress == nil && r.gatewayIP == nil && r.direction == .both && r.vni == 5000)
        #expect(r.linuxbr == "brq1" && r.localPref == nil)
    }

    @Test func attractTrafficInForce() throws {
        let r = try AttachRequest(
            json: .object(
                with(
                    agentBody(),
                    [
                        "readvertise": ["from_rt": ["64512:3"], "to_rt": ["64512:4"]],
                        "attract_traffic": [
                            "redirect_rts": ["64512:5"],
                            "classifier": ["destinationPort": "1000:2000", "sourcePrefix": "1.2.3.0/24"],
                        ],
                    ])))
        #expect(r.readvertise == Readvertise(fromRTs: [.as2(64512, 3)], toRTs: [.as2(64512, 4)]))
        #expect(r.attractTraffic?.toRT == .as2(64512, 4))
        #expect(r.attractTraffic?.classifier.destinationPort == PortRange(1000, 2000))
        #expect(r.attractTraffic?.classifier.protocol == "tcp")
        // Without readvertise nor to_rt the original ignores attract_traffic.
        let ignored = try AttachRequest(
            json: .object(with(agentBody(), ["attract_traffic": ["redirect_rts": ["64512:5"]]])))
        #expect(ignored.attractTraffic == nil)
    }

    @Test func detachValidation() throws {
        let d = try DetachRequest(
            json: [
                "vpn_instance_id": "evpn1", "vpn_type": "evpn", "mac_address": "aa:bb:cc:dd:ee:01",
                "local_port": "tap1",
            ])
        #expect(d.ipAddress == nil && d.localPort.linuxif == "tap1")
        #expect(throws: APIError.missingParameter("ip_address")) {
            try DetachRequest(json: [
                "vpn_instance_id": "v", "vpn_type": "ipvpn", "mac_address": "aa:bb:cc:dd:ee:01", "local_port": "t",
            ])
        }
        #expect(throws: APIError("missing instance_type")) { try DetachRequest(json: [:]) }
    }

    @Test func serviceErrorTexts() {
        #expect(APIError.vpnNotFound("x").message == "VPN x could not be found")
        #expect(APIError.alreadyUsedVNI(12).message == "A VPN instance using vni 12 already exists.")
        #expect(
            APIError.notPluggedYet(mac: MACAddress(1), ip: EndpointAddress("10.0.0.1")).message
                == "Endpoint ('00:00:00:00:00:01', '10.0.0.1/32') not plugged yet, can't unplug")
        #expect(
            APIError.macBoundToTwoPorts(
                linuxif: "t2", previous: LocalPort(linuxif: "t1"), new: LocalPort(linuxif: "t2")
            )
            .message
                == "Port information is not consistent. MAC address cannot be bound to two different ports. Previous plug for port t2 ({'linuxif': 't1'} != {'linuxif': 't2'})"
        )
    }

    @Test func jsonRoundTrip() throws {
        let text = #"{"a": [1, 2.5, true, null, "\u00e9\n"], "b": {"c": -3}}"#
        let v = try JSONValue(parsing: text)
        #expect(v.jsonText == text)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: String(repeating: "[", count: 600)) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: "{\"a\": 1} x") }
    }
}
