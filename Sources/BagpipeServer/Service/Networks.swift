/// Networks and subnets (bgpvpn-api.md §7.4), with the route_target type driver (bagpipe-bgp.md §8.5).
extension NeutronService {
    // MARK: Networks

    public func createNetwork(_ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.network.prepare(body: body, isCreate: true, caller: caller)
        try Schemas.network.authorizeCreate(prepared, caller: caller)
        var initial = prepared.attributes
        initial["id"] = .string(Self.newID())
        initial["status"] = "ACTIVE"
        let requested = initial.int("provider:segmentation_id").map(Int.init)
        let created = initial
        if let t = initial["provider:network_type"], t != .string(NetworkType.routeTarget) {
            throw NeutronError.invalidAttribute("provider:network_type", "\(t.pythonRepr()) is not in valid_values")
        }
        let pool = config.routeTargets
        return try await write { repo in
            var doc = created
            let nn: Int
            if let requested {
                // Provider network: any free value, inside the tenant ranges or not (bagpipe-bgp.md §8.5).
                if try await repo.routeTargetOwner(requested) != nil {
                    throw NeutronError.conflict(
                        "RouteTargetInUse",
                        "Unable to create the network. The route target \(pool.routeTarget(requested)) is in use.")
                }
                nn = requested
            } else {
                guard let free = pool.firstFree(allocated: try await repo.allocatedRouteTargets()) else {
                    throw NeutronError(
                        status: 503, type: "NoNetworkAvailable",
                        message: "Unable to create the network. No tenant network is available for allocation.")
                }
                nn = free
            }
            try await repo.allocateRouteTarget(nn, networkID: doc.string("id")!)
            doc["provider:network_type"] = .string(NetworkType.routeTarget)
            doc["provider:segmentation_id"] = .int(Int64(nn))
            doc["provider:physical_network"] = .null
            doc["subnets"] = []
            try await repo.insert(.networks, doc)
            try await repo.record("network", doc.string("id")!, "created")
            return doc
        }
    }

    func withSubnets(_ repo: Repository, _ nets: [JSONObject]) async throws -> [JSONObject] {
        var byNetwork: [String: [JSON]] = [:]
        for s in try await repo.list(.subnets) { byNetwork[s.string("network_id") ?? "", default: []].append(s["id"]!) }
        return nets.map { n in
            var n = n
            n["subnets"] = .array(byNetwork[n.string("id") ?? ""] ?? [])
            return n
        }
    }

    public func getNetwork(_ id: String, _ caller: Caller) async throws -> JSONObject {
        try await read { repo in
            var net = try await visibleNetwork(repo, id, caller)
            net["subnets"] = .array(try await repo.list(.subnets, [("network_id", .text(id))]).map { $0["id"]! })
            return net
        }
    }

    public func listNetworks(_ caller: Caller) async throws -> [JSONObject] {
        try await read { repo in try await withSubnets(repo, try await listScoped(repo, .networks, caller)) }
    }

    public func updateNetwork(_ id: String, _ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.network.prepare(body: body, isCreate: false, caller: caller)
        return try await write { repo in
            var net = try await visibleNetwork(repo, id, caller)
            try Schemas.network.authorizeUpdate(prepared, owner: net.string("project_id"), caller: caller)
            for (k, v) in prepared.attributes.pairs { net[k] = v }
            try await repo.update(.networks, net)
            try await repo.record("network", id, "updated")
            net["subnets"] = .array(try await repo.list(.subnets, [("network_id", .text(id))]).map { $0["id"]! })
            return net
        }
    }

    public func deleteNetwork(_ id: String, _ caller: Caller) async throws {
        try await write { repo in
            let net = try await visibleNetwork(repo, id, caller)
            try Schemas.network.authorizeDelete(owner: net.string("project_id"), caller: caller)
            if !(try await repo.list(.ports, [("network_id", .text(id))]).isEmpty) {
                throw NeutronError.conflict(
                    "NetworkInUse",
                    "Unable to complete operation on network \(id). There are one or more ports still in use on the network."
                )
            }
            for s in try await repo.list(.subnets, [("network_id", .text(id))]) {
                try await repo.delete(.subnets, s.string("id")!)
            }
            // §3.4: deleting a network removes its BGPVPN associations.
            for a in try await repo.list(.networkAssociations, [("network_id", .text(id))]) {
                try await repo.delete(.networkAssociations, a.string("id")!)
                try await repo.record("network_association", a.string("id")!, "deleted")
            }
            try await repo.releaseRouteTarget(networkID: id)
            try await repo.delete(.networks, id)
            try await repo.record("network", id, "deleted")
        }
    }

    // MARK: Subnets

    static func visibleSubnet(_ repo: Repository, _ id: String, _ caller: Caller) async throws -> JSONObject {
        guard let sub = try await repo.get(.subnets, id) else { throw Schemas.subnet.notFound(id) }
        if owned(sub, caller) { return sub }
        if let net = try await repo.get(.networks, sub.string("network_id") ?? ""), networkVisible(net, caller) {
            return sub
        }
        throw Schemas.subnet.notFound(id)
    }

    public func createSubnet(_ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.subnet.prepare(body: body, isCreate: true, caller: caller)
        var doc = prepared.attributes
        doc["id"] = .string(Self.newID())
        let cidr = IPNetwork(doc.string("cidr")!)!
        let version = Int(doc.int("ip_version")!)
        guard cidr.address.version == version else {
            throw NeutronError.invalidInput("Cidr \(cidr) has different IP version than ip_version \(version)")
        }
        // Gateway: unspecified → first host; null → none (§7.4).
        var gateway: IPAddress? = nil
        if let g = doc["gateway_ip"] {
            if case .string(let s) = g { gateway = IPAddress(s)! }
        } else {
            gateway = AddressPlan.defaultGateway(cidr)
        }
        if let g = gateway {
            guard cidr.contains(g), g != cidr.first || version == 6,
                version == 6 || g != cidr.last || cidr.hostBits <= 1
            else { throw NeutronError.invalidInput("Gateway is not valid on subnet") }
        }
        doc["gateway_ip"] = .optional(gateway?.description)
        var pools: [(IPAddress, IPAddress)]
        if doc["allocation_pools"] != nil {
            pools = AddressPlan.parsePools(doc["allocation_pools"])
            try Self.checkPools(pools, cidr: cidr, gateway: gateway)
        } else {
            pools = AddressPlan.defaultPools(cidr, gateway: gateway)
        }
        doc["allocation_pools"] = AddressPlan.poolsJSON(pools)
        doc["cidr"] = .string(cidr.description)
        return try await write { [doc] repo in
            let net = try await visibleNetwork(repo, doc.string("network_id")!, caller)
            // create_subnet: admin or network owner.
            guard caller.owns(net.string("project_id")) else { throw NeutronError.policy("rule:create_subnet") }
            try Schemas.subnet.authorizeCreate(prepared, caller: caller)
            for other in try await repo.list(.subnets, [("network_id", .text(net.string("id")!))]) {
                if let o = IPNetwork(other.string("cidr") ?? ""), o.overlaps(cidr) {
                    throw NeutronError.invalidInput(
                        "Requested subnet with cidr: \(cidr) for network: \(net.string("id")!) overlaps with another subnet"
                    )
                }
            }
            try await repo.insert(.subnets, doc)
            try await repo.record("subnet", doc.string("id")!, "created")
            return doc
        }
    }

    static func checkPools(_ pools: [(IPAddress, IPAddress)], cidr: IPNetwork, gateway: IPAddress?) throws(NeutronError)
    {
        for (i, p) in pools.enumerated() {
            let text = "\(p.0)-\(p.1)"
            guard p.0.version == cidr.address.version, p.1.version == cidr.address.version, p.0 <= p.1 else {
                throw NeutronError(
                    status: 400, type: "InvalidAllocationPool", message: "The allocation pool \(text) is not valid.")
            }
            guard cidr.contains(p.0), cidr.contains(p.1) else {
                throw NeutronError(
                    status: 400, type: "OutOfBoundsAllocationPool",
                    message: "The allocation pool \(text) spans beyond the subnet cidr \(cidr).")
            }
            for q in pools[(i + 1)...] where p.0 <= q.1 && q.0 <= p.1 {
                throw NeutronError(
                    status: 400, type: "OverlappingAllocationPools",
                    message: "Found overlapping allocation pools: \(text) \(q.0)-\(q.1) for subnet \(cidr).")
            }
            if let g = gateway, g >= p.0, g <= p.1 {
                throw NeutronError.conflict(
                    "GatewayConflictWithAllocationPools", "Gateway ip \(g) conflicts with allocation pool \(text).")
            }
        }
    }

    public func getSubnet(_ id: String, _ caller: Caller) async throws -> JSONObject {
        try await read { repo in try await Self.visibleSubnet(repo, id, caller) }
    }

    public func listSubnets(_ caller: Caller) async throws -> [JSONObject] {
        try await read { repo in
            let all = try await repo.list(.subnets)
            if caller.isAdmin { return all }
            let visible = Set(try await listScoped(repo, .networks, caller).compactMap { $0.string("id") })
            return all.filter { Self.owned($0, caller) || visible.contains($0.string("network_id") ?? "") }
        }
    }

    public func updateSubnet(_ id: String, _ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.subnet.prepare(body: body, isCreate: false, caller: caller)
        return try await write { repo in
            var sub = try await Self.visibleSubnet(repo, id, caller)
            try Schemas.subnet.authorizeUpdate(prepared, owner: sub.string("project_id"), caller: caller)
            if let g = prepared.attributes["gateway_ip"], case .string(let s) = g {
                let cidr = IPNetwork(sub.string("cidr")!)!
                let ip = IPAddress(s)!
                guard cidr.contains(ip) else { throw NeutronError.invalidInput("Gateway is not valid on subnet") }
                try Self.checkPools(AddressPlan.parsePools(sub["allocation_pools"]), cidr: cidr, gateway: ip)
            }
            for (k, v) in prepared.attributes.pairs { sub[k] = v }
            try await repo.update(.subnets, sub)
            try await repo.record("subnet", id, "updated")
            return sub
        }
    }

    public func deleteSubnet(_ id: String, _ caller: Caller) async throws {
        try await write { repo in
            let sub = try await Self.visibleSubnet(repo, id, caller)
            try Schemas.subnet.authorizeDelete(owner: sub.string("project_id"), caller: caller)
            if try await repo.countIPs(subnetID: id) > 0 {
                throw NeutronError.conflict(
                    "SubnetInUse",
                    "Unable to complete operation on subnet \(id): One or more ports have an IP allocation from this subnet."
                )
            }
            try await repo.delete(.subnets, id)
            try await repo.record("subnet", id, "deleted")
        }
    }
}
