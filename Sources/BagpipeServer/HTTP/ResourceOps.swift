/// The five operations of a collection, bound to the service.
struct ResourceOps: Sendable {
    var list: @Sendable (Caller) async throws -> [JSONObject]
    var get: @Sendable (String, Caller) async throws -> JSONObject
    var create: @Sendable ([UInt8], Caller) async throws -> JSONObject
    var update: @Sendable (String, [UInt8], Caller) async throws -> JSONObject
    var delete: @Sendable (String, Caller) async throws -> Void
    /// Attributes accepted as `sort_key` (`is_sort_key`; none for BGPVPN resources, §1.5).
    var sortable: Set<String> = []
    /// Filters that are not plain attribute equality (e.g. a port's `fixed_ips=ip_address=...`).
    var customFilters: [String: @Sendable (JSONObject, [String]) -> Bool] = [:]
}

extension NeutronAPI {
    static let coreSortable: Set<String> = [
        "id", "name", "status", "admin_state_up", "network_id", "cidr", "ip_version", "mac_address", "device_id",
        "device_owner", "project_id", "tenant_id", "mtu", "shared", "router:external",
    ]

    var networkOps: ResourceOps {
        let s = service
        return ResourceOps(
            list: { try await s.listNetworks($0) }, get: { try await s.getNetwork($0, $1) },
            create: { try await s.createNetwork($0, $1) }, update: { try await s.updateNetwork($0, $1, $2) },
            delete: { try await s.deleteNetwork($0, $1) }, sortable: Self.coreSortable)
    }

    var subnetOps: ResourceOps {
        let s = service
        return ResourceOps(
            list: { try await s.listSubnets($0) }, get: { try await s.getSubnet($0, $1) },
            create: { try await s.createSubnet($0, $1) }, update: { try await s.updateSubnet($0, $1, $2) },
            delete: { try await s.deleteSubnet($0, $1) }, sortable: Self.coreSortable)
    }

    var portOps: ResourceOps {
        let s = service
        return ResourceOps(
            list: { try await s.listPorts($0) }, get: { try await s.getPort($0, $1) },
            create: { try await s.createPort($0, $1) }, update: { try await s.updatePort($0, $1, $2) },
            delete: { try await s.deletePort($0, $1) }, sortable: Self.coreSortable,
            customFilters: [
                // `fixed_ips=ip_address=10.0.0.5` / `fixed_ips=subnet_id=<id>` (tempest, SDK).
                "fixed_ips": { doc, wanted in
                    let ips = (doc.array("fixed_ips") ?? []).compactMap(\.objectValue)
                    return wanted.contains { w in
                        let kv = w.split(separator: "=", maxSplits: 1).map(String.init)
                        guard kv.count == 2 else { return false }
                        return ips.contains { $0.string(kv[0]) == kv[1] }
                    }
                }
            ])
    }

    var routerOps: ResourceOps {
        let s = service
        return ResourceOps(
            list: { try await s.listRouters($0) }, get: { try await s.getRouter($0, $1) },
            create: { try await s.createRouter($0, $1) }, update: { try await s.updateRouter($0, $1, $2) },
            delete: { try await s.deleteRouter($0, $1) }, sortable: Self.coreSortable)
    }

    var bgpvpnOps: ResourceOps {
        let s = service
        return ResourceOps(
            list: { try await s.listBGPVPNs($0) }, get: { try await s.getBGPVPN($0, $1) },
            create: { try await s.createBGPVPN($0, $1) }, update: { try await s.updateBGPVPN($0, $1, $2) },
            delete: { try await s.deleteBGPVPN($0, $1) })
    }

    func associationOps(_ kind: AssociationKind, bgpvpnID: String) -> ResourceOps {
        let s = service
        return ResourceOps(
            list: { try await s.listAssociations(kind, bgpvpnID: bgpvpnID, $0) },
            get: { try await s.getAssociation(kind, $0, bgpvpnID: bgpvpnID, $1) },
            create: { try await s.createAssociation(kind, bgpvpnID: bgpvpnID, $0, $1) },
            update: { try await s.updateAssociation(kind, $0, bgpvpnID: bgpvpnID, $1, $2) },
            delete: { try await s.deleteAssociation(kind, $0, bgpvpnID: bgpvpnID, $1) })
    }
}

/// One request being served.
struct Context {
    let api: NeutronAPI
    let request: APIRequest
    let caller: Caller
    let base: String
    let path: String

    func crud(_ parts: [String], _ schema: ResourceSchema, _ ops: ResourceOps) async throws -> APIResponse {
        let method = request.method
        switch parts.count {
        case 1:
            switch method {
            case "GET": return try await list(schema, ops)
            case "POST": return try await create(schema, ops)
            default: throw NeutronError.methodNotAllowed
            }
        case 2 where !parts[1].isEmpty:
            let id = parts[1]
            switch method {
            case "GET":
                // Unknown query keys on item GETs are ignored (OSC sends `?bgpvpn_id=`, §1.5).
                let fields = ListQuery.pairs(request.query).filter { $0.0 == "fields" }.map { $0.1 }
                let doc = try await ops.get(id, caller)
                return APIResponse(
                    status: 200, body: [schema.resource: .object(schema.view(doc, caller: caller, fields: fields))])
            case "PUT":
                let doc = try await ops.update(id, request.body, caller)
                return APIResponse(status: 200, body: [schema.resource: .object(schema.view(doc, caller: caller))])
            case "DELETE":
                try await ops.delete(id, caller)
                return APIResponse(status: 204, body: nil)
            default: throw NeutronError.methodNotAllowed
            }
        default:
            throw NeutronError.resourceNotFound
        }
    }

    /// Bulk POST `{"<collection>": [...]}` is emulated item by item, as Pecan does (§1.1).
    func create(_ schema: ResourceSchema, _ ops: ResourceOps) async throws -> APIResponse {
        if let parsed = try? JSON.parse(request.body), case .array(let items) = parsed[schema.collection] ?? .null {
            var out: [JSON] = []
            for item in items {
                let body = Array(JSON.object(JSONObject([(schema.resource, item)])).serialized().utf8)
                out.append(.object(schema.view(try await ops.create(body, caller), caller: caller)))
            }
            return APIResponse(status: 201, body: [schema.collection: .array(out)])
        }
        let doc = try await ops.create(request.body, caller)
        return APIResponse(status: 201, body: [schema.resource: .object(schema.view(doc, caller: caller))])
    }

    func list(_ schema: ResourceSchema, _ ops: ResourceOps) async throws -> APIResponse {
        let q = try ListQuery.parse(request.query, sortable: ops.sortable)
        // Filters apply to what the caller may see, so hidden attributes cannot be probed.
        var docs = try await ops.list(caller).map { schema.view($0, caller: caller) }
        for (key, wanted) in q.filters {
            if let custom = ops.customFilters[key] {
                docs = docs.filter { custom($0, wanted) }
            } else if schema.attribute(key) != nil {
                docs = docs.filter { ListQuery.matches($0[key], wanted) }
            }
        }
        let (items, next, previous) = q.page(q.sorted(docs))
        var body = JSONObject()
        body[schema.collection] = .array(
            items.map { .object(q.fields.isEmpty ? $0 : schema.view($0, caller: caller, fields: q.fields)) })
        if let limit = q.limit {
            var links: [JSON] = []
            let keep = ListQuery.pairs(request.query).filter { !["limit", "marker", "page_reverse"].contains($0.0) }
            func href(_ marker: String, reverse: Bool) -> JSON {
                var params = keep + [("limit", String(limit)), ("marker", marker)]
                if reverse { params.append(("page_reverse", "True")) }
                return .string(
                    "\(base)\(path)?"
                        + params.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&"))
            }
            if let next { links.append(["rel": "next", "href": href(next, reverse: false)]) }
            if let previous { links.append(["rel": "previous", "href": href(previous, reverse: true)]) }
            body[schema.collection + "_links"] = .array(links)
        }
        return APIResponse(status: 200, body: .object(body))
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: ":"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
