/// Ports: MAC and fixed-IP allocation, bindings (bgpvpn-api.md §7.4).
extension NeutronService {
    static let routerInterfaceOwner = "network:router_interface"

    public func createPort(_ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.port.prepare(body: body, isCreate: true, caller: caller)
        try Schemas.port.authorizeCreate(prepared, caller: caller)
        let macPrefix = config.macPrefix
        return try await write { repo in
            var doc = prepared.attributes
            doc["id"] = .string(Self.newID())
            _ = try await visibleNetwork(repo, doc.string("network_id")!, caller)
            return try await Self.insertPort(repo, &doc, requestedIPs: doc.array("fixed_ips"), macPrefix: macPrefix)
        }
    }

    /// Allocates the MAC and the fixed IPs, then stores the port. Used by port create and router interfaces.
    static func insertPort(
        _ repo: Repository, _ doc: inout JSONObject, requestedIPs: [JSON]?, macPrefix: UInt32
    )
        async throws -> JSONObject
    {
        let networkID = doc.string("network_id")!
        if let mac = doc.string("mac_address") {
            let canonical = MACAddress(mac)!.description
            if try await repo.macInUse(canonical) {
                throw NeutronError.conflict(
                    "MacAddressInUse",
                    "Unable to complete operation for network \(networkID). The mac address \(canonical) is in use.")
            }
            doc["mac_address"] = .string(canonical)
        } else {
            doc["mac_address"] = .string(try await generateMAC(repo, prefix: macPrefix, networkID: networkID))
        }
        let portID = doc.string("id")!
        doc["fixed_ips"] = .array(
            try await allocateIPs(repo, networkID: networkID, portID: portID, requested: requestedIPs, keep: []))
        setBinding(&doc)
        try await repo.insert(.ports, doc)
        try await repo.record(
            "port", portID, "created", host: doc.string("binding:host_id").flatMap { $0.isEmpty ? nil : $0 })
        return doc
    }

    static func generateMAC(_ repo: Repository, prefix: UInt32, networkID: String) async throws -> String {
        for _ in 0..<16 {
            let mac = MACAddress(value: UInt64(prefix) << 24 | UInt64.random(in: 0...0xFF_FFFF)).description
            if !(try await repo.macInUse(mac)) { return mac }
        }
        throw NeutronError(
            status: 503, type: "MacAddressGenerationFailure",
            message: "Unable to generate unique mac on network \(networkID).")
    }

    /// Status and binding details follow the host binding: no agent reports port status here.
    static func setBinding(_ doc: inout JSONObject) {
        let bound = !(doc.string("binding:host_id") ?? "").isEmpty
        doc["binding:vif_type"] = bound ? "ovs" : "unbound"
        doc["binding:vif_details"] = bound ? ["port_filter": true] : .object(JSONObject())
        doc["status"] = bound && doc.bool("admin_state_up") != false ? "ACTIVE" : "DOWN"
    }

    /// Resolves a `fixed_ips` request (nil = automatic: one address per IP version) into allocations.
    /// `keep` lists current allocations of an updated port, which stay when requested again.
    static func allocateIPs(
        _ repo: Repository, networkID: String, portID: String, requested: [JSON]?, keep: [JSONObject]
    ) async throws -> [JSON] {
        let subnets = try await repo.list(.subnets, [("network_id", .text(networkID))])
        var out: [JSON] = []
        func take(_ sub: JSONObject, _ ip: IPAddress?) async throws {
            let sid = sub.string("id")!
            if let ip {
                let text = ip.description
                if keep.contains(where: { $0.string("subnet_id") == sid && $0.string("ip_address") == text }) {
                    out.append(["subnet_id": .string(sid), "ip_address": .string(text)])
                    return
                }
                if try await repo.ipOwner(subnetID: sid, ip: text) != nil {
                    throw NeutronError.conflict(
                        "IpAddressAlreadyAllocated", "IP address \(text) already allocated in subnet \(sid)")
                }
                try await repo.allocateIP(subnetID: sid, ip: text, portID: portID)
                out.append(["subnet_id": .string(sid), "ip_address": .string(text)])
                return
            }
            let pools = AddressPlan.parsePools(sub["allocation_pools"])
            guard let free = AddressPlan.firstFree(pools: pools, allocated: try await repo.allocatedIPs(subnetID: sid))
            else {
                throw NeutronError.conflict(
                    "IpAddressGenerationFailure", "No more IP addresses available for subnet \(sid).")
            }
            try await repo.allocateIP(subnetID: sid, ip: free.description, portID: portID)
            out.append(["subnet_id": .string(sid), "ip_address": .string(free.description)])
        }
        guard let requested else {
            // Automatic: the first subnet of each IP version that still has a free address.
            for version in [4, 6] {
                let candidates = subnets.filter { $0.int("ip_version") == Int64(version) }
                if candidates.isEmpty { continue }
                var done = false
                for sub in candidates {
                    let pools = AddressPlan.parsePools(sub["allocation_pools"])
                    if let free = AddressPlan.firstFree(
                        pools: pools, allocated: try await repo.allocatedIPs(subnetID: sub.string("id")!))
                    {
                        try await take(sub, free)
                        done = true
                        break
                    }
                }
                if !done {
                    throw NeutronError.conflict(
                        "IpAddressGenerationFailure", "No more IP addresses available on network \(networkID).")
                }
            }
            return out
        }
        for item in requested {
            let o = item.objectValue!
            let ip = o.string("ip_address").flatMap(IPAddress.init)
            if let sid = o.string("subnet_id") {
                guard let sub = subnets.first(where: { $0.string("id") == sid }) else {
                    throw NeutronError.invalidInput(
                        "Failed to create port on network \(networkID), because fixed_ips included invalid subnet \(sid)"
                    )
                }
                if let ip, !(IPNetwork(sub.string("cidr")!)!.contains(ip)) {
                    throw NeutronError(
                        status: 400, type: "InvalidIpForSubnet",
                        message: "IP address \(ip) is not a valid IP for the specified subnet.")
                }
                try await take(sub, ip)
            } else if let ip {
                guard let sub = subnets.first(where: { IPNetwork($0.string("cidr")!)!.contains(ip) }) else {
                    throw NeutronError(
                        status: 400, type: "InvalidIpForNetwork",
                        message: "IP address \(ip) is not a valid IP for any of the subnets on the specified network.")
                }
                try await take(sub, ip)
            } else {
                throw NeutronError.invalidAttribute(
                    "fixed_ips", "Invalid data format for fixed IP: \(item.pythonRepr())")
            }
        }
        return out
    }

    public func getPort(_ id: String, _ caller: Caller) async throws -> JSONObject {
        try await read { repo in try await scoped(repo, .ports, id, caller, Schemas.port) }
    }

    public func listPorts(
        _ caller: Caller, networkID: String? = nil, deviceID: String? = nil
    ) async throws -> [JSONObject] {
        var filters: [(String, SQLValue)] = []
        if let networkID { filters.append(("network_id", .text(networkID))) }
        if let deviceID { filters.append(("device_id", .text(deviceID))) }
        let f = filters
        return try await read { repo in try await listScoped(repo, .ports, caller, f) }
    }

    public func updatePort(_ id: String, _ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        let prepared = try Schemas.port.prepare(body: body, isCreate: false, caller: caller)
        return try await write { repo in
            var port = try await scoped(repo, .ports, id, caller, Schemas.port)
            try Schemas.port.authorizeUpdate(prepared, owner: port.string("project_id"), caller: caller)
            let oldHost = port.string("binding:host_id") ?? ""
            if let requested = prepared.attributes.array("fixed_ips") {
                let current = (port.array("fixed_ips") ?? []).compactMap(\.objectValue)
                try await repo.releaseIPs(portID: id)
                // Re-insert kept allocations first so they cannot be taken by the automatic picks below.
                let keep = current.filter { c in
                    requested.contains { r in
                        r["ip_address"]?.stringValue.flatMap(IPAddress.init)?.description == c.string("ip_address")
                            && (r["subnet_id"] == nil || r["subnet_id"]?.stringValue == c.string("subnet_id"))
                    }
                }
                for k in keep {
                    try await repo.allocateIP(subnetID: k.string("subnet_id")!, ip: k.string("ip_address")!, portID: id)
                }
                port["fixed_ips"] = .array(
                    try await Self.allocateIPs(
                        repo, networkID: port.string("network_id")!, portID: id, requested: requested, keep: keep))
            }
            for (k, v) in prepared.attributes.pairs where k != "fixed_ips" { port[k] = v }
            Self.setBinding(&port)
            try await repo.update(.ports, port)
            let newHost = port.string("binding:host_id") ?? ""
            // An agent losing a port must hear about it too.
            if !oldHost.isEmpty, oldHost != newHost { try await repo.record("port", id, "updated", host: oldHost) }
            try await repo.record("port", id, "updated", host: newHost.isEmpty ? nil : newHost)
            return port
        }
    }

    public func deletePort(_ id: String, _ caller: Caller) async throws {
        try await write { repo in
            let port = try await scoped(repo, .ports, id, caller, Schemas.port)
            try Schemas.port.authorizeDelete(owner: port.string("project_id"), caller: caller)
            if port.string("device_owner") == Self.routerInterfaceOwner {
                throw NeutronError.conflict(
                    "ServicePortInUse",
                    "Port \(id) cannot be deleted directly via the port API: has device owner \(Self.routerInterfaceOwner)."
                )
            }
            try await Self.removePort(repo, port)
        }
    }

    /// Deletes a port, its IPs and its port associations (§3.4 cascade).
    static func removePort(_ repo: Repository, _ port: JSONObject) async throws {
        let id = port.string("id")!
        try await repo.releaseIPs(portID: id)
        for a in try await repo.list(.portAssociations, [("port_id", .text(id))]) {
            try await repo.delete(.portAssociations, a.string("id")!)
            try await repo.record("port_association", a.string("id")!, "deleted")
        }
        try await repo.delete(.ports, id)
        let host = port.string("binding:host_id") ?? ""
        try await repo.record("port", id, "deleted", host: host.isEmpty ? nil : host)
    }
}
