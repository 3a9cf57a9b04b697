import ArgumentParser
import AsyncHTTPClient
import BagpipeAPI
import Foundation
import NIOCore
import NIOHTTP1

/// `bagpipe-looking-glass` (§7.4): prints a looking-glass object, following references with `-r`.
@main
struct LookingGlassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bagpipe-looking-glass", abstract: "Print an object of the bagpipe-bgp looking glass.",
        discussion: "e.g.: bagpipe-looking-glass vpns instances")

    @Option(name: .customLong("server"), help: "IP address of bagpipe-bgp") var server = "127.0.0.1"
    @Option(name: .customLong("port"), help: "port of bagpipe-bgp (default: [API] port, or 8082)") var port: Int?
    @Option(name: .customLong("prefix"), help: "looking-glass URL prefix") var prefix = LookingGlass.base
    @Flag(name: [.customShort("r"), .customLong("recurse")], help: "recurse down into the whole looking glass")
    var recurse = false
    @Option(name: .customLong("config-file"), help: "bagpipe-bgp configuration file, for [API] port")
    var configFile = APIPortSetting.defaultConfigFile
    @Argument(help: "path to the object") var path: [String] = []

    static func get(_ url: String) async throws -> (status: Int, body: JSONValue?, raw: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 256 << 20)
        let status = Int(response.status.code)
        return (status, status == 200 ? try JSONValue(parsing: buffer.readableBytesView) : nil, String(buffer: buffer))
    }

    func run() async throws {
        let apiPort =
            port
            ?? APIPortSetting.port(
                configText: try? String(contentsOfFile: configFile, encoding: .utf8),
                environment: ProcessInfo.processInfo.environment)
        let quoted = path.map { LookingGlass.quote($0) }
        var url = "http://\(server):\(apiPort)/\(prefix)/\(quoted.joined(separator: "/"))"
        let first: (status: Int, body: JSONValue?, raw: String)
        do {
            first = try await Self.get(url)
        } catch is JSONSyntaxError {
            print("Invalid JSON from \(url)")
            throw ExitCode(1)
        } catch {
            print("No server at http://\(server):\(apiPort) : \(error)")
            throw ExitCode(1)
        }
        guard first.status == 200, var data = first.body else {
            if first.status == 404 {
                print("No such looking glass path: \(quoted.joined(separator: " "))\n(\(url))")
            } else {
                print("Error code \(first.status): \(first.raw)")
            }
            throw ExitCode(1)
        }
        // A bare reference is followed once.
        if case .string(let href)? = data.objectValue?["href"] {
            let second = try await Self.get(href)
            if second.status == 200, let body = second.body {
                url = href
                data = body
            }
        }
        let printer = LookingGlassPrinter(recursive: recurse) { target in
            let r = try await Self.get(target)
            return (r.status, r.body)
        }
        print(try await printer.render(data, url: url), terminator: "")
    }
}
