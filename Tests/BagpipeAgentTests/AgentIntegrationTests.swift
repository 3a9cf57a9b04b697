import AsyncHTTPClient
import BGPSpeaker
import BGPWire
import BagpipeAPI
import BagpipeAgent
import BagpipeConfig
import BagpipeDaemon
import BagpipeServer
import BagpipeVPN
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// The agent between a real bagpipe-server (HTTP shell, SQLite) and a real bagpipe-bgp (REST API, VPN manager with
/// recording drivers), all in this process on loopback addresses of their own.
@Suite("bagpipe-agent between bagpipe-server and bagpipe-bgp", .serialized)
struct AgentIntegrationTests {
    static let token = "agent-test-admin"

    /// A bagpipe-server on its own loopback address, restartable on the same port and database file.
    final class Server: @unchecked Sendable {
        let path: String
        let address: String
        var store: SQLiteStore?
        var api: NeutronAPI?
        var task: Task<Void, any Error>?
        var port = 0

        init(address: String) {
            self.address = address
            path = NSTemporaryDirectory() + "bagpipe-agent-test-\(getpid())-\(UUID().uuidString).sqlite"
        }

        static var config: ServerConfig {
            var c = ServerConfig()
            c.tokens = [AgentIntegrationTests.token: Caller(projectID: "admin-project", roles: ["admin"])]
            return c
        }

        /// Opens the database (again) without serving HTTP: changes made now reach agents only later.
        func open() async throws {
            let store = try await SQLiteStore(path: path)
            self.store = store
            api = NeutronAPI(service: NeutronService(store: store, config: Self.config))
        }

        func serve() async throws {
            var logger = Logger(label: "test.server")
            // Stopping is a cancellation (like a crash, for the agent), which Hummingbird logs as errors.
            logger.logLevel = .critical
            let bound = AsyncStream<Int>.makeStream()
            let app = HTTPShell.application(
                api: api!, host: address, port: port, logger: logger,
                onServerRunning: { bound.continuation.yield($0) })
            task = Task { try await app.runService() }
            for await p in bound.stream {
                port = p
                return
            }
        }

        func stop() async {
            task?.cancel()
            _ = try? await task?.value
            task = nil
            await store?.close()
            store = nil
        }

        /// A call straight into the API (no HTTP), for when the HTTP shell is down.
        func direct(_ method: String, _ path: String, _ body: BagpipeAgent.JSON) async -> Int {
            let r = await api!.handle(
                APIRequest(
                    method: method, path: path, token: AgentIntegrationTests.token, body: Array(body.serialized().utf8),
                    baseURL: "http://\(address)"))
            return r.status
        }

        /// A create straight into the API; the created object, or nil (and a test failure) when refused.
        func directCreate(
            _ path: String, _ resource: String, _ attrs: BagpipeAgent.JSON,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async -> BagpipeAgent.JSON? {
            let r = await api!.handle(
                APIRequest(
                    method: "POST", path: path, token: AgentIntegrationTests.token,
                    body: Array(BagpipeAgent.JSON.object([resource: attrs]).serialized().utf8),
                    baseURL: "http://\(address)"))
            #expect(r.status == 201, "POST \(path)", sourceLocation: sourceLocation)
            guard let body = r.body else { return nil }
            return (try? BagpipeAgent.JSON.parse(Array(body.serialized().utf8)))?[resource]
        }

        func remove() {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// bagpipe-bgp's services (REST API on its own loopback address), restartable on the same API port.
    struct Daemon {
        let speaker: BGPSpeaker
        let services: DaemonServices

        static func start(address: String, apiPort: Int) async throws -> Daemon {
            var configuration = try BGPConfiguration(
                parsing: """
                    [BGP]
                    local_address = \(address)
                    my_as = 64512
                    families = ipv4-vpn, evpn
                    [API]
                    host = \(address)
                    port = \(apiPort)
                    """)
            configuration.bgp.listenPort = 0
            let speaker = BGPSpeaker(configuration: configuration)
            try await speaker.start()
            let local = BGPWire.IPAddress(address)!
            let octets = address.split(separator: ".").compactMap { UInt8($0) }
            let drivers: [BagpipeVPN.VPNType: any DataplaneDriver] = [
                .evpn: RecordingDataplane(type: .evpn, localAddress: local),
                .ipvpn: RecordingDataplane(type: .ipvpn, localAddress: local),
            ]
            var logger = Logger(label: "test.daemon")
            logger.logLevel = .warning
            let services = try await DaemonServices.start(
                configuration: configuration, speaker: speaker,
                bgpLocalAddress: IPv4Address(octets[0], octets[1], octets[2], octets[3]),
                drivers: drivers, logs: LookingGlassLogRing(), version: "test", logger: logger)
            return Daemon(speaker: speaker, services: services)
        }

        func stop() async {
            await services.stop()
            await speaker.shutdown()
        }

        /// Every endpoint: "instance mac ip", sorted.
        func endpoints() async -> [String] {
            await services.vpn.state.instances.values.flatMap { i in
                i.endpoints.keys.map { "\(i.externalID) \($0.mac) \($0.ip.map { "\($0)" } ?? "-")" }
            }.sorted()
        }

        func importTargets(_ instance: String) async -> [String] {
            await services.vpn.state.instances[instance]?.importRouteTargets.map(\.description).sorted() ?? []
        }
    }

    /// The server's REST API over HTTP, as an operator would use it.
    struct Neutron {
        let client: HTTPClient
        let base: String

        @discardableResult
        func call(
            _ method: HTTPMethod, _ path: String, _ body: BagpipeAgent.JSON? = nil
        ) async throws -> (
            Int, BagpipeAgent.JSON?
        ) {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            request.headers.add(name: "X-Auth-Token", value: AgentIntegrationTests.token)
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body.serialized()))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (
                Int(response.status.code),
                bytes.readableBytes == 0 ? nil : try BagpipeAgent.JSON.parse(bytes.readableBytesView)
            )
        }

        func create(_ path: String, _ resource: String, _ attrs: BagpipeAgent.JSON) async throws -> BagpipeAgent.JSON {
            let (status, body) = try await call(.POST, path, [resource: attrs])
            #expect(status == 201, "POST \(path): \(body?.serialized() ?? "")")
            return body?[resource] ?? .null
        }
    }

    /// Runs `body`, then `cleanup` whatever happened: a failed expectation must not leave an HTTP client that was
    /// not shut down (it traps when released), nor daemons and servers running for the next tests.
    static func withCleanup(
        _ body: () async throws -> Void, cleanup: () async -> Void
    ) async throws {
        do {
            try await body()
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    /// Waits until `condition` holds (the agent works asynchronously).
    static func eventually(
        _ what: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async -> Bool
    ) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for: \(what)", sourceLocation: sourceLocation)
    }

    /// An agent with short intervals, so that the tests run fast.
    static func agent(server: String, bagpipeBGP: String, host: String) -> ComputeAgent {
        var configuration = ComputeAgent.Configuration(serverURL: server, token: Self.token, host: host)
        configuration.bagpipeBGPURL = bagpipeBGP
        configuration.pingInterval = .milliseconds(200)
        configuration.retryInterval = .milliseconds(100)
        configuration.maxBackoff = .milliseconds(500)
        configuration.pollTimeout = 5
        var logger = Logger(label: "test.agent")
        logger.logLevel = .warning
        return ComputeAgent(configuration: configuration, logger: logger)
    }

    @Test(
        "port → E-VPN; network association → IP VPN; dissociation → detached; bagpipe-bgp restart → replay; server restart → catch-up; port deletes → nothing left"
    )
    func endToEnd() async throws {
        let host = "compute-\(getpid())"
        let server = Server(address: "127.0.0.181")
        defer { server.remove() }
        try await server.open()
        try await server.serve()
        var daemon = try await Daemon.start(address: "127.0.0.182", apiPort: 0)
        let apiPort = daemon.services.apiPort
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let neutron = Neutron(client: client, base: "http://127.0.0.181:\(server.port)")
        let agent = Self.agent(server: neutron.base, bagpipeBGP: "http://127.0.0.182:\(apiPort)", host: host)
        let agentTask = Task { await agent.run() }

        try await Self.withCleanup {
            // A network (route target 64512:100), a subnet and a port bound to the agent's host.
            let net = try await neutron.create("/v2.0/networks", "network", ["name": "agent-net"])
            let netID = try #require(net["id"]?.stringValue)
            #expect(net["provider:segmentation_id"] == 100)
            _ = try await neutron.create(
                "/v2.0/subnets", "subnet", ["network_id": .string(netID), "cidr": "10.0.0.0/24", "ip_version": 4])
            let port = try await neutron.create(
                "/v2.0/ports", "port",
                ["network_id": .string(netID), "binding:host_id": .string(host), "device_owner": "compute:nova"])
            let portID = try #require(port["id"]?.stringValue)
            let mac = try #require(port["mac_address"]?.stringValue)
            let ip = try #require(port["fixed_ips"]?.arrayValue?.first?["ip_address"]?.stringValue)
            // A port of another host is not ours.
            _ = try await neutron.create(
                "/v2.0/ports", "port",
                ["network_id": .string(netID), "binding:host_id": "elsewhere", "device_owner": "compute:nova"])

            let evpn = "evpn_\(netID)"
            let ipvpn = "ipvpn_\(netID)"
            await Self.eventually("the port's E-VPN attachment") {
                await daemon.endpoints() == ["\(evpn) \(mac) \(ip)"]
            }
            #expect(await daemon.importTargets(evpn) == ["64512:100"])

            // An L3 BGPVPN associated with the network: the IP VPN attachment appears.
            let vpn = try await neutron.create(
                "/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["name": "agent-vpn", "type": "l3", "route_targets": ["64512:77"]])
            let vpnID = try #require(vpn["id"]?.stringValue)
            let assoc = try await neutron.create(
                "/v2.0/bgpvpn/bgpvpns/\(vpnID)/network_associations", "network_association",
                ["network_id": .string(netID)])
            let assocID = try #require(assoc["id"]?.stringValue)
            await Self.eventually("the IP VPN attachment") {
                await daemon.endpoints() == ["\(evpn) \(mac) \(ip)", "\(ipvpn) \(mac) \(ip)"]
            }
            #expect(await daemon.importTargets(ipvpn) == ["64512:77"])

            // Dissociation: the IP VPN attachment goes, the E-VPN one stays.
            let (deleted, _) = try await neutron.call(
                .DELETE, "/v2.0/bgpvpn/bgpvpns/\(vpnID)/network_associations/\(assocID)")
            #expect(deleted == 204)
            await Self.eventually("the IP VPN detached") { await daemon.endpoints() == ["\(evpn) \(mac) \(ip)"] }

            // bagpipe-bgp restarts (a new /ping value, nothing attached): the agent replays.
            await daemon.stop()
            daemon = try await Daemon.start(address: "127.0.0.182", apiPort: apiPort)
            #expect(await daemon.endpoints().isEmpty)
            await Self.eventually("the replay after the bagpipe-bgp restart") {
                await daemon.endpoints() == ["\(evpn) \(mac) \(ip)"]
            }

            // The server stops; a change is made while it is down (straight into its database); it comes back on the
            // same address: the agent catches up.
            await server.stop()
            try await server.open()
            #expect(
                await server.direct(
                    "POST", "/v2.0/ports",
                    [
                        "port": [
                            "network_id": .string(netID), "binding:host_id": .string(host),
                            "mac_address": "fa:16:3e:12:34:56",
                        ]
                    ])
                    == 201)
            try? await Task.sleep(for: .milliseconds(300))
            try await server.serve()
            let (listed, ports) = try await neutron.call(.GET, "/v2.0/ports?mac_address=fa:16:3e:12:34:56")
            #expect(listed == 200)
            let second = try #require(ports?["ports"]?.arrayValue?.first)
            let secondIP = try #require(second["fixed_ips"]?.arrayValue?.first?["ip_address"]?.stringValue)
            await Self.eventually("the port created while the server was down") {
                await daemon.endpoints() == ["\(evpn) \(mac) \(ip)", "\(evpn) fa:16:3e:12:34:56 \(secondIP)"].sorted()
            }

            // Both ports deleted: nothing left on bagpipe-bgp.
            #expect(try await neutron.call(.DELETE, "/v2.0/ports/\(portID)").0 == 204)
            #expect(try await neutron.call(.DELETE, "/v2.0/ports/\(second["id"]?.stringValue ?? "")").0 == 204)
            await Self.eventually("everything detached") { await daemon.endpoints().isEmpty }
            #expect(await daemon.services.vpn.state.instanceCount == 0)
            #expect(await agent.isConverged)
        } cleanup: {
            agentTask.cancel()
            await agentTask.value
            try? await client.shutdown()
            await daemon.stop()
            await server.stop()
        }
    }

    @Test(
        "the agent starts before the server and bagpipe-bgp: it retries until both are up, then converges; a database reset detaches"
    )
    func startsFirst() async throws {
        let host = "compute-early-\(getpid())"
        // Learn two free ports, then free them.
        let server = Server(address: "127.0.0.183")
        defer { server.remove() }
        try await server.open()
        try await server.serve()
        await server.stop()
        var daemon = try await Daemon.start(address: "127.0.0.184", apiPort: 0)
        let apiPort = daemon.services.apiPort
        await daemon.stop()

        let agent = Self.agent(
            server: "http://127.0.0.183:\(server.port)", bagpipeBGP: "http://127.0.0.184:\(apiPort)", host: host)
        let agentTask = Task { await agent.run() }
        try? await Task.sleep(for: .milliseconds(500))
        let early = (await agent.revision, await agent.bagpipeReachable)
        #expect(early.0 == nil && !early.1)

        try await server.open()
        let net = try #require(
            (await server.directCreate("/v2.0/networks", "network", ["name": "early"]))?["id"]?.stringValue)
        _ = await server.directCreate(
            "/v2.0/subnets", "subnet", ["network_id": .string(net), "cidr": "10.9.0.0/24", "ip_version": 4])
        let port = try #require(
            await server.directCreate(
                "/v2.0/ports", "port",
                ["network_id": .string(net), "binding:host_id": .string(host), "mac_address": "fa:16:3e:00:09:01"]))
        let ip = try #require(port["fixed_ips"]?.arrayValue?.first?["ip_address"]?.stringValue)
        try await server.serve()
        await Self.eventually("the snapshot once the server is up") { await agent.revision != nil }
        // bagpipe-bgp is still down: nothing can be applied yet.
        let waiting = (await agent.bagpipeReachable, await agent.isConverged)
        #expect(!waiting.0 && !waiting.1)

        daemon = try await Daemon.start(address: "127.0.0.184", apiPort: apiPort)
        await Self.eventually("the attachment once bagpipe-bgp is up") {
            await daemon.endpoints() == ["evpn_\(net) fa:16:3e:00:09:01 \(ip)"]
        }
        await Self.eventually("converged") { await agent.isConverged }

        // The server comes back with an empty database (reset): the agent resynchronises and detaches everything.
        await server.stop()
        server.remove()
        try await server.open()
        try await server.serve()
        await Self.eventually("everything detached after the database reset") { await daemon.endpoints().isEmpty }
        await Self.eventually("converged on the empty state") { await agent.isConverged }
        agentTask.cancel()
        await agentTask.value
        await daemon.stop()
        await server.stop()
    }

    @Test("an L2 BGPVPN (VNI) merges into the network's E-VPN; a port association's prefix route gets its own VRF")
    func servicesOnRealDaemon() async throws {
        let host = "compute-svc-\(getpid())"
        let server = Server(address: "127.0.0.185")
        defer { server.remove() }
        try await server.open()
        try await server.serve()
        let daemon = try await Daemon.start(address: "127.0.0.186", apiPort: 0)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let neutron = Neutron(client: client, base: "http://127.0.0.185:\(server.port)")
        let agent = Self.agent(
            server: neutron.base, bagpipeBGP: "http://127.0.0.186:\(daemon.services.apiPort)", host: host)
        let agentTask = Task { await agent.run() }
        try await Self.withCleanup {

            let net = try #require(
                try await neutron.create("/v2.0/networks", "network", ["name": "svc"])["id"]?.stringValue)
            _ = try await neutron.create(
                "/v2.0/subnets", "subnet", ["network_id": .string(net), "cidr": "10.8.0.0/24", "ip_version": 4])
            let port = try await neutron.create(
                "/v2.0/ports", "port",
                ["network_id": .string(net), "binding:host_id": .string(host), "device_owner": "compute:nova"])
            let portID = try #require(port["id"]?.stringValue)
            let l2 = try #require(
                try await neutron.create(
                    "/v2.0/bgpvpn/bgpvpns", "bgpvpn",
                    ["name": "l2", "type": "l2", "route_targets": ["64512:42"], "vni": 5042])["id"]?.stringValue)
            _ = try await neutron.create(
                "/v2.0/bgpvpn/bgpvpns/\(l2)/network_associations", "network_association", ["network_id": .string(net)])
            let evpn = "evpn_\(net)"
            await Self.eventually("the E-VPN with both route targets and the BGPVPN's VNI") {
                let i = await daemon.services.vpn.state.instances[evpn]
                return i?.importRouteTargets.map(\.description).sorted() == ["64512:100", "64512:42"]
                    && i?.label == 5042
            }

            let l3 = try #require(
                try await neutron.create(
                    "/v2.0/bgpvpn/bgpvpns", "bgpvpn", ["name": "l3", "type": "l3", "route_targets": ["64512:43"]])[
                        "id"]?
                    .stringValue)
            let assoc = try await neutron.create(
                "/v2.0/bgpvpn/bgpvpns/\(l3)/port_associations", "port_association",
                [
                    "port_id": .string(portID), "advertise_fixed_ips": false,
                    "routes": [["type": "prefix", "prefix": "20.1.0.0/16"]],
                ])
            let assocID = try #require(assoc["id"]?.stringValue)
            let vrf = "ipvpn_portassoc_\(assocID)_prefix_20_1_0_0_16"
            await Self.eventually("the prefix route's VRF") {
                let i = await daemon.services.vpn.state.instances[vrf]
                return i?.importRouteTargets.map(\.description) == ["64512:43"] && i?.endpoints.count == 1
            }
            // advertise_fixed_ips is false: no fixed-IP VRF.
            #expect(await daemon.services.vpn.state.instances["ipvpn_\(net)"] == nil)

            #expect(try await neutron.call(.DELETE, "/v2.0/ports/\(portID)").0 == 204)
            await Self.eventually("everything detached") { await daemon.services.vpn.state.instanceCount == 0 }
        } cleanup: {
            agentTask.cancel()
            await agentTask.value
            try? await client.shutdown()
            await daemon.stop()
            await server.stop()
        }
    }
}
