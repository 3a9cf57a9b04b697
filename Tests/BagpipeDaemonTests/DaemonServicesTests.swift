import AsyncHTTPClient
import BGPSpeaker
import BGPWire
import BagpipeAPI
import BagpipeConfig
import BagpipeDaemon
import BagpipeVPN
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

@Suite("bagpipe-bgp services: REST API, looking glass and metrics over HTTP")
struct DaemonServicesTests {
    func get(_ client: HTTPClient, _ url: String) async throws -> (Int, String) {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    func post(_ client: HTTPClient, _ url: String, _ json: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test(
        "attach_localport → instance and route in the looking glass and metrics; bad body → 400, nothing created; detach → gone"
    )
    func restToVPN() async throws {
        var configuration = try BGPConfiguration(
            parsing: """
                [BGP]
                local_address = 127.0.0.170
                my_as = 64512
                families = ipv4-vpn, evpn
                [API]
                port = 0
                metrics_port = 0
                """)
        configuration.bgp.listenPort = 0
        let speaker = BGPSpeaker(configuration: configuration)
        try await speaker.start()
        let drivers: [BagpipeVPN.VPNType: any DataplaneDriver] = [
            .evpn: RecordingDataplane(type: .evpn, localAddress: IPAddress("127.0.0.170")!),
            .ipvpn: RecordingDataplane(type: .ipvpn, localAddress: IPAddress("127.0.0.170")!),
        ]
        let services = try await DaemonServices.start(
            configuration: configuration, speaker: speaker, bgpLocalAddress: IPv4Address(127, 0, 0, 170),
            drivers: drivers, logs: LookingGlassLogRing(), version: "test", logger: Logger(label: "test.daemon"))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let api = "http://127.0.0.1:\(services.apiPort)"
        let attach = """
            {"vpn_instance_id": "net1", "vpn_type": "evpn", "mac_address": "02:00:00:00:00:01",
             "ip_address": "10.1.0.1", "local_port": "tap1", "import_rt": "64512:1", "export_rt": ["64512:1"]}
            """
        #expect(try await post(client, "\(api)/attach_localport", attach) == (200, "null"))
        let bad =
            #"{"vpn_instance_id": "net2", "vpn_type": "evpn", "mac_address": "zz", "local_port": "t", "import_rt": [], "export_rt": []}"#
        let refused = try await post(client, "\(api)/attach_localport", bad)
        #expect(refused.0 == 400)
        let (status, instances) = try await get(client, "\(api)/looking-glass/vpns/instances")
        #expect(status == 200)
        #expect(instances.contains("\"id\": \"net1\"") && !instances.contains("net2"))
        let (_, ports) = try await get(client, "\(api)/looking-glass/vpns/instances/net1/ports")
        #expect(ports.contains("02:00:00:00:00:01"))
        let (_, missing) = try await get(client, "\(api)/looking-glass/vpns/instances/nope")
        #expect(missing.contains("No such looking glass object"))
        let metricsURL = "http://127.0.0.1:\(try #require(services.metricsPort))/metrics"
        var metrics = ""
        for _ in 0..<100 {
            metrics = try await get(client, metricsURL).1
            if metrics.contains("bagpipe_bgp_routes{afi_safi=\"l2vpn/evpn\"} 2") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(metrics.contains("bagpipe_attachments_total 1"))
        #expect(metrics.contains("bagpipe_bgp_routes{afi_safi=\"l2vpn/evpn\"} 2"))
        let detach = """
            {"vpn_instance_id": "net1", "vpn_type": "evpn", "mac_address": "02:00:00:00:00:01",
             "ip_address": "10.1.0.1", "local_port": "tap1"}
            """
        #expect(try await post(client, "\(api)/detach_localport", detach) == (200, "null"))
        #expect(try await get(client, "\(api)/looking-glass/vpns/instances").1 == "[]")
        try await client.shutdown()
        await services.stop()
        await speaker.shutdown()
    }
}

/// networking-bagpipe's own Python code, unmodified, against our daemon's services (real VPN manager, recording
/// dataplane): the Neutron agent's REST client attaches and detaches, the original `bagpipe-looking-glass` reads
/// the tree.
@Suite("The original Python clients against bagpipe-bgp")
struct PythonClientTests {
    static let venv = "/opt/bagpipe-venvs/networking-bagpipe/bin"

    /// On a thread of its own: the Python client talks to our server, which needs Swift's cooperative threads.
    func run(_ argv: [String]) async throws -> (status: Int32, stdout: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try Self.runBlocking(argv) }) }.start()
        }
    }

    static func runBlocking(_ argv: [String]) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("Neutron agent HTTPClientBase attach → the looking glass (Python CLI) shows it → detach")
    func agentAndLookingGlass() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "\(Self.venv)/python"),
            "networking-bagpipe is not installed: run scripts/install-deps (scripts/deps.d/api.sh)")
        var configuration = try BGPConfiguration(
            parsing: "[BGP]\nlocal_address = 127.0.0.171\nmy_as = 64512\n[API]\nport = 0\n")
        configuration.bgp.listenPort = 0
        let speaker = BGPSpeaker(configuration: configuration)
        try await speaker.start()
        let drivers: [BagpipeVPN.VPNType: any DataplaneDriver] = [
            .evpn: RecordingDataplane(type: .evpn, localAddress: IPAddress("127.0.0.171")!),
            .ipvpn: RecordingDataplane(type: .ipvpn, localAddress: IPAddress("127.0.0.171")!),
        ]
        let services = try await DaemonServices.start(
            configuration: configuration, speaker: speaker, bgpLocalAddress: IPv4Address(127, 0, 0, 171),
            drivers: drivers, logs: LookingGlassLogRing(), version: "test", logger: Logger(label: "test.python"))
        let port = services.apiPort
        let attach = """
            import warnings; warnings.simplefilter('ignore')
            from networking_bagpipe.agent import bagpipe_bgp_agent as a
            c = a.HTTPClientBase(port=\(port), client_name='bagpipe-agent-test')
            body = {'vpn_instance_id': 'ipvpn_net1', 'vpn_type': 'ipvpn', 'mac_address': '00:00:de:ad:be:ef',
                    'ip_address': '10.0.0.2', 'gateway_ip': '10.0.0.1', 'local_port': {'linuxif': 'tap-1'},
                    'import_rt': {'64512:100'}, 'export_rt': {'64512:100'}, 'local_pref': 200,
                    'description': {'port': 'uuid-1'}, 'instance_description': 'net1'}
            print('attach', c.post('attach_localport', body))
            """
        let attached = try await run(["\(Self.venv)/python", "-c", attach])
        #expect(attached.status == 0 && attached.stdout == "attach None\n")
        let lg = try await run([
            "\(Self.venv)/bagpipe-looking-glass", "--port", "\(port)", "vpns", "instances", "ipvpn_net1",
        ])
        #expect(lg.status == 0)
        #expect(lg.stdout.contains("external_instance_id: ipvpn_net1"))
        #expect(lg.stdout.contains("description: net1"))
        let ports = try await run([
            "\(Self.venv)/bagpipe-looking-glass", "--port", "\(port)", "vpns", "instances", "ipvpn_net1", "ports",
        ])
        #expect(ports.stdout.contains("00:00:de:ad:be:ef") && ports.stdout.contains("local_pref: 200"))
        let detach = """
            import warnings; warnings.simplefilter('ignore')
            from networking_bagpipe.agent import bagpipe_bgp_agent as a
            c = a.HTTPClientBase(port=\(port), client_name='bagpipe-agent-test')
            print('detach', c.post('detach_localport', {'vpn_instance_id': 'ipvpn_net1', 'vpn_type': 'ipvpn',
                  'mac_address': '00:00:de:ad:be:ef', 'ip_address': '10.0.0.2', 'local_port': {'linuxif': 'tap-1'}}))
            try:
                c.post('detach_localport', {'vpn_instance_id': 'ipvpn_net1', 'vpn_type': 'ipvpn',
                       'mac_address': '00:00:de:ad:be:ef', 'ip_address': '10.0.0.2', 'local_port': {'linuxif': 'tap-1'}})
            except a.BaGPipeBGPException as e:
                print('refused', type(e).__name__)
            """
        let detached = try await run(["\(Self.venv)/python", "-c", detach])
        #expect(detached.stdout == "detach None\nrefused BaGPipeBGPException\n")
        #expect(await services.vpn.state.instanceCount == 0)
        await services.stop()
        await speaker.shutdown()
    }
}
