import Testing

@testable import BagpipeAPI

@Suite struct LookingGlassTests {
    let prefix = "http://h:1/looking-glass"

    func get(_ path: [String], ring: LookingGlassLogRing = LookingGlassLogRing()) async throws -> JSONValue {
        try await LookingGlass.resolve(fakeRoot(ring: ring), prefix: prefix, path: path)
    }

    @Test func root() async throws {
        let v = try await get([])
        #expect(
            v == [
                "summary": [
                    "BGP_established_peers": 1, "route_counts": ["local_routes_count": 2, "received_routes_count": 3],
                    "vpn_instances_count": 2, "warnings_and_errors": 0, "start_time": "2026-11-21 12:00:00",
                    "version": "test",
                ],
                "config": ["href": "http://h:1/looking-glass/config"], "bgp": ["href": "http://h:1/looking-glass/bgp"],
                "vpns": ["href": "http://h:1/looking-glass/vpns"], "logs": ["href": "http://h:1/looking-glass/logs"],
            ])
        #expect(v.objectValue?.keys == ["summary", "config", "bgp", "vpns", "logs"])
        #expect(try await get(["summary", "route_counts", "received_routes_count"]) == 3)
        #expect(try await get(["config", "API", "port"]) == 8082)
        #expect(try await get(["bgp"]) == ["peers_count": 0])
    }

    @Test func collectionsQuoteIDs() async throws {
        #expect(
            try await get(["vpns", "instances"]) == [
                ["id": "vrf 1", "name": "VRF-1", "href": "http://h:1/looking-glass/vpns/instances/vrf%201"],
                ["id": "evi/2", "name": "EVI-2", "href": "http://h:1/looking-glass/vpns/instances/evi%2F2"],
            ])
        let vrf = try await get(["vpns", "instances", "vrf 1"])
        #expect(vrf.objectValue?["self"] == "http://h:1/looking-glass/vpns/instances/vrf%201")
        #expect(vrf.objectValue?["ports"] == ["href": "http://h:1/looking-glass/vpns/instances/vrf%201/ports"])
        #expect(vrf.objectValue?["route_targets"] == ["import": ["64512:1"], "export": ["64512:2"]])
        #expect(try await get(["vpns", "instances", "vrf 1", "route_targets", "import"]) == ["64512:1"])
        #expect(try await get(["vpns", "instances", "vrf 1", "instance_type"]) == "ipvpn")
        #expect(try await get(["vpns", "instances", "vrf 1", "external_instance_id"]) == "vrf 1")
    }

    @Test func forwardKeepsThePath() async throws {
        // The target answers for the same path, so it has an entry of that name (as the RTM has `routes`).
        #expect(try await get(["vpns", "fwd"]) == ["forwarded_prefix": "http://h:1/looking-glass/vpns/fwd"])
        #expect(try await get(["vpns"]).objectValue?["fwd"] == ["href": "http://h:1/looking-glass/vpns/fwd"])
        #expect(try await get(["vpns", "abs"]) == "http://h:1/looking-glass/vpns/instances/x")
    }

    @Test func notFoundTexts() async throws {
        await #expect(throws: LookingGlassNotFound(path: "'nope'", prefix: "http://h:1/looking-glass/nope")) {
            try await get(["nope"])
        }
        await #expect(throws: LookingGlassNotFound(path: "x", prefix: "http://h:1/looking-glass/vpns/instances")) {
            try await get(["vpns", "instances", "x"])
        }
        await #expect(throws: LookingGlassNotFound(path: "'y'", prefix: "http://h:1/looking-glass/summary")) {
            try await get(["summary", "y"])
        }
        #expect(
            LookingGlassNotFound(path: "'nope'", prefix: "p").description == "No such looking glass object: 'nope' at p"
        )
        await #expect(throws: RecordingService.Boom.self) { try await get(["vpns", "broken"]) }
    }

    @Test func logRingKeepsTheLast100NewestFirst() async throws {
        let ring = LookingGlassLogRing()
        for i in 0..<150 {
            ring.append(.init(level: "WARNING", time: "t", name: "n", message: "m\"\(i)\""))
        }
        #expect(ring.count == 100)
        #expect(ring.snapshot.first?.message == "m'149'")
        #expect(try await get(["summary", "warnings_and_errors"], ring: ring) == 100)
        let logs = try await get(["logs"], ring: ring)
        #expect(logs.arrayValue?.first == ["level": "WARNING", "time": "t", "name": "n", "message": "m'149'"])
    }

    @Test func quoting() {
        #expect(LookingGlass.quote("a b/é?") == "a%20b/%C3%A9%3F")
        #expect(LookingGlass.unquote("a%20b%2F%C3%A9") == "a b/é")
        #expect(LookingGlass.unquote("%zz") == nil)
    }

    @Test func printerOutput() async throws {
        let data: JSONValue = [
            "a": 1, "b": [], "c": ["x", true, nil], "d": ["id": "i1", "href": "http://h/lg/i1"],
            "e": ["k": "line1\nline2"], "f": [:],
        ]
        let printer = LookingGlassPrinter(recursive: false) { _ in (404, nil) }
        let text = try await printer.render(data, url: "http://h/lg")
        #expect(
            text == """
                a: 1
                b: -
                c: 
                  * x
                  * True
                  * None
                d: i1 (...)
                e: 
                  k: 
                    line1
                    line2
                f: -

                """)
        let recursive = LookingGlassPrinter(recursive: true) { url in
            url == "http://h/lg/i1" ? (200, ["z": 2]) : (404, nil)
        }
        #expect(
            try await recursive.render(["d": ["id": "i1", "href": "http://h/lg/i1"]], url: "http://h/lg")
                == "d: i1\n    z: 2\n")
    }

    @Test func impexGraph() async throws {
        let root = fakeRoot()
        let graph = ImpexGraph(servers: []) { _, path in
            do {
                return try await LookingGlass.resolve(root, prefix: "http://localhost/looking-glass", path: path)
            } catch is LookingGlassNotFound {
                return [:]
            }
        }
        let dot = try await graph.dot()
        #expect(dot.hasPrefix("digraph import_export {\n"))
        #expect(dot.contains(#"        64512_1 [shape="circle",label="64512\n1",color="orange",fontcolor="orange"];"#))
        #expect(dot.contains(#"vpn_localhost__vrf 1 [label="{<0>VRF\nvrf 1|<readv>}",shape="record"];"#))
        #expect(
            dot.contains(
                "    64512_1 -> vpn_localhost__vrf 1:0 [color=\"orange\",fontcolor=\"orange\",arrowhead=onormal];"))
        #expect(dot.contains("    vpn_localhost__vrf 1:readv -> 64512_4 [label=\"\","))
        #expect(dot.contains("    vpn_localhost__evi/2 -> vpn_localhost__vrf 1 [weight=500];"))
        #expect(dot.contains("port_localhost_to_x_1 -> dest_localhost_x [style=dashed"))
        #expect(dot.hasSuffix("}\n"))
    }

    @Test func errorPages() {
        let plain = ErrorPage(status: 400, detail: "API error: foo", method: "POST", accept: nil)
        #expect(plain.contentType == "text/plain; charset=UTF-8")
        #expect(
            plain.body
                == "400 Bad Request\n\nThe server could not comply with the request since it is either malformed or otherwise incorrect.\n\n API error: foo  "
        )
        let json = ErrorPage(status: 400, detail: "API error: foo", method: "POST", accept: "application/json")
        #expect(json.body == #"{"code": 400, "title": "Bad Request", "description": "API error: foo"}"#)
        let html = ErrorPage(status: 404, detail: "DETAIL", method: "GET", accept: "*/*")
        #expect(
            html.body
                == "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\nDETAIL\n\n\n </body>\n</html>"
        )
        #expect(
            ErrorPage(status: 405, detail: nil, method: "POST", accept: nil).body
                == "405 Method Not Allowed\n\nThe method POST is not allowed for this resource. \n\n ")
        let webobJSON = ErrorPage(
            status: 500, detail: "DETAIL", method: "GET", accept: "text/plain, application/json;q=0.5")
        #expect(
            webobJSON.body
                == #"{"message": "The server has either erred or is incapable of performing the requested operation.<br /><br />\nDETAIL\n\n", "code": "500 Internal Server Error", "title": "Internal Server Error"}"#
        )
    }

    @Test func restAttachBodies() throws {
        var o = RestAttachOptions(operation: .attach, networkType: .ipvpn, port: "tap42", ip: "11.11.11.1")
        o.mac = "de:ad:00:00:be:ef"
        o.gatewayIP = "11.11.11.254"
        o.routeTargets = ["64512:77"]
        let r = try o.resolve()
        #expect(
            JSONValue.object(try o.body(r)).jsonText
                == #"{"import_rt": ["64512:77"], "export_rt": ["64512:77"], "local_port": {"linuxif": "tap42"}, "vpn_instance_id": "ipvpn-bagpipe-test", "vpn_type": "ipvpn", "gateway_ip": "11.11.11.254", "mac_address": "de:ad:00:00:be:ef", "ip_address": "11.11.11.1/24", "advertise_subnet": false, "readvertise": null, "attract_traffic": {}, "lb_consistent_hash_order": 0, "vni": 0, "direction": "both"}"#
        )
        var e = RestAttachOptions(operation: .attach, networkType: .evpn, port: "tap1", ip: "10.0.0.5/16")
        #expect(try e.resolve().gatewayIP == "10.0.255.254")
        #expect(throws: RestAttachUsageError.self) { try e.body(e.resolve()) }
        e.redirectRTs = ["64512:5"]
        e.mac = "aa:bb:cc:dd:ee:ff"
        #expect(
            throws: RestAttachUsageError("Need to specify --redirect-rts and at least one traffic classifier option")
        ) {
            try e.body(e.resolve())
        }
        let n = RestAttachOptions(operation: .attach, networkType: .ipvpn, port: "netns", ip: "10.0.0.1/32")
        #expect(throws: RestAttachUsageError("Need to specify --gateway-ip for a /32 address")) { try n.resolve() }
    }

    @Test func apiPortSetting() {
        #expect(APIPortSetting.port(configText: nil, environment: [:]) == 8082)
        #expect(
            APIPortSetting.port(configText: "[BGP]\nport=1\n[API]\nhost = x\nport = 9000\n", environment: [:]) == 9000)
        #expect(APIPortSetting.port(configText: "[API]\napi_port=9001\n", environment: [:]) == 9001)
        #expect(APIPortSetting.port(configText: "[API]\nport=9000\n", environment: ["OS_API__PORT": "9100"]) == 9100)
    }
}
