public import BGPSpeaker
import BGPWire
public import BagpipeAPI
public import BagpipeConfig
import BagpipeREST
public import BagpipeVPN
import Foundation
import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle

/// What bagpipe-bgp runs beside the speaker: the VPN service, the REST API with its looking glass, and the
/// Prometheus endpoint (issue 5). Started after the speaker, stopped before it.
public final class DaemonServices: Sendable {
    public let vpn: VPNService
    public let metrics: DaemonMetrics
    /// The ports actually bound (the configuration may ask for 0).
    public let apiPort: Int
    public let metricsPort: Int?
    let tasks: [Task<Void, any Error>]
    let groups: [ServiceGroup]

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    init(
        vpn: VPNService, metrics: DaemonMetrics, apiPort: Int, metricsPort: Int?,
        servers: [(ServiceGroup, Task<Void, any Error>)]
    ) {
        self.vpn = vpn
        self.metrics = metrics
        self.apiPort = apiPort
        self.metricsPort = metricsPort
        groups = servers.map(\.0)
        tasks = servers.map(\.1)
    }

    public static func start(
        configuration: BGPConfiguration, speaker: BGPSpeaker, bgpLocalAddress: IPv4Address,
        drivers: sending [BagpipeVPN.VPNType: any DataplaneDriver], logs: LookingGlassLogRing, version: String,
        logger: Logger
    ) async throws -> DaemonServices {
        let vpn = VPNService(speaker: speaker, bgpLocalAddress: bgpLocalAddress, drivers: drivers, logger: logger)
        let metrics = DaemonMetrics()
        let bgp = configuration.bgp
        let root = LookingGlassRoot(
            startTime: formatLocalTime(Date().timeIntervalSince1970), version: version, logs: logs,
            bgp: BGPLookingGlass(speaker: speaker, localAS: bgp.myAS, rtcEnabled: bgp.enableRTC),
            vpns: VPNLookingGlass(vpn: vpn),
            counts: {
                let peers = await speaker.peers()
                var received = 0
                var local = 0
                for f in BGPLookingGlass.families {
                    let total = await speaker.routeCount(family: f)
                    let fromPeers = peers.reduce(0) { $0 + ($1.prefixesReceived[f] ?? 0) }
                    received += fromPeers
                    local += max(0, total - fromPeers)
                }
                return LookingGlassCounts(
                    establishedPeers: peers.filter { $0.state == .established }.count, localRoutes: local,
                    receivedRoutes: received, vpnInstances: await vpn.state.instanceCount)
            },
            config: { Self.configurationJSON(configuration) })
        var servers: [(ServiceGroup, Task<Void, any Error>)] = []
        let api = configuration.api
        let restBound = AsyncStream<Int>.makeStream()
        let rest = makeBagpipeRESTApplication(
            configuration: BagpipeRESTConfiguration(host: api.host, port: Int(api.port)),
            service: LocalPortAdapter(vpn: vpn, metrics: metrics), lookingGlass: root, logger: logger,
            eventLoopGroup: speaker.eventLoop,
            onServerRunning: { channel in restBound.continuation.yield(channel.localAddress?.port ?? -1) })
        let (apiPort, apiServer) = try await Self.run(
            rest, restBound, what: "REST API on \(api.host):\(api.port)", logger: logger,
            executor: EventLoopTaskExecutor(speaker.eventLoop))
        servers.append(apiServer)
        logger.notice("REST API listening on \(api.host):\(apiPort)")
        var metricsPort: Int?
        if let port = api.metricsPort {
            let router = Router()
            router.get("metrics") { _, _ -> Response in
                let text = await metrics.scrape(speaker: speaker, vpn: vpn)
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
            let bound = AsyncStream<Int>.makeStream()
            let app = Application(
                router: router, configuration: ApplicationConfiguration(address: .hostname(api.host, port: Int(port))),
                onServerRunning: { channel in bound.continuation.yield(channel.localAddress?.port ?? -1) },
                logger: logger)
            let (p, server) = try await Self.run(
                app, bound, what: "metrics endpoint on \(api.host):\(port)", logger: logger)
            servers.append(server)
            metricsPort = p
            logger.notice("Prometheus metrics on http://\(api.host):\(p)/metrics")
        }
        return DaemonServices(
            vpn: vpn, metrics: metrics, apiPort: apiPort, metricsPort: metricsPort, servers: servers)
    }

    /// Runs an application until cancelled; returns the port it bound (reported on `bound` by its
    /// `onServerRunning`), or throws if it could not start.
    static func run(
        _ app: some ApplicationProtocol,
        _ bound: (stream: AsyncStream<Int>, continuation: AsyncStream<Int>.Continuation),
        what: String, logger: Logger, executor: (any TaskExecutor)? = nil
    ) async throws -> (Int, (ServiceGroup, Task<Void, any Error>)) {
        let (stream, continuation) = bound
        // In a service group of its own, so that stopping is a graceful shutdown (open requests finish).
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger))
        // The server's connection tasks are child tasks: they inherit the executor preference.
        let task = Task(executorPreference: executor) {
            defer { continuation.finish() }
            try await group.run()
        }
        for await port in stream where port > 0 { return (port, (group, task)) }
        do {
            try await task.value
        } catch {
            throw StartError(description: "cannot start the \(what): \(error)")
        }
        throw StartError(description: "cannot start the \(what)")
    }

    /// Stops the servers and the VPN service's tasks.
    public func stop() async {
        for g in groups { await g.triggerGracefulShutdown() }
        for t in tasks { _ = try? await t.value }
        await vpn.stop()
    }

    /// `/looking-glass/config`: the options by section, as written in the configuration file (non-default ones).
    static func configurationJSON(_ c: BGPConfiguration) -> JSONObject {
        var out = JSONObject()
        var section: String?
        var current = JSONObject()
        func close() {
            if let section, !current.isEmpty { out[section] = .object(current) }
            current = JSONObject()
        }
        for raw in c.renderINI().split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") && line.hasSuffix("]") {
                close()
                section = String(line.dropFirst().dropLast())
            } else if !line.hasPrefix("#"), !line.hasPrefix(";"), let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                // Passwords stay out of the looking glass.
                current[key] = .string(key.contains("password") ? "****" : value)
            }
        }
        close()
        return out
    }
}
