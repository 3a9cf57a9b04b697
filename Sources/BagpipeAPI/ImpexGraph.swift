/// `bagpipe-impex2dot` (§7.5): the route-target import/export graph of one or more bagpipe-bgp servers, as
/// Graphviz dot, from their looking glasses.
///
/// Differences from the original: nodes and edges come out sorted (it iterated Python sets, so its output order
/// changed between runs); every readvertise RT gets its edge (it used only the first, and failed on an empty
/// list); attract-traffic edges come from the instance's `attract_traffic` entry (it looked for them inside
/// `readvertise`, where they never are, so it never drew them).
public struct ImpexGraph: Sendable {
    /// Fetches `path` of a server's looking glass; an empty object for a 404, as the original did.
    public typealias Fetch = @Sendable (_ server: String, _ path: [String]) async throws -> JSONValue

    let servers: [String]
    let fetch: Fetch

    public init(servers: [String], fetch: @escaping Fetch) {
        self.servers = servers.isEmpty ? ["localhost"] : servers
        self.fetch = fetch
    }

    static let rtTextStyle = #"color="orange",fontcolor="orange""#
    static let rtStyle = #"color="orange",fontcolor="orange",arrowhead=onormal"#
    static let redirFromRTStyle =
        #"color="orange",fontcolor="orange",style=dashed,arrowhead=diamond,arrowtail=oinv,headclip=false,dir=both"#
    static let redirToRTStyle =
        #"color="orange",fontcolor="orange",style=dashed,arrowhead=onormal,tailclip=false,dir=both,arrowtail=oinv"#
    static let flowspecStyle = #"color="red",fontcolor="red",style=dotted"#
    static let flowspecInterStyle = #"color="red",fontcolor="red",style=dotted,arrowhead=none,dir=both,arrowtail=oinv"#
    static let flowspecActionStyle = #"color="red",fontcolor="red",style=dashed"#
    static let portLinkStyle = #"style=dashed,dir=none,color="gray",weight=3"#

    /// An identifier-safe form of an RT, server or id.
    public static func normalize(_ s: String) -> String {
        s.replacing("target:", with: "rt:").replacing(":", with: "_").replacing("-", with: "_")
            .replacing(".", with: "_")
    }

    static func vpnUID(_ server: String, _ vpn: String) -> String { "vpn_\(normalize(server))__\(normalize(vpn))" }

    static func short(_ vpn: String) -> String { vpn.count > 11 ? vpn.prefix(4) + ".." + vpn.suffix(5) : vpn }

    struct Instance {
        var server: String
        var id: String
        var type: String
        var imports: [String] = []
        var exports: [String] = []
        var readvertise: JSONObject?
        var attract: JSONObject?
        var ports: [String] = []
        var gatewayIPVPN: String?
    }

    static func strings(_ v: JSONValue) -> [String] { v.arrayValue?.compactMap(\.stringValue) ?? [] }

    public func dot() async throws -> String {
        var instances: [Instance] = []
        var rts: Set<String> = []
        for server in servers {
            for item in try await fetch(server, ["vpns", "instances"]).arrayValue ?? [] {
                guard let o = item.objectValue, let id = o["id"]?.stringValue else { continue }
                let base = ["vpns", "instances", id]
                var i = Instance(server: server, id: id, type: String((o["name"]?.stringValue ?? "").prefix(3)))
                i.imports = Self.strings(try await fetch(server, base + ["route_targets", "import"]))
                i.exports = Self.strings(try await fetch(server, base + ["route_targets", "export"]))
                i.readvertise = try await fetch(server, base + ["readvertise"]).objectValue.flatMap {
                    $0.isEmpty ? nil : $0
                }
                i.attract = try await fetch(server, base + ["attract_traffic"]).objectValue.flatMap {
                    $0.isEmpty ? nil : $0
                }
                i.ports = (try await fetch(server, base + ["ports"]).objectValue?.keys ?? []).sorted()
                i.gatewayIPVPN = try await fetch(server, base + ["gateway_port", "ipvpn"]).objectValue?[
                    "external_instance_id"]?.stringValue
                rts.formUnion((i.imports + i.exports).map(Self.normalize))
                if let r = i.readvertise {
                    rts.formUnion((Self.strings(r["from"] ?? []) + Self.strings(r["to"] ?? [])).map(Self.normalize))
                }
                if let a = i.attract {
                    rts.formUnion(
                        (Self.strings(a["redirect_rts"] ?? []) + Self.strings(a["to"] ?? [])).map(Self.normalize))
                }
                instances.append(i)
            }
        }
        instances.sort { ($0.server, $0.id) < ($1.server, $1.id) }
        var out = [
            "digraph import_export {", #"   node [fontname="Helvetica"];"#, #"   edge [fontname="Helvetica"];"#,
            "   nodesep=0.55;", "   subgraph rts {", "       rank=same;",
        ]
        for rt in rts.sorted() {
            out.append(
                #"        \#(rt) [shape="circle",label="\#(rt.uppercased().replacing("_", with: "\\n"))",\#(Self.rtTextStyle)];"#
            )
        }
        out += ["    }", "    subgraph ipvpns {", "        rank=same;"]
        func serverSpec(_ s: String) -> String { s == "localhost" ? "" : "\\n[\(s)]" }
        for i in instances where i.type == "VRF" {
            out.append(
                #"        \#(Self.vpnUID(i.server, i.id)) [label="{<0>VRF\n\#(Self.short(i.id))\#(serverSpec(i.server))|<readv>}",shape="record"];"#
            )
        }
        out += ["    }", "    subgraph evpns {"]
        for i in instances where i.type == "EVI" {
            out.append(
                #"        \#(Self.vpnUID(i.server, i.id)) [label="{<0>EVI\n\#(Self.short(i.id))\#(serverSpec(i.server))}",shape="record"];"#
            )
        }
        out.append("    }")
        var ports: Set<[String]> = []
        for i in instances {
            let uid = Self.vpnUID(i.server, i.id)
            out.append("    /* \(i.server):\(i.id) */")
            for rt in i.imports { out.append("    \(Self.normalize(rt)) -> \(uid):0 [\(Self.rtStyle)];") }
            for rt in i.exports { out.append("    \(uid):0 -> \(Self.normalize(rt)) [\(Self.rtStyle)];") }
            if let r = i.readvertise {
                let readv = "\(uid):readv"
                for rt in Self.strings(r["from"] ?? []) {
                    out.append(#"    \#(Self.normalize(rt)) -> \#(readv) [label="",\#(Self.redirFromRTStyle)];"#)
                }
                for rt in Self.strings(r["to"] ?? []) {
                    out.append(#"    \#(readv) -> \#(Self.normalize(rt)) [label="",\#(Self.redirToRTStyle)];"#)
                }
                if let a = i.attract {
                    let inter = "\(Self.normalize(i.server))_\(Self.normalize(i.id))_attract"
                    out.append("    \(inter) [style=invis,height=0,width=0,fixedsize=true,rank=1]")
                    out.append(#"    \#(readv) -> \#(inter) [label="flow",\#(Self.flowspecInterStyle)];"#)
                    for rt in Self.strings(a["redirect_rts"] ?? []) {
                        out.append(
                            #"    \#(inter) -> \#(Self.normalize(rt)) [label="",weight=50,\#(Self.flowspecStyle)];"#)
                    }
                    for rt in Self.strings(a["to"] ?? []) {
                        out.append(
                            #"    \#(inter) -> \#(Self.normalize(rt)) [label="action",\#(Self.flowspecActionStyle),arrowhead=none,weight=20];"#
                        )
                    }
                }
            }
            for port in i.ports {
                out.append(
                    "    \(uid) -> port_\(Self.normalize(i.server))_\(Self.normalize(port)) [\(Self.portLinkStyle),weight=5];"
                )
                ports.insert([i.server, Self.normalize(port)])
            }
            if let ipvpn = i.gatewayIPVPN { out.append("    \(uid) -> \(Self.vpnUID(i.server, ipvpn)) [weight=500];") }
        }
        var dests: Set<[String]> = []
        for p in ports.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let (server, port) = (p[0], p[1])
            out.append(
                "    port_\(Self.normalize(server))_\(port) [label=\"\",style=invis,height=0,width=0,fixedsize=true];")
            if port.hasPrefix("to_") {
                let dest = String(port.split(separator: "_", omittingEmptySubsequences: false)[1])
                out.append(
                    "    port_\(Self.normalize(server))_\(port) -> dest_\(Self.normalize(server))_\(dest) [style=dashed,dir=none,color=\"gray\",weight=5];"
                )
                dests.insert([server, dest])
            }
        }
        for d in dests.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out.append(
                "    dest_\(Self.normalize(d[0]))_\(Self.normalize(d[1])) [label=\"\(d[1])\\n[\(d[0])]\",shape=\"square\",color=\"gray\"];"
            )
        }
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }
}
