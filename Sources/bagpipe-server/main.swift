import ArgumentParser
import BagpipeServer
import Foundation
import Hummingbird
import Logging

/// Neutron-compatible networking API with BGPVPN, for bagpipe agents (docs/server.md).
@main
struct BagpipeServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bagpipe-server",
        abstract: "Neutron-compatible networking + BGPVPN API server (SQLite or PostgreSQL).")

    @Option(help: "JSON configuration file (tokens, route-target ranges, ...); see docs/server.md.")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (overrides the configuration).")
    var listen: String?

    @Option(help: "sqlite:PATH or postgres://user[:password]@host[:port]/database (overrides the configuration).")
    var database: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        var settings = ServerConfig()
        if let config {
            let text = try String(contentsOfFile: config, encoding: .utf8)
            do {
                settings = try ServerConfig.parse(text)
            } catch {
                throw ValidationError("\(config): \(error.description)")
            }
        }
        if let listen { settings.listen = listen }
        if let database { settings.database = database }
        guard let (host, port) = ServerConfig.parseListen(settings.listen) else {
            throw ValidationError("--listen must be HOST:PORT")
        }
        var logger = Logger(label: "bagpipe-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        if config == nil {
            logger.warning("no --config: using the built-in token 'admin' (project admin-project, role admin)")
        }
        let store = try await StoreFactory.open(settings.database)
        let api = NeutronAPI(service: NeutronService(store: store, config: settings))
        let log = logger
        let database = settings.database
        let app = HTTPShell.application(api: api, host: host, port: port, logger: logger) { bound in
            log.info("listening on \(host):\(bound), database \(database)")
        }
        try await app.runService()
        await store.close()
    }
}
