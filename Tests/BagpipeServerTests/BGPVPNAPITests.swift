import Testing

@testable import BagpipeServer

/// The neutron-tempest-plugin BGPVPN API tests (bgpvpn-api.md §8.1), ported, plus the association rules of §3.3.
@Suite struct BGPVPNAPITests {
    static let randomUUID = "0f7c1c41-9d5e-4a3c-8c7e-3b1f5d2a9e10"

    @Test(arguments: Backend.allCases)
    func tempestBGPVPNChecks(_ backend: Backend) async throws {
        try await Harness.with(backend) { h in
            // test_create_bgpvpn / _as_non_admin_fail
            let vpn = await h.create("/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["name": "vpn1", "project_id": "project-a"])
            let vpnPath = "/v2.0/bgpvpn/bgpvpns/\(h.id(vpn))"
            #expect(vpn["tenant_id"] == "project-a")
            #expect(vpn["networks"] == [] && vpn["routers"] == [] && vpn["ports"] == [])
            #expect(await h.call("POST", "/v2.0/bgpvpn/bgpvpns", Tokens.alice, ["bgpvpn": ["name": "x"]]).status == 403)
            // test_delete_bgpvpn_as_non_admin_fail
            let del = await h.call("DELETE", vpnPath, Tokens.alice)
            #expect(del.status == 403 && del.errorMessage == "rule:delete_bgpvpn is disallowed by policy")
            // test_show_bgpvpn / _as_non_owner_fail: the owner sees no project or RTs
            let shown = await h.call("GET", vpnPath, Tokens.alice)
            #expect(shown.status == 200)
            #expect(
                shown.body?["bgpvpn"]?.objectValue?.keys.sorted() == [
                    "id", "local_pref", "name", "networks", "ports", "routers", "type",
                ])
            let other = await h.call("GET", vpnPath, Tokens.bob)
            #expect(other.status == 404 && other.errorType == "BGPVPNNotFound")
            #expect(other.errorMessage == "BGPVPN \(h.id(vpn)) could not be found")
            // test_list_bgpvpn / _as_non_owner_fail
            #expect(await h.call("GET", "/v2.0/bgpvpn/bgpvpns", Tokens.alice).body?["bgpvpns"]?.arrayValue?.count == 1)
            #expect(await h.call("GET", "/v2.0/bgpvpn/bgpvpns", Tokens.bob).body?["bgpvpns"] == [])

            // test_associate_disassociate_network, test_list_show_network_association (the owner does it)
            let net = await h.create("/v2.0/networks", "network", [:], Tokens.alice)
            let assoc = await h.create(
                "\(vpnPath)/network_associations", "network_association", ["network_id": .string(h.id(net))],
                Tokens.alice)
            #expect(assoc.keys.sorted() == ["id", "network_id"])
            let assocPath = "\(vpnPath)/network_associations/\(h.id(assoc))"
            #expect(await h.call("GET", vpnPath, Tokens.alice).body?["bgpvpn"]?["networks"] == [.string(h.id(net))])
            #expect(
                await h.call("GET", "\(vpnPath)/network_associations", Tokens.alice).body?["network_associations"]?[0]?[
                    "id"] == assoc["id"])
            #expect(await h.call("GET", assocPath, Tokens.alice).body?["network_association"]?["id"] == assoc["id"])
            // admin sees the project of the association
            #expect(await h.call("GET", assocPath).body?["network_association"]?["project_id"] == "project-a")
            // test_show_netassoc_as_non_owner_fail / test_list_netassoc_as_non_owner_fail
            #expect(await h.call("GET", assocPath, Tokens.bob).errorType == "BGPVPNNetAssocNotFound")
            #expect(
                await h.call("GET", "\(vpnPath)/network_associations", Tokens.bob).body?["network_associations"] == [])
            // a list under an unknown BGPVPN is empty, not 404 (§3.4)
            #expect(await h.call("GET", "/v2.0/bgpvpn/bgpvpns/\(Self.randomUUID)/network_associations").status == 200)
            // test_associate_invalid_network / test_disassociate_invalid_network
            #expect(
                await h.call(
                    "POST", "\(vpnPath)/network_associations", Tokens.alice,
                    ["network_association": ["network_id": .string(Self.randomUUID)]]
                ).status == 404)
            #expect(
                await h.call(
                    "POST", "/v2.0/bgpvpn/bgpvpns/\(Self.randomUUID)/network_associations", Tokens.alice,
                    ["network_association": ["network_id": .string(h.id(net))]]
                ).errorType == "BGPVPNNotFound")
            #expect(
                await h.call("DELETE", "\(vpnPath)/network_associations/\(Self.randomUUID)", Tokens.alice).status == 404
            )
            let wrongParent = await h.call(
                "DELETE", "/v2.0/bgpvpn/bgpvpns/\(Self.randomUUID)/network_associations/\(h.id(assoc))", Tokens.alice)
            #expect(wrongParent.status == 404)
            #expect(
                wrongParent.errorMessage
                    == "BGPVPN network association \(h.id(assoc)) could not be found for BGPVPN \(Self.randomUUID)")
            #expect(await h.call("DELETE", assocPath, Tokens.alice).status == 204)
            #expect(await h.call("GET", vpnPath, Tokens.alice).body?["bgpvpn"]?["networks"] == [])

            // test_update_route_target / _non_admin_fail
            let rt = await h.create(
                "/v2.0/bgpvpn/bgpvpns", "bgpvpn",
                [
                    "route_targets": ["64512:1"], "import_targets": ["64512:2"], "export_targets": ["64512:3"],
                    "project_id": "project-a",
                ])
            let rtPath = "/v2.0/bgpvpn/bgpvpns/\(h.id(rt))"
            let upd = await h.call(
                "PUT", rtPath, Tokens.admin,
                [
                    "bgpvpn": [
                        "route_targets": ["64512:4"], "import_targets": ["64512:5"], "export_targets": ["64512:6"],
                    ]
                ])
            #expect(upd.status == 200)
            #expect(
                upd.body?["bgpvpn"]?["route_targets"] == ["64512:4"]
                    && upd.body?["bgpvpn"]?["export_targets"] == ["64512:6"])
            for key in ["route_targets", "import_targets", "export_targets"] {
                #expect(await h.call("PUT", rtPath, Tokens.alice, ["bgpvpn": [key: ["64512:7"]]]).status == 403)
            }
            // the owner may rename and change local_pref (§2.4)
            let renamed = await h.call("PUT", rtPath, Tokens.alice, ["bgpvpn": ["name": "mine", "local_pref": 150]])
            #expect(renamed.status == 200 && renamed.body?["bgpvpn"]?["local_pref"] == 150)
            // test_create_bgpvpn_with_invalid_routetargets / test_update_bgpvpn_invalid_routetargets
            for body: JSON in [
                ["route_targets": ["0"]], ["import_targets": ["test", " "]],
                ["export_targets": ["64512:1000000000000", "xyz"]],
            ] {
                #expect(await h.call("POST", "/v2.0/bgpvpn/bgpvpns", Tokens.admin, ["bgpvpn": body]).status == 400)
                #expect(await h.call("PUT", rtPath, Tokens.admin, ["bgpvpn": body]).status == 400)
            }
            // bagpipe: no manual route distinguishers (§2.2)
            let rd = await h.call(
                "POST", "/v2.0/bgpvpn/bgpvpns", Tokens.admin, ["bgpvpn": ["route_distinguishers": ["64512:9"]]])
            #expect(rd.status == 400 && rd.errorType == "BGPVPNRDNotSupported")

            // test_associate_disassociate_router, test_list_show_router_association
            let router = await h.create(
                "/v2.0/routers", "router", ["name": "r", "external_gateway_info": [:], "admin_state_up": false],
                Tokens.alice)
            #expect(router["external_gateway_info"] == .null)
            let ra = await h.create(
                "\(rtPath)/router_associations", "router_association", ["router_id": .string(h.id(router))],
                Tokens.alice)
            #expect(ra["advertise_extra_routes"] == true)
            #expect(await h.call("GET", rtPath, Tokens.alice).body?["bgpvpn"]?["routers"] == [.string(h.id(router))])
            #expect(await h.call("DELETE", "\(rtPath)/router_associations/\(h.id(ra))", Tokens.alice).status == 204)
            #expect(await h.call("GET", rtPath, Tokens.alice).body?["bgpvpn"]?["routers"] == [])

            // test_attach_associated_subnet_to_associated_router: 409
            let net2 = await h.create("/v2.0/networks", "network", [:], Tokens.alice)
            let sub2 = await h.create(
                "/v2.0/subnets", "subnet",
                [
                    "network_id": .string(h.id(net2)), "cidr": "10.100.0.0/28", "ip_version": 4,
                    "gateway_ip": "10.100.0.1",
                ], Tokens.alice)
            _ = await h.create(
                "\(vpnPath)/network_associations", "network_association", ["network_id": .string(h.id(net2))],
                Tokens.alice)
            _ = await h.create(
                "\(rtPath)/router_associations", "router_association", ["router_id": .string(h.id(router))],
                Tokens.alice)
            let attach = await h.call(
                "PUT", "/v2.0/routers/\(h.id(router))/add_router_interface", Tokens.alice,
                ["subnet_id": .string(h.id(sub2))])
            #expect(attach.status == 409 && attach.errorType == "RouterInterfaceAttachmentConflict")

            // test_delete_bgpvpn: cascades its associations
            #expect(await h.call("DELETE", rtPath).status == 204)
            #expect(await h.call("GET", rtPath).status == 404)
        }
    }

    @Test(arguments: Backend.allCases)
    func associationRules(_ backend: Backend) async throws {
        try await Harness.with(backend) { h in
            let a = Tokens.alice
            let l3 = await h.create(
                "/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["project_id": "project-a", "route_targets": ["64512:10"]])
            let l2 = await h.create("/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["project_id": "project-a", "type": "l2"])
            let foreign = await h.create("/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["project_id": "project-b"])
            let l3p = "/v2.0/bgpvpn/bgpvpns/\(h.id(l3))"
            let net = await h.create("/v2.0/networks", "network", ["name": "n"], a)
            let sub = await h.create(
                "/v2.0/subnets", "subnet", ["network_id": .string(h.id(net)), "cidr": "10.1.0.0/24", "ip_version": 4], a
            )
            let router = await h.create("/v2.0/routers", "router", ["name": "r"], a)

            // empty body / missing network_id
            #expect(await h.call("POST", "\(l3p)/network_associations", a).errorMessage == "Resource body required")
            #expect(
                await h.call("POST", "\(l3p)/network_associations", a, ["network_association": [:]]).errorMessage
                    == "Failed to parse request. Required attribute 'network_id' not specified")
            #expect(
                await h.call("POST", "\(l3p)/network_associations", a, ["network_association": ["network_id": "abc"]])
                    .errorMessage
                    == "Invalid input for network_id. Reason: 'abc' is not a valid UUID.")
            // duplicate → 400
            _ = await h.create(
                "\(l3p)/network_associations", "network_association", ["network_id": .string(h.id(net))], a)
            let dup = await h.call(
                "POST", "\(l3p)/network_associations", a, ["network_association": ["network_id": .string(h.id(net))]])
            #expect(dup.status == 400 && dup.errorType == "BGPVPNNetAssocAlreadyExists")
            #expect(dup.errorMessage == "network \(h.id(net)) is already associated to BGPVPN \(h.id(l3))")
            // the same network can also join an L2 BGPVPN
            _ = await h.create(
                "/v2.0/bgpvpn/bgpvpns/\(h.id(l2))/network_associations", "network_association",
                ["network_id": .string(h.id(net))], a)
            // router association: L2 refused; router whose network is associated refused
            let l2r = await h.call(
                "POST", "/v2.0/bgpvpn/bgpvpns/\(h.id(l2))/router_associations", a,
                ["router_association": ["router_id": .string(h.id(router))]])
            #expect(
                l2r.status == 400
                    && l2r.errorMessage
                        == "Bad bgpvpn request: Router associations require the bgpvpn to be of type l3."
            )
            #expect(
                await h.call(
                    "PUT", "/v2.0/routers/\(h.id(router))/add_router_interface", a, ["subnet_id": .string(h.id(sub))]
                ).status == 200)
            let both = await h.call(
                "POST", "\(l3p)/router_associations", a, ["router_association": ["router_id": .string(h.id(router))]])
            #expect(both.status == 400)
            #expect(
                both.errorMessage?.hasPrefix(
                    "Bad bgpvpn request: router \(h.id(router)) has an attached network \(h.id(net)) which is already associated to bgpvpn(s) ['"
                ) == true)
            // admin acting for another project's BGPVPN: 403 NotAuthorized
            let mismatch = await h.call(
                "POST", "/v2.0/bgpvpn/bgpvpns/\(h.id(foreign))/network_associations", Tokens.admin,
                ["network_association": ["network_id": .string(h.id(net))]])
            #expect(
                mismatch.status == 403 && mismatch.errorType == "NotAuthorized"
                    && mismatch.errorMessage == "Not authorized.")
            // members cannot see another project's BGPVPN at all
            #expect(
                await h.call(
                    "POST", "/v2.0/bgpvpn/bgpvpns/\(h.id(foreign))/network_associations", a,
                    ["network_association": ["network_id": .string(h.id(net))]]
                ).status == 404)

            // router association honours advertise_extra_routes=false (reference bug not copied, §3.2)
            let r2 = await h.create("/v2.0/routers", "router", ["name": "r2"], a)
            let ra = await h.create(
                "\(l3p)/router_associations", "router_association",
                ["router_id": .string(h.id(r2)), "advertise_extra_routes": false], a)
            #expect(ra["advertise_extra_routes"] == false)
            let raUpd = await h.call(
                "PUT", "\(l3p)/router_associations/\(h.id(ra))", a,
                ["router_association": ["advertise_extra_routes": true]])
            #expect(raUpd.body?["router_association"]?["advertise_extra_routes"] == true)

            // port associations and their route checks
            let port = await h.create("/v2.0/ports", "port", ["network_id": .string(h.id(net))], a)
            let pa = await h.create(
                "\(l3p)/port_associations", "port_association",
                [
                    "port_id": .string(h.id(port)), "advertise_fixed_ips": false,
                    "routes": [["type": "prefix", "prefix": "20.1.0.0/16", "local_pref": 200]],
                ], a)
            #expect(pa["routes"] == [["type": "prefix", "prefix": "20.1.0.0/16", "local_pref": 200]])
            let paPath = "\(l3p)/port_associations/\(h.id(pa))"
            let noSuch = await h.call(
                "PUT", paPath, a,
                ["port_association": ["routes": [["type": "bgpvpn", "bgpvpn_id": .string(Self.randomUUID)]]]])
            #expect(noSuch.errorType == "BGPVPNPortAssocRouteNoSuchBGPVPN")
            let differ = await h.call(
                "PUT", paPath, a,
                ["port_association": ["routes": [["type": "bgpvpn", "bgpvpn_id": .string(h.id(l2))]]]])
            #expect(
                differ.errorMessage
                    == "bgpvpn specified in route is of type l2, differing from type of associated BGPVPN l3)")
            let wrongProject = await h.call(
                "PUT", paPath, Tokens.admin,
                ["port_association": ["routes": [["type": "bgpvpn", "bgpvpn_id": .string(h.id(foreign))]]]])
            #expect(wrongProject.errorType == "BGPVPNPortAssocRouteWrongBGPVPNProject")
            // a member is told a foreign BGPVPN "does not exist"
            #expect(
                await h.call(
                    "PUT", paPath, a,
                    ["port_association": ["routes": [["type": "bgpvpn", "bgpvpn_id": .string(h.id(foreign))]]]]
                ).errorType == "BGPVPNPortAssocRouteNoSuchBGPVPN")
            let leak = await h.create(
                "/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["project_id": "project-a", "route_targets": ["64512:20"]])
            let ok = await h.call(
                "PUT", paPath, a,
                [
                    "port_association": [
                        "routes": [["type": "bgpvpn", "bgpvpn_id": .string(h.id(leak)), "local_pref": 50]]
                    ]
                ])
            #expect(ok.status == 200)
            #expect(
                ok.body?["port_association"]?["routes"] == [
                    ["type": "bgpvpn", "bgpvpn_id": .string(h.id(leak)), "local_pref": 50]
                ])
            // deleting the leaked BGPVPN removes the route that points at it (§2.5)
            #expect(await h.call("DELETE", "/v2.0/bgpvpn/bgpvpns/\(h.id(leak))").status == 204)
            #expect(await h.call("GET", paPath, a).body?["port_association"]?["routes"] == [])
            // filters on the computed lists (§1.5, intended semantics for ports=)
            let byPort = await h.call("GET", "/v2.0/bgpvpn/bgpvpns", Tokens.admin, query: "ports=\(h.id(port))")
            #expect(byPort.body?["bgpvpns"]?.arrayValue?.map { $0["id"] } == [l3["id"]])
            let byNet = await h.call(
                "GET", "/v2.0/bgpvpn/bgpvpns", Tokens.admin, query: "networks=\(h.id(net))&type=l2")
            #expect(byNet.body?["bgpvpns"]?.arrayValue?.map { $0["id"] } == [l2["id"]])
            let byRT = await h.call("GET", "/v2.0/bgpvpn/bgpvpns", Tokens.admin, query: "route_targets=64512:10")
            #expect(byRT.body?["bgpvpns"]?.arrayValue?.map { $0["id"] } == [l3["id"]])
            // deleting the port removes its association (§3.4)
            #expect(await h.call("DELETE", "/v2.0/ports/\(h.id(port))", a).status == 204)
            #expect(await h.call("GET", paPath, a).status == 404)
            // an external network cannot be associated (bagpipe)
            let ext = await h.create("/v2.0/networks", "network", ["router:external": true, "project_id": "project-a"])
            let extAssoc = await h.call(
                "POST", "\(l3p)/network_associations", a, ["network_association": ["network_id": .string(h.id(ext))]])
            #expect(extAssoc.errorType == "BGPVPNExternalNetAssociation")
            // deleting a network removes its associations
            #expect(
                await h.call(
                    "PUT", "/v2.0/routers/\(h.id(router))/remove_router_interface", a, ["subnet_id": .string(h.id(sub))]
                ).status == 200)
            #expect(await h.call("DELETE", "/v2.0/networks/\(h.id(net))", a).status == 204)
            #expect(await h.call("GET", l3p).body?["bgpvpn"]?["networks"] == [])
        }
    }
}
