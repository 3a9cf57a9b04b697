import Testing

@testable import BagpipeServer

@Suite struct RouteTargetFormatTests {
    // bgpvpn-api.md §2.3 and the networking-bgpvpn unit-test lists (§8.3).
    @Test(arguments: [
        "1:1", "0:0", "65535:4294967295", "65536:65535", "4294967295:65535", "1.1.1.1:1", "1.1.1.1:65535",
        "1:4294967295", "65535:0", "4294967295:0",
    ])
    func valid(_ s: String) { #expect(Validators.isRouteTargetOrDistinguisher(s)) }

    @Test(arguments: [
        "01:1", "65535:4294967296", "65536:65536", "4294967296:1", "1.1.1.1:65536", "256.1.1.1:1", "1.1.1:1", "ASN:NN",
        "42", ":1", "1:", "", " 1:1", "-1:1", "64512:1000000000000", "xyz", "65536:123456", "123.456.789.123:65535",
        "4294967296:65535", "1.1.1.1:655351", "4294967295:65536", "1:1\n", "1:01",
    ])
    func invalid(_ s: String) { #expect(!Validators.isRouteTargetOrDistinguisher(s)) }

    @Test func listErrorsNameTheFirstBadItemOrDuplicate() {
        #expect(
            Validators.routeTargetList(["64512:1000000000000", "xyz"]) == "'64512:1000000000000' is not a valid input")
        #expect(Validators.routeTargetList(["1:1", "1:1"]) == "Duplicate items in the list: '1:1'")
        #expect(Validators.routeTargetList(["1:1", "2:2"]) == nil)
        #expect(Validators.toList("64512:1") == ["64512:1"])
        #expect(Validators.toList(.null) == [])
    }
}

@Suite struct JSONTests {
    @Test func parsesAndSerialisesSorted() throws {
        let v = try JSON.parse(#"{"b": [1, 2.5, true, null], "a": "x\u00e9\n"}"#)
        #expect(v["b"] == [1, .double(2.5), true, nil])
        #expect(v.serialized() == #"{"a": "xé\n", "b": [1, 2.5, true, null]}"#)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "tru", "{} x", "\"\u{01}\""])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func pythonReprKeepsInsertionOrder() throws {
        let v = try JSON.parse(#"{"type": "prefix", "prefix": "20.1.0.1", "x": [true, null, 3]}"#)
        #expect(v.pythonRepr() == "{'type': 'prefix', 'prefix': '20.1.0.1', 'x': [True, None, 3]}")
    }
}

@Suite struct RequestPipelineTests {
    let admin = Caller(projectID: "admin-project", roles: ["admin"])
    let member = Caller(projectID: "tenant-t", roles: ["member"])

    func bgpvpnError(_ body: String, caller: Caller? = nil, create: Bool = true) -> NeutronError? {
        do {
            let p = try Schemas.bgpvpn.prepare(body: Array(body.utf8), isCreate: create, caller: caller ?? admin)
            if create {
                try Schemas.bgpvpn.authorizeCreate(p, caller: caller ?? admin)
            } else {
                try Schemas.bgpvpn.authorizeUpdate(p, owner: "tenant-t", caller: caller ?? admin)
            }
            return nil
        } catch {
            return error
        }
    }

    // The create-error table of bgpvpn-api.md §2.5.
    @Test func createErrorsHaveTheReferenceTexts() {
        #expect(bgpvpnError("")?.message == "Resource body required")
        #expect(bgpvpnError("[1]")?.message == "Body contains invalid data")
        #expect(bgpvpnError(#"{"x": {}}"#)?.message == "Unable to find 'bgpvpn' in request body")
        #expect(bgpvpnError(#"{"bgpvpn": 1}"#)?.message == "Object 'bgpvpn' contains invalid data")
        #expect(bgpvpnError(#"{"bgpvpn": {"foo": 1}}"#)?.message == "Unrecognized attribute(s) 'foo'")
        #expect(bgpvpnError(#"{"bgpvpn": {"id": "x"}}"#)?.message == "Attribute 'id' not allowed in POST")
        #expect(bgpvpnError(#"{"bgpvpn": {"networks": []}}"#)?.message == "Attribute 'networks' not allowed in POST")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"type": "l4"}}"#)?.message
                == "Invalid input for type. Reason: l4 is not in valid_values.")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"vni": 16777216}}"#)?.message
                == "Invalid input for vni. Reason: '16777216' is too large - must be no larger than '16777215'.")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"local_pref": -1}}"#)?.message
                == "Invalid input for local_pref. Reason: '-1' is too small - must be at least '0'.")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"route_targets": ["64512:1000000000000", "xyz"]}}"#)?.message
                == "Invalid input for route_targets. Reason: '64512:1000000000000' is not a valid input.")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"name": " lead"}}"#)?.message
                == "Invalid input for name. Reason: ' lead' is not a valid string.")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"project_id": "a", "tenant_id": "b"}}"#)?.message
                == "'project_id' and 'tenant_id' do not match")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"project_id": "other"}}"#, caller: member)?.message
                == "Specifying 'project_id' other than the authenticated project in request is not allowed for the current user."
        )
    }

    @Test func memberCreateIsRefusedWithTheNestedRuleText() {
        let e = bgpvpnError(#"{"bgpvpn": {"route_targets": ["64512:1"]}}"#, caller: member)
        #expect(e?.status == 403)
        #expect(e?.type == "PolicyNotAuthorized")
        #expect(
            e?.message
                == "((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:route_targets) is disallowed by policy"
        )
    }

    @Test func updateRules() {
        #expect(
            bgpvpnError(#"{"bgpvpn": {"type": "l2"}}"#, create: false)?.message
                == "Cannot update read-only attribute type")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"vni": 5}}"#, create: false)?.message == "Cannot update read-only attribute vni")
        #expect(
            bgpvpnError(#"{"bgpvpn": {"project_id": "admin-project"}}"#, create: false)?.message
                == "Cannot update read-only attribute tenant_id")
        let e = bgpvpnError(#"{"bgpvpn": {"route_targets": ["1:1"]}}"#, caller: member, create: false)
        #expect(e?.message == "(rule:update_bgpvpn and rule:update_bgpvpn:route_targets) is disallowed by policy")
        #expect(bgpvpnError(#"{"bgpvpn": {"name": "n", "local_pref": "100"}}"#, caller: member, create: false) == nil)
    }

    @Test func defaultsAndConversions() throws {
        let p = try Schemas.bgpvpn.prepare(
            body: Array(#"{"bgpvpn": {"route_targets": "64512:1", "local_pref": "100"}}"#.utf8), isCreate: true,
            caller: admin)
        #expect(p.attributes["route_targets"] == ["64512:1"])
        #expect(p.attributes["import_targets"] == [])
        #expect(p.attributes["type"] == "l3")
        #expect(p.attributes["local_pref"] == 100)
        #expect(p.attributes["project_id"] == "admin-project")
        #expect(p.attributes["tenant_id"] == "admin-project")
    }

    @Test func viewHidesAdminOnlyAttributesFromTheOwner() {
        var doc = JSONObject()
        for (k, v): (String, JSON) in [
            ("id", "i"), ("name", "vpn1"), ("type", "l3"), ("route_targets", ["64512:1"]), ("import_targets", []),
            ("export_targets", []), ("route_distinguishers", []), ("vni", 1000), ("local_pref", 100), ("networks", []),
            ("routers", []), ("ports", []), ("project_id", "tenant-t"), ("tenant_id", "tenant-t"),
        ] { doc[k] = v }
        let owner = Schemas.bgpvpn.view(doc, caller: member)
        #expect(owner.keys.sorted() == ["id", "local_pref", "name", "networks", "ports", "routers", "type"])
        #expect(Schemas.bgpvpn.view(doc, caller: admin).count == 14)
        #expect(Schemas.bgpvpn.view(doc, caller: admin, fields: ["id", "name"]).keys == ["id", "name"])
    }

    @Test func portAssociationRoutes() throws {
        func routes(_ text: String) throws(NeutronError) -> JSON {
            try Validators.convertRoutes(try! JSON.parse(text))
        }
        #expect(
            try routes(
                #"[{"type": "prefix", "prefix": "20.1.0.0/16", "local_pref": 200}, {"type": "bgpvpn", "bgpvpn_id": "64fe1216-0000-4000-8000-000000000001"}]"#
            )
                == [
                    ["type": "prefix", "prefix": "20.1.0.0/16", "local_pref": 200],
                    ["type": "bgpvpn", "bgpvpn_id": "64fe1216-0000-4000-8000-000000000001", "local_pref": nil],
                ])
        #expect(
            throws: NeutronError.invalidInput(
                "No valid key specs matched for: {'type': 'prefix', 'prefix': '20.1.0.1'}")
        ) {
            try routes(#"[{"type": "prefix", "prefix": "20.1.0.1"}]"#)
        }
        #expect(throws: NeutronError.invalidInput("'bla' is not a list")) { try routes(#""bla""#) }
        for bad in [
            #"[{"type": "flumox"}]"#, #"[{"type": "prefix", "something_else_than_prefix": "1.1.1.0/24"}]"#,
            #"[{"type": "prefix", "prefix": "1.1.1.352"}]"#,
            #"[{"type": "prefix", "prefix": "12.1.2.3", "local_pref": -1}]"#,
            #"[{"type": "prefix", "prefix": "12.1.2.3/20", "local_pref": 4294967296}]"#,
        ] {
            #expect(throws: NeutronError.self) { try routes(bad) }
        }
        #expect(throws: NeutronError.invalidInput("'foo' cannot be converted to boolean")) {
            try Validators.convertBoolean("foo")
        }
    }
}

@Suite struct AllocationMathTests {
    @Test func routeTargetPool() throws {
        let pool = try RouteTargetPool(asNumber: 64512, ranges: "100:102, 500:500")
        #expect(pool.capacity == 4)
        #expect(pool.firstFree(allocated: []) == 100)
        #expect(pool.firstFree(allocated: [100, 101, 102]) == 500)
        #expect(pool.firstFree(allocated: [100, 101, 102, 500]) == nil)
        #expect(pool.routeTarget(100) == "64512:100")
        for bad in ["0:5", "5:4", "1:65536", "x", "1-2"] {
            #expect(throws: RouteTargetPool.ParseError.self) { try RouteTargetPool(asNumber: 1, ranges: bad) }
        }
    }

    @Test func addressPlan() {
        let v4 = IPNetwork("10.0.0.0/29")!
        let gw = AddressPlan.defaultGateway(v4)!
        #expect(gw.description == "10.0.0.1")
        let pools = AddressPlan.defaultPools(v4, gateway: gw)
        #expect(pools.map { "\($0.0)-\($0.1)" } == ["10.0.0.2-10.0.0.6"])
        #expect(AddressPlan.firstFree(pools: pools, allocated: ["10.0.0.2", "10.0.0.3"])?.description == "10.0.0.4")
        #expect(AddressPlan.firstFree(pools: pools, allocated: Set((2...6).map { "10.0.0.\($0)" })) == nil)
        let mid = AddressPlan.defaultPools(v4, gateway: IPAddress("10.0.0.4"))
        #expect(mid.map { "\($0.0)-\($0.1)" } == ["10.0.0.1-10.0.0.3", "10.0.0.5-10.0.0.6"])
        let v6 = IPNetwork("2001:db8::/64")!
        #expect(AddressPlan.defaultGateway(v6)?.description == "2001:db8::1")
        #expect(
            AddressPlan.defaultPools(v6, gateway: AddressPlan.defaultGateway(v6)).first?.0.description == "2001:db8::2")
    }

    @Test func addressText() {
        #expect(IPAddress("2001:0db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPAddress("::ffff:1.2.3.4")?.description == "::ffff:102:304")
        #expect(IPAddress("01.2.3.4") == nil)
        #expect(IPNetwork("10.0.0.1/24")?.hasHostBits == true)
        #expect(
            Validators.subnet("10.0.0.1/24")
                == "'10.0.0.1/24' isn't a recognized IP subnet cidr, '10.0.0.0/24' is recommended")
        #expect(MACAddress("FA:16:3E:00:00:0A")?.description == "fa:16:3e:00:00:0a")
    }

    @Test func listQuery() throws {
        let q = try ListQuery.parse("fields=id&fields=name&type=l2&type=l3&name=a%20b&limit=2&marker=m", sortable: [])
        #expect(q.fields == ["id", "name"])
        #expect(q.filters.map(\.key) == ["type", "name"])
        #expect(q.filters[0].values == ["l2", "l3"])
        #expect(q.filters[1].values == ["a b"])
        #expect(q.limit == 2)
        #expect(
            throws: NeutronError(
                status: 400, type: "BadRequest",
                message: "Bad limit request: Limit must be an integer 0 or greater and not 'x'.")
        ) {
            try ListQuery.parse("limit=x", sortable: [])
        }
        #expect(throws: NeutronError.badRequest("['name'] is invalid attribute for sort_keys")) {
            try ListQuery.parse("sort_key=name&sort_dir=asc", sortable: [])
        }
        #expect(throws: NeutronError.badRequest("The number of sort_keys and sort_dirs must be same")) {
            try ListQuery.parse("sort_key=name&sort_key=id&sort_dir=asc", sortable: ["name", "id"])
        }
        #expect(ListQuery.matches(["64512:1", "64512:2"], ["64512:2"]))
        #expect(ListQuery.matches(true, ["True"]))
    }

    @Test func configFile() throws {
        let c = try ServerConfig.parse(
            #"{"listen": "0.0.0.0:9797", "database": "postgres://u@h/d", "tokens": [{"token": "t", "project": "p", "roles": ["admin"]}], "route_targets": {"as_number": 65000, "rt_nn_ranges": "1:10"}, "mac_prefix": "fa:16:3f"}"#
        )
        #expect(c.listen == "0.0.0.0:9797")
        #expect(c.tokens["t"] == Caller(projectID: "p", roles: ["admin"]))
        #expect(c.routeTargets.capacity == 10)
        #expect(c.macPrefix == 0xFA163F)
        #expect(throws: ServerConfig.Error.self) { try ServerConfig.parse(#"{"listn": "x"}"#) }
        #expect(throws: ServerConfig.Error.self) {
            try ServerConfig.parse(#"{"route_targets": {"as_number": 1, "rt_nn_ranges": "9:1"}}"#)
        }
    }
}
