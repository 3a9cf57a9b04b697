import Foundation

/// An HTTP request as the API sees it (independent of the server library, so tests can drive it directly).
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String?
    public var token: String?
    public var body: [UInt8]
    /// `http://host:port`, for absolute links.
    public var baseURL: String

    public init(method: String, path: String, query: String? = nil, token: String?, body: [UInt8] = [], baseURL: String)
    {
        self.method = method
        self.path = path
        self.query = query
        self.token = token
        self.body = body
        self.baseURL = baseURL
    }
}

public struct APIResponse: Sendable {
    public var status: Int
    public var body: JSON?

    public init(status: Int, body: JSON?) {
        self.status = status
        self.body = body
    }
}

/// URL routing, authentication, views and list processing of the Neutron-compatible API (bgpvpn-api.md §1, §7).
public struct NeutronAPI: Sendable {
    public let service: NeutronService

    public init(service: NeutronService) { self.service = service }

    public func handle(_ r: APIRequest) async -> APIResponse {
        do {
            return try await route(r)
        } catch let e as NeutronError {
            return APIResponse(status: e.status, body: e.body)
        } catch StoreError.uniqueViolation(let what) {
            // Writes are serialised, so this only happens on a genuine duplicate the checks did not catch.
            return APIResponse(
                status: 409, body: NeutronError.conflict("Conflict", "Database constraint violated: \(what)").body)
        } catch {
            return APIResponse(status: 500, body: NeutronError.internalError.body)
        }
    }

    func authenticate(_ r: APIRequest) throws(NeutronError) -> Caller {
        guard let token = r.token, let caller = service.config.tokens[token] else { throw .unauthenticated }
        return caller
    }

    func route(_ r: APIRequest) async throws -> APIResponse {
        var path = r.path
        if path.hasSuffix(".json") { path = String(path.dropLast(5)) }
        let base = service.config.publicURL ?? r.baseURL
        // Discovery (§7.1) needs no token.
        if path == "/" || path.isEmpty {
            guard r.method == "GET" else { throw NeutronError.methodNotAllowed }
            return APIResponse(status: 200, body: ["versions": [Self.version(base)]])
        }
        if path == "/v2.0" {
            guard r.method == "GET" else { throw NeutronError.methodNotAllowed }
            return APIResponse(status: 200, body: ["version": Self.version(base)])
        }
        if path == "/v2.0/" {
            guard r.method == "GET" else { throw NeutronError.methodNotAllowed }
            let resources: [JSON] = [("network", "networks"), ("subnet", "subnets"), ("port", "ports")].map {
                [
                    "name": .string($0.0), "collection": .string($0.1),
                    "links": [["rel": "self", "href": .string("\(base)/v2.0/\($0.1)")]],
                ]
            }
            return APIResponse(status: 200, body: ["resources": .array(resources)])
        }
        guard path.hasPrefix("/v2.0/") else { throw NeutronError.resourceNotFound }
        let caller = try authenticate(r)
        if r.method == "DELETE", !r.body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            throw NeutronError.badRequest("Request body is not supported in DELETE.")
        }
        let parts = path.dropFirst("/v2.0/".count).split(separator: "/", omittingEmptySubsequences: false).map(
            String.init)
        let ctx = Context(api: self, request: r, caller: caller, base: base, path: path)
        switch parts.first {
        case "extensions": return try extensions(r, parts)
        case "networks": return try await ctx.crud(parts, Schemas.network, networkOps)
        case "subnets": return try await ctx.crud(parts, Schemas.subnet, subnetOps)
        case "ports": return try await ctx.crud(parts, Schemas.port, portOps)
        case "routers":
            if parts.count == 3, ["add_router_interface", "remove_router_interface"].contains(parts[2]) {
                guard r.method == "PUT" else { throw NeutronError.methodNotAllowed }
                let info =
                    parts[2] == "add_router_interface"
                    ? try await service.addRouterInterface(parts[1], r.body, caller)
                    : try await service.removeRouterInterface(parts[1], r.body, caller)
                return APIResponse(status: 200, body: .object(info))
            }
            return try await ctx.crud(parts, Schemas.router, routerOps)
        case "bgpvpn":
            guard parts.count >= 2, parts[1] == "bgpvpns" else { throw NeutronError.resourceNotFound }
            let rest = Array(parts.dropFirst())
            if rest.count >= 3, let kind = AssociationKind.allCases.first(where: { $0.schema.collection == rest[2] }) {
                return try await ctx.crud(
                    Array(rest.dropFirst(2)), kind.schema, associationOps(kind, bgpvpnID: rest[1]))
            }
            return try await ctx.crud(rest, Schemas.bgpvpn, bgpvpnOps)
        case "bagpipe": return try await agentFeed(r, parts, caller)
        default: throw NeutronError.resourceNotFound
        }
    }

    static func version(_ base: String) -> JSON {
        ["id": "v2.0", "status": "CURRENT", "links": [["rel": "self", "href": .string("\(base)/v2.0/")]]]
    }

    func extensions(_ r: APIRequest, _ parts: [String]) throws -> APIResponse {
        guard r.method == "GET" else { throw NeutronError.resourceNotFound }
        if parts.count == 1 { return APIResponse(status: 200, body: ["extensions": .array(Extensions.all)]) }
        guard parts.count == 2, let e = Extensions.all.first(where: { $0["alias"]?.stringValue == parts[1] }) else {
            throw NeutronError.notFound("HTTPNotFound", "Extension with alias \(parts[1]) does not exist")
        }
        return APIResponse(status: 200, body: ["extension": e])
    }

    /// `GET /v2.0/bagpipe/hosts/<host>/ports` and `GET /v2.0/bagpipe/changes?since=N&host=H&timeout=S`.
    func agentFeed(_ r: APIRequest, _ parts: [String], _ caller: Caller) async throws -> APIResponse {
        guard r.method == "GET" else { throw NeutronError.methodNotAllowed }
        if parts.count == 4, parts[1] == "hosts", parts[3] == "ports" {
            let state = try await service.hostState(parts[2], caller)
            return APIResponse(
                status: 200,
                body: ["revision": .int(state.revision), "host": .string(parts[2]), "ports": .array(state.ports)])
        }
        if parts.count == 2, parts[1] == "changes" {
            var since: Int64 = 0
            var host: String?
            var timeout = 30.0
            for (k, v) in ListQuery.pairs(r.query) {
                switch k {
                case "since":
                    guard let s = Int64(v), s >= 0 else {
                        throw NeutronError.invalidAttribute("since", "'\(v)' is not a revision")
                    }
                    since = s
                case "host": host = v
                case "timeout":
                    guard let t = Double(v), t >= 0, t <= 300 else {
                        throw NeutronError.invalidAttribute("timeout", "'\(v)' is not a number of seconds in 0...300")
                    }
                    timeout = t
                default: break
                }
            }
            let batch = try await service.changes(
                since: since, host: host, timeout: .milliseconds(Int64(timeout * 1000)), caller)
            let changes: [JSON] = batch.changes.map {
                [
                    "revision": .int($0.revision), "resource": .string($0.resource), "id": .string($0.resourceID),
                    "event": .string($0.event), "host": .optional($0.host),
                ]
            }
            return APIResponse(status: 200, body: ["revision": .int(batch.revision), "changes": .array(changes)])
        }
        throw NeutronError.resourceNotFound
    }
}
