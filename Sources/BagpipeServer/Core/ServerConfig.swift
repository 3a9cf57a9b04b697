/// The server's configuration file (JSON; docs/server.md): listen address, database, static tokens, route
/// targets. Every key is optional; the embedded default lets the server start with no arguments.
public struct ServerConfig: Sendable, Equatable {
    public var listen = "127.0.0.1:9696"
    public var database = "sqlite:bagpipe-server.sqlite"
    /// Base of absolute links (`GET /` hrefs, pagination); from the Host header when nil.
    public var publicURL: String?
    /// Static `X-Auth-Token` → identity table (bgpvpn-api.md §7.2).
    public var tokens: [String: Caller] = ["admin": Caller(projectID: "admin-project", roles: ["admin"])]
    public var routeTargets = RouteTargetPool(asNumber: 64512, ranges: [100...119, 500...519])
    /// The first three bytes of generated MACs (Neutron's `base_mac` default).
    public var macPrefix: UInt32 = 0xFA163E

    public init() {}

    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ text: String) throws(Error) -> ServerConfig {
        guard let json = try? JSON.parse(text), case .object(let o) = json else {
            throw Error(description: "configuration is not a JSON object")
        }
        var c = ServerConfig()
        let known = ["listen", "database", "public_url", "tokens", "route_targets", "mac_prefix"]
        if let bad = o.keys.first(where: { !known.contains($0) }) { throw Error(description: "unknown key '\(bad)'") }
        if let v = o["listen"] {
            guard let s = v.stringValue, parseListen(s) != nil else {
                throw Error(description: "listen must be \"HOST:PORT\"")
            }
            c.listen = s
        }
        if let v = o["database"] {
            guard let s = v.stringValue else { throw Error(description: "database must be a string") }
            c.database = s
        }
        if let v = o["public_url"], !v.isNull {
            guard let s = v.stringValue else { throw Error(description: "public_url must be a string") }
            c.publicURL = s.hasSuffix("/") ? String(s.dropLast()) : s
        }
        if let v = o["tokens"] {
            guard case .array(let items) = v else { throw Error(description: "tokens must be a list") }
            c.tokens = [:]
            for item in items {
                guard let token = item["token"]?.stringValue, !token.isEmpty,
                    let project = item["project"]?.stringValue,
                    !project.isEmpty
                else { throw Error(description: "each token needs non-empty \"token\" and \"project\"") }
                let roles = item["roles"]?.arrayValue?.compactMap(\.stringValue) ?? ["member", "reader"]
                c.tokens[token] = Caller(projectID: project, roles: roles)
            }
        }
        if let v = o["route_targets"] {
            guard let asn = v["as_number"]?.intValue, (1...Int64(UInt32.max)).contains(asn),
                let ranges = v["rt_nn_ranges"]?.stringValue
            else { throw Error(description: "route_targets needs as_number (1..4294967295) and rt_nn_ranges") }
            do {
                c.routeTargets = try RouteTargetPool(asNumber: UInt32(asn), ranges: ranges)
            } catch { throw Error(description: error.description) }
        }
        if let v = o["mac_prefix"] {
            guard let s = v.stringValue, let m = MACAddress(s + ":00:00:00") else {
                throw Error(description: "mac_prefix must look like \"fa:16:3e\"")
            }
            c.macPrefix = UInt32(m.value >> 24)
        }
        return c
    }

    public static func parseListen(_ s: String) -> (host: String, port: Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port)
        else { return nil }
        var host = String(s[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
