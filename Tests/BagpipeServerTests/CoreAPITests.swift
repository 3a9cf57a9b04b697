import Testing

@testable import BagpipeServer

/// Networks, subnets, ports and routers (bgpvpn-api.md §7.4), discovery, auth and list conventions (§1, §7).
@Suite struct CoreAPITests {
    @Test func discoveryAuthAndRouting() async throws {
        try await Harness.with(.sqlite) { h in
            let root = await h.call("GET", "/", nil)
            #expect(root.status == 200)
            #expect(root.body?["versions"]?[0]?["links"]?[0]?["href"] == "http://127.0.0.1:9696/v2.0/")
            #expect(await h.call("GET", "/v2.0", nil).body?["version"]?["id"] == "v2.0")
            #expect(await h.call("GET", "/v2.0/", nil).body?["resources"]?.arrayValue?.count == 3)
            #expect(await h.call("POST", "/", nil).status == 405)
            #expect(await h.call("GET", "/v2.0/networks", nil).status == 401)
            #expect(await h.call("GET", "/v2.0/networks", "wrong").status == 401)
            #expect(await h.call("GET", "/v2.0/nothing").status == 404)
            #expect(await h.call("PUT", "/v2.0/networks").status == 405)
            #expect(await h.call("POST", "/v2.0/networks/x").status == 405)
            // name-or-id fallback (§7.3): a non-UUID id is a 404, not a 500
            #expect(await h.call("GET", "/v2.0/networks/net1").status == 404)
            #expect(await h.call("GET", "/v2.0/bgpvpn/bgpvpns/vpn1").status == 404)
            let ext = await h.call("GET", "/v2.0/extensions")
            let aliases = ext.body?["extensions"]?.arrayValue?.compactMap { $0["alias"]?.stringValue } ?? []
            for alias in [
                "bgpvpn", "bgpvpn-routes-control", "bgpvpn-vni", "router", "extraroute", "binding", "external-net",
                "project-id", "pagination", "sorting",
            ] {
                #expect(aliases.contains(alias))
            }
            #expect(!aliases.contains("filter-validation"))
            #expect(await h.call("GET", "/v2.0/extensions/bgpvpn").body?["extension"]?["name"] == "BGPVPN Extension")
            let missing = await h.call("GET", "/v2.0/extensions/tag-ports-during-bulk-creation")
            #expect(
                missing.status == 404
                    && missing.errorMessage == "Extension with alias tag-ports-during-bulk-creation does not exist")
            let n = await h.create("/v2.0/networks", "network", ["name": "x"])
            #expect(
                await h.call("DELETE", "/v2.0/networks/\(h.id(n))", Tokens.admin, ["a": 1]).errorMessage
                    == "Request body is not supported in DELETE.")
        }
    }

    @Test(arguments: Backend.allCases)
    func routeTargetsAreAllocatedUniquelyAndReleased(_ backend: Backend) async throws {
        var config = Tokens.config
        config.routeTargets = try RouteTargetPool(asNumber: 64512, ranges: "100:100,500:500")
        try await Harness.with(backend, config: config) { h in
            let n1 = await h.create("/v2.0/networks", "network", ["name": "n1"])
            let n2 = await h.create("/v2.0/networks", "network", ["name": "n2"], Tokens.alice)
            #expect(n1["provider:network_type"] == "route_target")
            #expect(n1["provider:segmentation_id"] == 100)
            // members do not see provider attributes
            #expect(n2["provider:segmentation_id"] == nil)
            #expect(
                await h.call("GET", "/v2.0/networks/\(h.id(n2))").body?["network"]?["provider:segmentation_id"] == 500)
            let full = await h.call("POST", "/v2.0/networks", Tokens.admin, ["network": ["name": "n3"]])
            #expect(full.status == 503 && full.errorType == "NoNetworkAvailable")
            // explicit (provider) values: free ones anywhere, taken ones refused; members may not set them
            let taken = await h.call(
                "POST", "/v2.0/networks", Tokens.admin, ["network": ["provider:segmentation_id": 500]])
            #expect(taken.status == 409 && taken.errorType == "RouteTargetInUse")
            let provider = await h.create(
                "/v2.0/networks", "network",
                ["provider:network_type": "route_target", "provider:segmentation_id": 7000])
            #expect(provider["provider:segmentation_id"] == 7000)
            #expect(
                await h.call("POST", "/v2.0/networks", Tokens.alice, ["network": ["provider:segmentation_id": 7001]])
                    .status == 403)
            #expect(await h.call("DELETE", "/v2.0/networks/\(h.id(n1))").status == 204)
            let n4 = await h.create("/v2.0/networks", "network", ["name": "n4"])
            #expect(n4["provider:segmentation_id"] == 100)
        }
    }

    @Test(arguments: Backend.allCases)
    func subnetsPortsAndRouters(_ backend: Backend) async throws {
        try await Harness.with(backend) { h in
            let a = Tokens.alice
            let net = await h.create("/v2.0/networks", "network", ["name": "net1", "admin_state_up": true], a)
            #expect(net["status"] == "ACTIVE" && net["shared"] == false && net["router:external"] == false)
            #expect(net["project_id"] == "project-a" && net["tenant_id"] == "project-a")
            let netID = JSON.string(h.id(net))
            let sub = await h.create(
                "/v2.0/subnets", "subnet", ["network_id": netID, "cidr": "10.0.0.0/24", "ip_version": 4, "name": "s1"],
                a)
            #expect(sub["gateway_ip"] == "10.0.0.1")
            #expect(sub["allocation_pools"] == [["start": "10.0.0.2", "end": "10.0.0.254"]])
            #expect(await h.call("GET", "/v2.0/networks/\(h.id(net))", a).body?["network"]?["subnets"] == [sub["id"]!])
            let overlap = await h.call(
                "POST", "/v2.0/subnets", a, ["subnet": ["network_id": netID, "cidr": "10.0.0.128/25", "ip_version": 4]])
            #expect(overlap.status == 400 && overlap.errorMessage?.contains("overlaps with another subnet") == true)
            #expect(
                await h.call(
                    "POST", "/v2.0/subnets", a,
                    ["subnet": ["network_id": netID, "cidr": "10.0.0.1/24", "ip_version": 4]]
                ).status == 400)
            #expect(
                await h.call(
                    "POST", "/v2.0/subnets", Tokens.bob,
                    ["subnet": ["network_id": netID, "cidr": "10.9.0.0/24", "ip_version": 4]]
                ).status == 404)
            let v6 = await h.create(
                "/v2.0/subnets", "subnet", ["network_id": netID, "cidr": "2001:db8::/64", "ip_version": 6], a)
            #expect(v6["gateway_ip"] == "2001:db8::1")

            // automatic addresses: one per IP version, lowest free first
            let p1 = await h.create("/v2.0/ports", "port", ["network_id": netID, "name": "p1"], a)
            #expect(
                p1["fixed_ips"] == [
                    ["subnet_id": sub["id"]!, "ip_address": "10.0.0.2"],
                    ["subnet_id": v6["id"]!, "ip_address": "2001:db8::2"],
                ])
            #expect(p1["mac_address"]?.stringValue?.hasPrefix("fa:16:3e:") == true)
            #expect(p1["status"] == "DOWN" && p1["device_owner"] == "" && p1["binding:host_id"] == nil)
            let p2 = await h.create(
                "/v2.0/ports", "port",
                [
                    "network_id": netID, "fixed_ips": [["ip_address": "10.0.0.50"]], "mac_address": "fa:16:3e:00:00:01",
                    "binding:host_id": "compute1",
                ])
            #expect(p2["fixed_ips"] == [["subnet_id": sub["id"]!, "ip_address": "10.0.0.50"]])
            #expect(p2["binding:host_id"] == "compute1" && p2["binding:vif_type"] == "ovs" && p2["status"] == "ACTIVE")
            let dupIP = await h.call(
                "POST", "/v2.0/ports", a,
                ["port": ["network_id": netID, "fixed_ips": [["subnet_id": sub["id"]!, "ip_address": "10.0.0.50"]]]])
            #expect(dupIP.status == 409 && dupIP.errorType == "IpAddressAlreadyAllocated")
            let dupMAC = await h.call(
                "POST", "/v2.0/ports", a, ["port": ["network_id": netID, "mac_address": "fa:16:3e:00:00:01"]])
            #expect(dupMAC.status == 409 && dupMAC.errorType == "MacAddressInUse")
            #expect(
                await h.call(
                    "POST", "/v2.0/ports", a,
                    ["port": ["network_id": netID, "fixed_ips": [["ip_address": "192.168.0.1"]]]]
                ).errorType == "InvalidIpForNetwork")
            #expect(
                await h.call("POST", "/v2.0/ports", a, ["port": ["network_id": netID, "binding:host_id": "h"]]).status
                    == 403)
            // a member cannot use another project's private network
            #expect(await h.call("POST", "/v2.0/ports", Tokens.bob, ["port": ["network_id": netID]]).status == 404)
            // update: move the address, bind a host
            let moved = await h.call(
                "PUT", "/v2.0/ports/\(h.id(p1))", Tokens.admin,
                ["port": ["fixed_ips": [["ip_address": "10.0.0.9"]], "binding:host_id": "compute2", "name": "p1b"]])
            #expect(moved.status == 200)
            #expect(moved.body?["port"]?["fixed_ips"] == [["subnet_id": sub["id"]!, "ip_address": "10.0.0.9"]])
            // the released address is free again
            let p3 = await h.create(
                "/v2.0/ports", "port", ["network_id": netID, "fixed_ips": [["subnet_id": sub["id"]!]]], a)
            #expect(p3["fixed_ips"]?[0]?["ip_address"] == "10.0.0.2")

            // filters, fields, pagination, sorting
            let byIP = await h.call("GET", "/v2.0/ports", Tokens.admin, query: "fixed_ips=ip_address%3D10.0.0.50")
            #expect(byIP.body?["ports"]?.arrayValue?.map { $0["id"] } == [p2["id"]])
            let named = await h.call("GET", "/v2.0/ports", a, query: "name=p1b&fields=id&fields=name")
            #expect(named.body?["ports"] == [["id": p1["id"]!, "name": "p1b"]])
            let page1 = await h.call("GET", "/v2.0/ports", Tokens.admin, query: "limit=2&sort_key=name&sort_dir=asc")
            #expect(page1.body?["ports"]?.arrayValue?.count == 2)
            let next = page1.body?["ports_links"]?.arrayValue?.first { $0["rel"] == "next" }?["href"]?.stringValue ?? ""
            #expect(next.hasPrefix("http://127.0.0.1:9696/v2.0/ports?sort_key=name&sort_dir=asc&limit=2&marker="))
            let marker = String(next.split(separator: "marker=").last ?? "")
            let page2 = await h.call(
                "GET", "/v2.0/ports", Tokens.admin, query: "limit=2&sort_key=name&sort_dir=asc&marker=\(marker)")
            #expect(page2.body?["ports"]?.arrayValue?.count == 1)
            #expect(page2.body?["ports_links"]?.arrayValue?.contains { $0["rel"] == "next" } == false)
            #expect(await h.call("GET", "/v2.0/ports", Tokens.admin, query: "limit=x").errorType == "BadRequest")

            // routers and interfaces (§7.4)
            let router = await h.create("/v2.0/routers", "router", ["name": "r1", "admin_state_up": true], a)
            let add = await h.call(
                "PUT", "/v2.0/routers/\(h.id(router))/add_router_interface", a, ["subnet_id": sub["id"]!])
            #expect(add.status == 200)
            #expect(
                add.body?["subnet_id"] == sub["id"] && add.body?["network_id"] == net["id"]
                    && add.body?["tenant_id"] == "project-a")
            let rif = await h.call("GET", "/v2.0/ports", a, query: "device_id=\(h.id(router))")
            #expect(rif.body?["ports"]?[0]?["device_owner"] == "network:router_interface")
            #expect(rif.body?["ports"]?[0]?["fixed_ips"]?[0]?["ip_address"] == "10.0.0.1")
            #expect(
                await h.call("PUT", "/v2.0/routers/\(h.id(router))/add_router_interface", a, ["subnet_id": sub["id"]!])
                    .status == 400)
            #expect(
                await h.call("PUT", "/v2.0/routers/\(h.id(router))/add_router_interface", a, [:]).errorMessage
                    == "Bad router request: Either subnet_id or port_id must be specified.")
            // by port: the port gets device_id/device_owner
            let net2 = await h.create("/v2.0/networks", "network", [:], a)
            _ = await h.create(
                "/v2.0/subnets", "subnet", ["network_id": net2["id"]!, "cidr": "10.2.0.0/24", "ip_version": 4], a)
            let pr = await h.create("/v2.0/ports", "port", ["network_id": net2["id"]!], a)
            #expect(
                await h.call("PUT", "/v2.0/routers/\(h.id(router))/add_router_interface", a, ["port_id": pr["id"]!])
                    .status == 200)
            #expect(await h.call("GET", "/v2.0/ports/\(h.id(pr))", a).body?["port"]?["device_id"] == router["id"])
            let inUse = await h.call(
                "PUT", "/v2.0/routers/\(h.id(router))/add_router_interface", a, ["port_id": pr["id"]!])
            #expect(inUse.status == 409 && inUse.errorType == "PortInUse")
            // extraroute
            let routes = await h.call(
                "PUT", "/v2.0/routers/\(h.id(router))", a,
                ["router": ["routes": [["destination": "172.16.0.0/16", "nexthop": "10.0.0.254"]]]])
            #expect(routes.status == 200 && routes.body?["router"]?["routes"]?.arrayValue?.count == 1)
            #expect(
                await h.call(
                    "PUT", "/v2.0/routers/\(h.id(router))", a,
                    ["router": ["routes": [["destination": "172.16.0.0/16", "nexthop": "192.0.2.1"]]]]
                ).errorType == "InvalidRoutes")
            let inUseRouter = await h.call("DELETE", "/v2.0/routers/\(h.id(router))", a)
            #expect(inUseRouter.status == 409 && inUseRouter.errorType == "RouterInUse")
            #expect(await h.call("DELETE", "/v2.0/ports/\(h.id(pr))", a).errorType == "ServicePortInUse")
            #expect(await h.call("DELETE", "/v2.0/networks/\(h.id(net))", a).errorType == "NetworkInUse")
            #expect(await h.call("DELETE", "/v2.0/subnets/\(h.id(sub))", a).errorType == "SubnetInUse")
            // tempest cleanup order: interfaces, router, ports, subnets, network
            #expect(
                await h.call(
                    "PUT", "/v2.0/routers/\(h.id(router))/remove_router_interface", a, ["subnet_id": sub["id"]!]
                ).status == 200)
            #expect(
                await h.call("PUT", "/v2.0/routers/\(h.id(router))/remove_router_interface", a, ["port_id": pr["id"]!])
                    .status == 200)
            #expect(
                await h.call(
                    "PUT", "/v2.0/routers/\(h.id(router))/remove_router_interface", a, ["subnet_id": sub["id"]!]
                ).errorType == "RouterInterfaceNotFoundForSubnet")
            #expect(await h.call("DELETE", "/v2.0/routers/\(h.id(router))", a).status == 204)
            for p in [p1, p2, p3] { #expect(await h.call("DELETE", "/v2.0/ports/\(h.id(p))").status == 204) }
            #expect(await h.call("DELETE", "/v2.0/subnets/\(h.id(sub))", a).status == 204)
            #expect(await h.call("DELETE", "/v2.0/networks/\(h.id(net))", a).status == 204)
            #expect(await h.call("GET", "/v2.0/networks/\(h.id(net))", a).errorType == "NetworkNotFound")
        }
    }

    /// Concurrent clients cannot get the same route target, IP or MAC (serialised writes + UNIQUE constraints).
    @Test(arguments: Backend.allCases)
    func concurrentAllocationsNeverCollide(_ backend: Backend) async throws {
        var config = Tokens.config
        config.routeTargets = try RouteTargetPool(asNumber: 64512, ranges: "100:111")
        try await Harness.with(backend, config: config) { h in
            let nets = await withTaskGroup(of: APIResponse.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        await h.call("POST", "/v2.0/networks", Tokens.admin, ["network": ["name": .string("n\(i)")]])
                    }
                }
                return await group.reduce(into: [APIResponse]()) { $0.append($1) }
            }
            let rts = nets.compactMap { $0.body?["network"]?["provider:segmentation_id"]?.intValue }
            #expect(rts.count == 12 && Set(rts).count == 12)
            #expect(nets.filter { $0.status == 503 }.count == 4)

            let net = await h.create("/v2.0/networks", "network", ["provider:segmentation_id": 9000])
            // a /28 has 13 allocatable addresses after the gateway
            _ = await h.create(
                "/v2.0/subnets", "subnet", ["network_id": net["id"]!, "cidr": "10.9.0.0/28", "ip_version": 4])
            let ports = await withTaskGroup(of: APIResponse.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        await h.call("POST", "/v2.0/ports", Tokens.admin, ["port": ["network_id": net["id"]!]])
                    }
                }
                return await group.reduce(into: [APIResponse]()) { $0.append($1) }
            }
            let created = ports.compactMap { $0.body?["port"]?.objectValue }
            let ips = created.compactMap { $0["fixed_ips"]?[0]?["ip_address"]?.stringValue }
            let macs = created.compactMap { $0.string("mac_address") }
            #expect(created.count == 13 && Set(ips).count == 13 && Set(macs).count == 13)
            #expect(ports.filter { $0.errorType == "IpAddressGenerationFailure" }.count == 7)
        }
    }
}
