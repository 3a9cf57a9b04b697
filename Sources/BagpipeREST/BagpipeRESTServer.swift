import BagpipeAPI
import Hummingbird
import Logging
import NIOCore

/// The `[API]` section's listening address (§7.2).
public struct BagpipeRESTConfiguration: Hashable, Sendable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8082) {
        self.host = host
        self.port = port
    }
}

/// The Hummingbird application serving the REST API; run it with `runService()` or inside a ServiceGroup.
/// `onServerRunning` gets the bound channel (useful with port 0). `eventLoopGroup`: where connections are served;
/// bagpipe-bgp passes the speaker's own loop, so that a request reaches the VPN service and the speaker without a
/// thread switch.
public func makeBagpipeRESTApplication(
    configuration: BagpipeRESTConfiguration = BagpipeRESTConfiguration(), service: any LocalPortService,
    lookingGlass: any LookingGlassNode, pingValue: UInt128 = randomPingValue(),
    logger: Logger = Logger(label: "bagpipe.rest"), eventLoopGroup: (any EventLoopGroup)? = nil,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        responder: BagpipeRESTResponder<BasicRequestContext>(
            service: service, lookingGlass: lookingGlass, pingValue: pingValue, logger: logger),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: onServerRunning,
        eventLoopGroupProvider: eventLoopGroup.map { .shared($0) } ?? .singleton,
        logger: logger)
}
