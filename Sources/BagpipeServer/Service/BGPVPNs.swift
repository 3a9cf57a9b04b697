/// BGPVPNs (bgpvpn-api.md §2) and their network/router/port associations (§3), bagpipe driver rules (§5.5).
extension NeutronService {
    static let rdNotSupported = NeutronError(
        status: 400, type: "BGPVPNRDNotSupported",
        message: "BGPVPN bagpipe driver does not support to manually set route distinguisher")

    /// Fills the computed `networks`, `routers`, `ports` lists from the association tables.
    static func withAssociations(_ repo: Repository, _ vpns: [JSONObject]) async throws -> [JSONObject] {
        if vpns.isEmpty { return [] }
        var nets: [String: [JSON]] = [:]
        var routers: [String: [JSON]] = [:]
        var ports: [String: [JSON]] = [:]
        for a in try await repo.list(.networkAssociations) {
            nets[a.string("bgpvpn_id")!, default: []].append(a["network_id"]!)
        }
        for a in try await repo.list(.routerAssociations) {
            routers[a.string("bgpvpn_id")!, default: []].append(a["router_id"]!)
        }
        for a in try await repo.list(.portAssociations) {
            ports[a.string("bgpvpn_id")!, default: []].append(a["port_id"]!)
        }
        return vpns.map { v in
            var v = v
            let id = v.string("id")!
            v["networks"] = .array(nets[id] ?? [])
            v["routers"] = .array(routers[id] ?? [])
            v["ports"] = .array(ports[id] ?? [])
            return v
        }
    }

    public func createBGPVPN(_ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        var prepared = try Schemas.bgpvpn.prepare(body: body, isCreate: true, caller: caller)
        prepared.attributes["description"] = nil  // accepted and dropped (§2.2)
        try Schemas.bgpvpn.authorizeCreate(prepared, caller: caller)
        if !(prepared.attributes.array("route_distinguishers") ?? []).isEmpty { throw Self.rdNotSupported }
        let attributes = prepared.attributes
        return try await write { repo in
            var doc = attributes
            doc["id"] = .string(Self.newID())
            try await repo.insert(.bgpvpns, doc)
            try await repo.record("bgpvpn", doc.string("id")!, "created")
            return try await Self.withAssociations(repo, [doc])[0]
        }
    }

    public func getBGPVPN(_ id: String, _ caller: Caller) async throws -> JSONObject {
        try await read { repo in
            try await Self.withAssociations(repo, [try await scoped(repo, .bgpvpns, id, caller, Schemas.bgpvpn)])[0]
        }
    }

    public func listBGPVPNs(_ caller: Caller) async throws -> [JSONObject] {
        try await read { repo in try await Self.withAssociations(repo, try await listScoped(repo, .bgpvpns, caller)) }
    }

    public func updateBGPVPN(_ id: String, _ body: [UInt8], _ caller: Caller) async throws -> JSONObject {
        var prepared = try Schemas.bgpvpn.prepare(body: body, isCreate: false, caller: caller)
        prepared.attributes["description"] = nil
        let update = prepared
        return try await write { repo in
            var vpn = try await scoped(repo, .bgpvpns, id, caller, Schemas.bgpvpn)
            try Schemas.bgpvpn.authorizeUpdate(update, owner: vpn.string("project_id"), caller: caller)
            if !(update.attributes.array("route_distinguishers") ?? []).isEmpty { throw Self.rdNotSupported }
            for (k, v) in update.attributes.pairs { vpn[k] = v }
            try await repo.update(.bgpvpns, vpn)
            try await repo.record("bgpvpn", id, "updated")
            return try await Self.withAssociations(repo, [vpn])[0]
        }
    }

    public func deleteBGPVPN(_ id: String, _ caller: Caller) async throws {
        try await write { repo in
            let vpn = try await scoped(repo, .bgpvpns, id, caller, Schemas.bgpvpn)
            try Schemas.bgpvpn.authorizeDelete(owner: vpn.string("project_id"), caller: caller)
            for (table, name) in [
                (DocumentTable.networkAssociations, "network_association"), (.routerAssociations, "router_association"),
                (.portAssociations, "port_association"),
            ] {
                for a in try await repo.list(table, [("bgpvpn_id", .text(id))]) {
                    try await repo.delete(table, a.string("id")!)
                    try await repo.record(name, a.string("id")!, "deleted")
                }
            }
            // Port-association routes that leak this BGPVPN go with it (ON DELETE CASCADE upstream, §2.5).
            for var a in try await repo.list(.portAssociations) {
                let routes = a.array("routes") ?? []
                let kept = routes.filter { $0["bgpvpn_id"]?.stringValue != id }
                if kept.count != routes.count {
                    a["routes"] = .array(kept)
                    try await repo.update(.portAssociations, a)
                    try await repo.record("port_association", a.string("id")!, "updated")
                }
            }
            try await repo.delete(.bgpvpns, id)
            try await repo.record("bgpvpn", id, "deleted")
        }
    }
}

/// The three association kinds share their URL layout and most of their rules (§3).
public enum AssociationKind: String, Sendable, CaseIterable {
    case network
    case router
    case port

    public var schema: ResourceSchema {
        switch self {
        case .network: return Schemas.networkAssociation
        case .router: return Schemas.routerAssociation
        case .port: return Schemas.portAssociation
        }
    }
    var table: DocumentTable {
        switch self {
        case .network: return .networkAssociations
        case .router: return .routerAssociations
        case .port: return .portAssociations
        }
    }
    var key: String { rawValue + "_id" }
    var changeName: String { rawValue + "_association" }

    func notFound(_ assoc: String, _ vpn: String) -> NeutronError {
        switch self {
        case .network:
            return .notFound(
                "BGPVPNNetAssocNotFound", "BGPVPN network association \(assoc) could not be found for BGPVPN \(vpn)")
        case .router:
            return .notFound(
                "BGPVPNRouterAssocNotFound", "BGPVPN router association \(assoc) could not be found for BGPVPN \(vpn)")
        case .port:
            return .notFound(
                "BGPVPNPortAssocNotFound", "BGPVPN port association \(assoc) could not be found for BGPVPN \(vpn)")
        }
    }

    func alreadyExists(_ resource: String, _ vpn: String) -> NeutronError {
        switch self {
        case .network:
            return NeutronError(
                status: 400, type: "BGPVPNNetAssocAlreadyExists",
                message: "network \(resource) is already associated to BGPVPN \(vpn)")
        case .router:
            return NeutronError(
                status: 400, type: "BGPVPNRouterAssocAlreadyExists",
                message: "router \(resource) is already associated to BGPVPN \(vpn)")
        case .port:
            return NeutronError(
                status: 400, type: "BGPVPNPortAssocAlreadyExists",
                message: "port \(resource) is already associated to BGPVPN \(vpn)")
        }
    }
}

extension NeutronService {
    static func pyList(_ ids: [String]) -> String { JSON.strings(ids).pythonRepr() }

    public func createAssociation(
        _ kind: AssociationKind, bgpvpnID: String, _ body: [UInt8], _ caller: Caller
    )
        async throws -> JSONObject
    {
        let prepared = try kind.schema.prepare(body: body, isCreate: true, caller: caller)
        try kind.schema.authorizeCreate(prepared, caller: caller)
        return try await write { repo in
            var doc = prepared.attributes
            doc["id"] = .string(Self.newID())
            doc["bgpvpn_id"] = .string(bgpvpnID)
            let target = doc.string(kind.key)!
            let assocProject = doc.string("project_id")
            // The checks of §3.3, in the reference's order.
            let resourceProject: String?
            switch kind {
            case .network:
                let net = try await visibleNetwork(repo, target, caller)
                resourceProject = net.string("project_id")
                try await Self.checkNetworkNotBehindAssociatedRouter(repo, net)
            case .router:
                let router = try await scoped(repo, .routers, target, caller, Schemas.router)
                resourceProject = router.string("project_id")
                try await Self.checkRouterNetworksNotAssociated(repo, router)
            case .port:
                resourceProject = try await scoped(repo, .ports, target, caller, Schemas.port).string("project_id")
            }
            let vpn = try await scoped(repo, .bgpvpns, bgpvpnID, caller, Schemas.bgpvpn)
            if kind == .router, vpn.string("type") != "l3" {
                throw NeutronError.bad("bgpvpn", "Router associations require the bgpvpn to be of type l3")
            }
            if resourceProject != vpn.string("project_id") || assocProject != vpn.string("project_id") {
                throw NeutronError.notAuthorized
            }
            if kind == .network, try await repo.get(.networks, target)?.bool("router:external") == true {
                // Reference: a 500 (plain NeutronException); 400 here, same type and message (docs/server.md).
                throw NeutronError(
                    status: 400, type: "BGPVPNExternalNetAssociation",
                    message: "driver does not support associating an externalnetwork to a BGPVPN")
            }
            if kind == .port {
                try await Self.checkRoutes(repo, doc.array("routes") ?? [], vpn: vpn, project: assocProject, caller)
            }
            if !(try await repo.list(kind.table, [("bgpvpn_id", .text(bgpvpnID)), (kind.key, .text(target))]).isEmpty) {
                throw kind.alreadyExists(target, bgpvpnID)
            }
            try await repo.insert(kind.table, doc)
            try await repo.record(kind.changeName, doc.string("id")!, "created")
            return doc
        }
    }

    /// §3.3 network check 3: only the first router-interface port of the network is examined (as upstream).
    static func checkNetworkNotBehindAssociatedRouter(_ repo: Repository, _ net: JSONObject) async throws {
        let ports = try await repo.list(.ports, [("network_id", .text(net.string("id")!))])
        guard let rif = ports.first(where: { $0.string("device_owner") == routerInterfaceOwner }) else { return }
        var vpnIDs: [String] = []
        for a in try await repo.list(.routerAssociations, [("router_id", .text(rif.string("device_id")!))]) {
            if let vpn = try await repo.get(.bgpvpns, a.string("bgpvpn_id")!),
                vpn.string("project_id") == net.string("project_id")
            {
                vpnIDs.append(vpn.string("id")!)
            }
        }
        if !vpnIDs.isEmpty {
            throw NeutronError.bad(
                "bgpvpn",
                "Network \(net.string("id")!) is linked to a router which is already associated to bgpvpn(s) \(pyList(vpnIDs))"
            )
        }
    }

    /// §3.3 router check 2.
    static func checkRouterNetworksNotAssociated(_ repo: Repository, _ router: JSONObject) async throws {
        let routerID = router.string("id")!
        for p in try await interfacePorts(repo, routerID: routerID) {
            let net = p.string("network_id")!
            var vpnIDs: [String] = []
            for a in try await repo.list(.networkAssociations, [("network_id", .text(net))]) {
                if let vpn = try await repo.get(.bgpvpns, a.string("bgpvpn_id")!),
                    vpn.string("project_id") == router.string("project_id")
                {
                    vpnIDs.append(vpn.string("id")!)
                }
            }
            if !vpnIDs.isEmpty {
                throw NeutronError.bad(
                    "bgpvpn",
                    "router \(routerID) has an attached network \(net) which is already associated to bgpvpn(s) \(pyList(vpnIDs))"
                )
            }
        }
    }

    /// §3.3 port check 4: `type: bgpvpn` routes must name an existing BGPVPN of the same type and project. The
    /// lookup is scoped for non-admins, so a foreign BGPVPN "does not exist" for them.
    static func checkRoutes(
        _ repo: Repository, _ routes: [JSON], vpn: JSONObject, project: String?, _ caller: Caller
    )
        async throws
    {
        for r in routes {
            guard let target = r["bgpvpn_id"]?.stringValue else { continue }
            guard let other = try await repo.get(.bgpvpns, target), owned(other, caller) else {
                throw NeutronError(
                    status: 400, type: "BGPVPNPortAssocRouteNoSuchBGPVPN",
                    message: "bgpvpn specified in route does not exist (\(target))")
            }
            if other.string("type") != vpn.string("type") {
                throw NeutronError(
                    status: 400, type: "BGPVPNPortAssocRouteBGPVPNTypeDiffer",
                    message:
                        "bgpvpn specified in route is of type \(other.string("type")!), differing from type of associated BGPVPN \(vpn.string("type")!))"
                )
            }
            if other.string("project_id") != project {
                throw NeutronError(
                    status: 400, type: "BGPVPNPortAssocRouteWrongBGPVPNProject",
                    message: "bgpvpn specified in route does not belong to the project (\(target))")
            }
        }
    }

    /// §3.4: lookup by (association, BGPVPN) and project.
    static func association(
        _ repo: Repository, _ kind: AssociationKind, _ id: String, bgpvpnID: String, _ caller: Caller
    )
        async throws -> JSONObject
    {
        guard let a = try await repo.get(kind.table, id), a.string("bgpvpn_id") == bgpvpnID, owned(a, caller) else {
            throw kind.notFound(id, bgpvpnID)
        }
        return a
    }

    public func getAssociation(
        _ kind: AssociationKind, _ id: String, bgpvpnID: String, _ caller: Caller
    ) async throws
        -> JSONObject
    {
        try await read { repo in try await Self.association(repo, kind, id, bgpvpnID: bgpvpnID, caller) }
    }

    /// §3.4: the parent's existence is not checked; another project's BGPVPN lists as empty.
    public func listAssociations(
        _ kind: AssociationKind, bgpvpnID: String, _ caller: Caller
    ) async throws -> [JSONObject] {
        try await read { repo in try await listScoped(repo, kind.table, caller, [("bgpvpn_id", .text(bgpvpnID))]) }
    }

    public func updateAssociation(
        _ kind: AssociationKind, _ id: String, bgpvpnID: String, _ body: [UInt8], _ caller: Caller
    )
        async throws -> JSONObject
    {
        let prepared = try kind.schema.prepare(body: body, isCreate: false, caller: caller)
        return try await write { repo in
            var a = try await Self.association(repo, kind, id, bgpvpnID: bgpvpnID, caller)
            try kind.schema.authorizeUpdate(prepared, owner: a.string("project_id"), caller: caller)
            if kind == .port, let routes = prepared.attributes.array("routes") {
                let vpn = try await repo.get(.bgpvpns, bgpvpnID)!
                try await Self.checkRoutes(repo, routes, vpn: vpn, project: a.string("project_id"), caller)
            }
            for (k, v) in prepared.attributes.pairs { a[k] = v }
            try await repo.update(kind.table, a)
            try await repo.record(kind.changeName, id, "updated")
            return a
        }
    }

    public func deleteAssociation(
        _ kind: AssociationKind, _ id: String, bgpvpnID: String, _ caller: Caller
    ) async throws {
        try await write { repo in
            let a = try await Self.association(repo, kind, id, bgpvpnID: bgpvpnID, caller)
            try kind.schema.authorizeDelete(owner: a.string("project_id"), caller: caller)
            try await repo.delete(kind.table, id)
            try await repo.record(kind.changeName, id, "deleted")
        }
    }
}
