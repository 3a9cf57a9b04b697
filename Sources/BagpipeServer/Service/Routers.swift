/// Routers, router interfaces and the BGPVPN interface-attachment hook (bgpvpn-api.md §3.3, §7.4).
extension NeutronService {
    static func normalizeGateway(_ repo: Repository, _ doc: inout JSONObject) async throws {
        guard let info = doc["external_gateway_info"] else { return }
        // Tempest sends `{}`: no gateway (§7.4).
        guard case .object(let o) = info, let net = o.string("network_id") else {
            doc["external_gateway_info"] = .null
            return
        }
        guard let n = try await repo.get(.networks, net), n.bool("router:external") == true else {
            throw NeutronError.bad("router", "Network \(net) is not a valid external network")
        }
        doc["external_gateway_info"] = [
            "network_id": .string(net), "enable_snat": o["enable_snat"] ?? true, "external_fixed_ips": [],
        ]
    }

    public func createRouter(_ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.router.prepare(body: body, isCreate: true, caller: caller)
        try Schemas.router.authorizeCreate(prepared, caller: caller)
        return try await write { repo in
            var doc = prepared.attributes
            doc["id"] = .string(Self.newID())
            doc["status"] = "ACTIVE"
            doc["routes"] = []
            if doc["external_gateway_info"] == nil { doc["external_gateway_info"] = .null }
            try await Self.normalizeGateway(repo, &doc)
            try await repo.insert(.routers, doc)
            return doc
        }
    }

    public func getRouter(_ id: String, _ caller: Caller) async throws -> JSONObject {
        try await read { repo in try await scoped(repo, .routers, id, caller, Schemas.router) }
    }

    public func listRouters(_ caller: Caller) async throws -> [JSONObject] {
        try await read { repo in try await listScoped(repo, .routers, caller) }
    }

    static func interfacePorts(_ repo: Repository, routerID: String) async throws -> [JSONObject] {
        try await repo.list(.ports, [("device_id", .text(routerID))]).filter {
            $0.string("device_owner") == routerInterfaceOwner
        }
    }

    public func updateRouter(_ id: String, _ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.router.prepare(body: body, isCreate: false, caller: caller)
        return try await write { repo in
            var router = try await scoped(repo, .routers, id, caller, Schemas.router)
            try Schemas.router.authorizeUpdate(prepared, owner: router.string("project_id"), caller: caller)
            if let routes = prepared.attributes.array("routes") {
                // extraroute: every nexthop must be on a subnet the router has an interface on.
                var cidrs: [IPNetwork] = []
                for p in try await Self.interfacePorts(repo, routerID: id) {
                    for ip in p.array("fixed_ips") ?? [] {
                        if let s = try await repo.get(.subnets, ip["subnet_id"]?.stringValue ?? ""),
                            let c = IPNetwork(s.string("cidr") ?? "")
                        {
                            cidrs.append(c)
                        }
                    }
                }
                for r in routes {
                    let hop = IPAddress(r["nexthop"]?.stringValue ?? "")!
                    if !cidrs.contains(where: { $0.contains(hop) }) {
                        throw NeutronError(
                            status: 400, type: "InvalidRoutes",
                            message:
                                "Invalid format for routes: \(JSON.array(routes).pythonRepr()), the nexthop is not connected with router"
                        )
                    }
                }
            }
            for (k, v) in prepared.attributes.pairs { router[k] = v }
            try await Self.normalizeGateway(repo, &router)
            try await repo.update(.routers, router)
            return router
        }
    }

    public func deleteRouter(_ id: String, _ caller: Caller) async throws {
        try await write { repo in
            let router = try await scoped(repo, .routers, id, caller, Schemas.router)
            try Schemas.router.authorizeDelete(owner: router.string("project_id"), caller: caller)
            if !(try await Self.interfacePorts(repo, routerID: id).isEmpty) {
                throw NeutronError.conflict("RouterInUse", "Router \(id) still has ports")
            }
            for a in try await repo.list(.routerAssociations, [("router_id", .text(id))]) {
                try await repo.delete(.routerAssociations, a.string("id")!)
                try await repo.record("router_association", a.string("id")!, "deleted")
            }
            try await repo.delete(.routers, id)
        }
    }

    /// The router-interface request body: exactly one of `subnet_id` / `port_id`.
    static func interfaceRequest(_ body: [UInt8]) throws(NeutronError) -> (subnet: String?, port: String?) {
        guard let parsed = try? JSON.parse(body), case .object(let o) = parsed else {
            throw NeutronError.badRequest("Body contains invalid data")
        }
        let subnet = o["subnet_id"]
        let port = o["port_id"]
        if subnet != nil, port != nil { throw NeutronError.bad("router", "Cannot specify both subnet-id and port-id") }
        guard subnet != nil || port != nil else {
            throw NeutronError.bad("router", "Either subnet_id or port_id must be specified")
        }
        if let s = subnet, Validators.uuid(s) != nil {
            throw NeutronError.invalidAttribute("subnet_id", Validators.uuid(s)!)
        }
        if let p = port, Validators.uuid(p) != nil {
            throw NeutronError.invalidAttribute("port_id", Validators.uuid(p)!)
        }
        return (subnet?.stringValue, port?.stringValue)
    }

    static func interfaceInfo(_ router: JSONObject, _ port: JSONObject, subnetID: String?) -> JSONObject {
        let subnets = (port.array("fixed_ips") ?? []).compactMap { $0["subnet_id"] }
        let project = router["project_id"] ?? .null
        return JSONObject([
            ("id", router["id"]!), ("network_id", port["network_id"]!), ("port_id", port["id"]!),
            ("subnet_id", subnetID.map { .string($0) } ?? subnets.first ?? .null), ("subnet_ids", .array(subnets)),
            ("project_id", project), ("tenant_id", project),
        ])
    }

    /// `_notify_adding_interface_to_router` (§3.3): a router associated with any BGPVPN cannot get an interface
    /// on a network associated with an L3 BGPVPN.
    static func checkInterfaceAgainstBGPVPNs(_ repo: Repository, routerID: String, networkID: String) async throws {
        if try await repo.list(.routerAssociations, [("router_id", .text(routerID))]).isEmpty { return }
        for a in try await repo.list(.networkAssociations, [("network_id", .text(networkID))]) {
            if let vpn = try await repo.get(.bgpvpns, a.string("bgpvpn_id") ?? ""), vpn.string("type") == "l3" {
                throw NeutronError.conflict(
                    "RouterInterfaceAttachmentConflict",
                    "Error cannot perform router interface attachment due to Callback networking_bgpvpn.neutron.services.plugin.BGPVPNPlugin._notify_adding_interface_to_router failed with \"Bad bgpvpn request: It is not allowed to add an interface to a router if both the router and the network are bound to an L3 BGPVPN..\" while attempting the operation."
                )
            }
        }
    }

    public func addRouterInterface(_ routerID: String, _ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let request = try Self.interfaceRequest(body)
        let macPrefix = config.macPrefix
        return try await write { repo in
            let router = try await scoped(repo, .routers, routerID, caller, Schemas.router)
            let existing = try await Self.interfacePorts(repo, routerID: routerID)
            let attachedSubnets = Set(
                existing.flatMap { ($0.array("fixed_ips") ?? []).compactMap { $0["subnet_id"]?.stringValue } })
            if let portID = request.port {
                var port = try await scoped(repo, .ports, portID, caller, Schemas.port)
                let device = port.string("device_id") ?? ""
                if !device.isEmpty {
                    throw NeutronError.conflict(
                        "PortInUse",
                        "Unable to complete operation on port \(portID) for network \(port.string("network_id")!). Port already has an attached device \(device)."
                    )
                }
                let subnets = (port.array("fixed_ips") ?? []).compactMap { $0["subnet_id"]?.stringValue }
                if subnets.isEmpty { throw NeutronError.bad("router", "Router port must have at least one fixed IP") }
                if let dup = subnets.first(where: attachedSubnets.contains) {
                    throw NeutronError.bad("router", "Router already has a port on subnet \(dup)")
                }
                try await Self.checkInterfaceAgainstBGPVPNs(
                    repo, routerID: routerID, networkID: port.string("network_id")!)
                port["device_id"] = .string(routerID)
                port["device_owner"] = .string(Self.routerInterfaceOwner)
                try await repo.update(.ports, port)
                try await repo.record("router_interface", routerID, "created")
                return Self.interfaceInfo(router, port, subnetID: nil)
            }
            let subnetID = request.subnet!
            let subnet = try await Self.visibleSubnet(repo, subnetID, caller)
            guard let gateway = subnet.string("gateway_ip") else {
                throw NeutronError.bad("router", "Subnet for router interface must have a gateway IP")
            }
            if attachedSubnets.contains(subnetID) {
                throw NeutronError.bad("router", "Router already has a port on subnet \(subnetID)")
            }
            let networkID = subnet.string("network_id")!
            try await Self.checkInterfaceAgainstBGPVPNs(repo, routerID: routerID, networkID: networkID)
            var port = JSONObject([
                ("id", .string(Self.newID())), ("name", ""), ("network_id", .string(networkID)),
                ("admin_state_up", true),
                ("device_id", .string(routerID)), ("device_owner", .string(Self.routerInterfaceOwner)),
                ("security_groups", []), ("allowed_address_pairs", []), ("port_security_enabled", false),
                ("binding:host_id", ""), ("binding:vnic_type", "normal"), ("binding:profile", .object(JSONObject())),
                ("description", ""), ("project_id", router["project_id"]!), ("tenant_id", router["project_id"]!),
            ])
            let created = try await Self.insertPort(
                repo, &port, requestedIPs: [["subnet_id": .string(subnetID), "ip_address": .string(gateway)]],
                macPrefix: macPrefix)
            try await repo.record("router_interface", routerID, "created")
            return Self.interfaceInfo(router, created, subnetID: subnetID)
        }
    }

    public func removeRouterInterface(_ routerID: String, _ body: [UInt8], _ caller: Caller) async throws -> JSONObject
    {
        let request = try Self.interfaceRequest(body)
        return try await write { repo in
            let router = try await scoped(repo, .routers, routerID, caller, Schemas.router)
            let ports = try await Self.interfacePorts(repo, routerID: routerID)
            let port: JSONObject
            if let portID = request.port {
                guard let p = ports.first(where: { $0.string("id") == portID }) else {
                    throw NeutronError.notFound(
                        "RouterInterfaceNotFound", "Router \(routerID) does not have an interface with id \(portID)")
                }
                port = p
            } else {
                let sid = request.subnet!
                _ = try await Self.visibleSubnet(repo, sid, caller)
                guard
                    let p = ports.first(where: {
                        ($0.array("fixed_ips") ?? []).contains { $0["subnet_id"]?.stringValue == sid }
                    })
                else {
                    throw NeutronError.notFound(
                        "RouterInterfaceNotFoundForSubnet", "Router \(routerID) has no interface on subnet \(sid)")
                }
                port = p
            }
            let info = Self.interfaceInfo(router, port, subnetID: request.subnet)
            try await Self.removePort(repo, port)
            try await repo.record("router_interface", routerID, "deleted")
            return info
        }
    }
}
