import ArgumentParser
import AsyncHTTPClient
import BagpipeAPI
import Foundation
import NIOCore
import NIOHTTP1

/// `bagpipe-impex2dot` (§7.5): the RT import/export graph of bagpipe-bgp servers as Graphviz dot.
@main
struct Impex2Dot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bagpipe-impex2dot", abstract: "Graph the route-target imports and exports of VPN instances.",
        discussion: "Example: bagpipe-impex2dot --server s1 --server s2 | dot -Tpdf > impex.pdf")

    @Option(name: .customLong("server"), help: "a bagpipe-bgp server (repeatable; default: localhost)")
    var servers: [String] = []
    @Option(name: .customLong("port"), help: "port of bagpipe-bgp (default: [API] port, or 8082)") var port: Int?
    @Option(name: .customLong("prefix"), help: "looking-glass URL prefix") var prefix = LookingGlass.base
    @Option(name: .customLong("config-file"), help: "bagpipe-bgp configuration file, for [API] port")
    var configFile = APIPortSetting.defaultConfigFile

    struct RequestFailed: Error, CustomStringConvertible {
        var url: String
        var status: Int
        var description: String { "Error requesting \(url): HTTP \(status)" }
    }

    func run() async throws {
        let apiPort =
            port
            ?? APIPortSetting.port(
                configText: try? String(contentsOfFile: configFile, encoding: .utf8),
                environment: ProcessInfo.processInfo.environment)
        let prefix = self.prefix
        let graph = ImpexGraph(servers: servers) { server, path in
            let url =
                "http://\(server):\(apiPort)/\(prefix)/"
                + path.map { LookingGlass.quote($0, keepingSlash: false) }.joined(separator: "/")
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
            let buffer = try await response.body.collect(upTo: 256 << 20)
            switch response.status.code {
            case 200: return try JSONValue(parsing: buffer.readableBytesView)
            case 404: return .object([:])
            default: throw RequestFailed(url: url, status: Int(response.status.code))
            }
        }
        print(try await graph.dot(), terminator: "")
    }
}
