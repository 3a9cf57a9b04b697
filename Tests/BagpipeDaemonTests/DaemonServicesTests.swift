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
