import ArgumentParser
import BagpipeAgent
import Dispatch
import Foundation
import Logging

/// `bagpipe-agent`: one per compute node. Follows the bagpipe-server's desired state for this host and keeps the
/// local bagpipe-bgp's attachments in line with it (docs/agent.md).
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bagpipe-agent",
        abstract: "Attach the ports bound to this host, as bagpipe-server describes them, on the local bagpipe-bgp.")

    @Option(help: "bagpipe-server base URL.")
    var server = "http://127.0.0.1:9696"

    @Option(help: "Admin token for the server (X-Auth-Token). Default: $BAGPIPE_AGENT_TOKEN.")
    var token: String?

    @Option(help: "This compute node's name, as in the ports' binding:host_id. Default: the system host name.")
    var host: String?

    @Option(name: .customLong("bagpipe-bgp"), help: "The local bagpipe-bgp REST API.")
    var bagpipeBGP = "http://127.0.0.1:8082"

    @Option(help: "Seconds between two GET /ping to bagpipe-bgp.")
    var pingInterval: Double = 5

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        for (name, url) in [("--server", server), ("--bagpipe-bgp", bagpipeBGP)] {
            guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                throw ValidationError("\(name) '\(url)' is not an http:// or https:// URL")
            }
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level '\(logLevel)': use trace, debug, info, notice, warning, error or critical")
        }
        guard pingInterval > 0 else { throw ValidationError("--ping-interval must be positive") }
        guard resolvedToken != nil else {
            throw ValidationError("no token: give --token or set BAGPIPE_AGENT_TOKEN (an admin token of the server)")
        }
        guard !resolvedHost.isEmpty else { throw ValidationError("--host is empty") }
    }

    var resolvedToken: String? {
        token ?? ProcessInfo.processInfo.environment["BAGPIPE_AGENT_TOKEN"]
    }

    var resolvedHost: String { host ?? ProcessInfo.processInfo.hostName }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = ComputeAgent.Configuration(
            serverURL: server, token: resolvedToken ?? "", host: resolvedHost)
        configuration.bagpipeBGPURL = bagpipeBGP
        configuration.pingInterval = .milliseconds(Int64(pingInterval * 1000))
        let agent = ComputeAgent(configuration: configuration, logger: Logger(label: "bagpipe-agent"))
        let task = Task { await agent.run() }
        // SIGINT/SIGTERM end the agent cleanly; what it attached stays (bagpipe-bgp keeps serving the ports).
        let signals = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        await task.value
        signals.forEach { $0.cancel() }
    }
}
