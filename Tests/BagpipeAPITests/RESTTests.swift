import BGPWire
import BagpipeREST
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import BagpipeAPI

func testApplication(
    _ service: RecordingService, ring: LookingGlassLogRing = LookingGlassLogRing()
)
    -> some ApplicationProtocol
{
    var logger = Logger(label: "bagpipe.rest.test") { label in LookingGlassLogHandler(label: label, ring: ring) }
    logger.logLevel = .info
    return makeBagpipeRESTApplication(
        configuration: BagpipeRESTConfiguration(host: "127.0.0.1", port: 0), service: service,
        lookingGlass: fakeRoot(ring: ring), pingValue: 0x1234_5678_9ABC_DEF0_1234_5678_9ABC_DEF0, logger: logger)
}

@Suite struct RESTTests {
    @Test func indexPingAndMethods() async throws {
        let service = RecordingService()
        try await testApplication(service).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == "{}")
                #expect(r.headers[.contentType] == "application/json")
            }
            try await client.execute(uri: "/ping", method: .get) { r in
                #expect(String(buffer: r.body) == "24197857203266734864793317670504947440")
            }
            try await client.execute(uri: "/ping/", method: .get) { r in #expect(r.status == .ok) }
            for (uri, method) in [
                ("/", HTTPRequest.Method.post), ("/", .put), ("/", .delete), ("/attach_localport", .put),
                ("/detach_localport", .delete), ("/looking-glass", .post), ("/looking-glass/summary", .put),
            ] {
                try await client.execute(uri: uri, method: method) { r in #expect(r.status == .methodNotAllowed) }
            }
            try await client.execute(uri: "/attach_localport", method: .get) { r in
                #expect(String(buffer: r.body) == "{}")
            }
            try await client.execute(uri: "/nothere", method: .get) { r in #expect(r.status == .notFound) }
        }
        #expect(service.calls.isEmpty)
    }

    @Test func attachAndDetachReachTheService() async throws {
        let service = RecordingService()
        try await testApplication(service).test(.router) { client in
            let body = JSONValue.object(agentBody()).jsonText
            try await client.execute(uri: "/attach_localport", method: .post, body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == "null")
            }
            let detach =
                #"{"vpn_instance_id": "ipvpn_net1", "vpn_type": "ipvpn", "mac_address": "00:00:de:ad:be:ef", "ip_address": "10.0.0.2", "local_port": "patch2tun:31"}"#
            try await client.execute(uri: "/detach_localport", method: .post, body: ByteBuffer(string: detach)) { r in
                #expect(r.status == .ok)
            }
        }
        #expect(
            service.calls == [
                .attach(try AttachRequest(json: .object(agentBody()))),
                .detach(
                    DetachRequest(
                        vpnInstanceID: "ipvpn_net1", vpnType: .ipvpn, macAddress: MACAddress(0xDEAD_BEEF),
                        ipAddress: EndpointAddress("10.0.0.2/32"), localPort: LocalPort(linuxif: "patch2tun:31"))),
            ])
    }

    @Test func badBodiesChangeNothing() async throws {
        let service = RecordingService()
        let ring = LookingGlassLogRing()
        try await testApplication(service, ring: ring).test(.router) { client in
            for (body, text) in [
                ("not json", "No local port details received"),
                ("", "No local port details received"),
                (#"{"vpn_type": "ipvpn"}"#, "API error: Missing parameter: 'vpn_instance_id'"),
                ("[]", "API error: the request body must be a JSON object"),
            ] {
                for op in ["attach", "detach"] {
                    try await client.execute(
                        uri: "/\(op)_localport", method: .post, headers: [.accept: "application/json"],
                        body: ByteBuffer(string: body)
                    ) { r in
                        #expect(r.status == .badRequest)
                        #expect(
                            String(buffer: r.body)
                                == JSONValue.object(["code": 400, "title": "Bad Request", "description": .string(text)])
                                .jsonText)
                    }
                }
            }
        }
        #expect(service.calls.isEmpty)
        // Each refusal is a WARNING, which the looking glass counts.
        #expect(ring.count == 8)
    }

    @Test func serviceErrorsMapTo400And500() async throws {
        let service = RecordingService()
        try await testApplication(service).test(.router) { client in
            let body = ByteBuffer(string: JSONValue.object(agentBody()).jsonText)
            service.fail(with: APIError.alreadyUsedVNI(7))
            try await client.execute(uri: "/attach_localport", method: .post, body: body) { r in
                #expect(r.status == .badRequest)
                #expect(
                    String(buffer: r.body).hasSuffix("\n\n API error: A VPN instance using vni 7 already exists.  "))
            }
            service.fail(with: RecordingService.Boom())
            try await client.execute(
                uri: "/attach_localport", method: .post, headers: [.accept: "application/json"], body: body
            ) { r in
                #expect(r.status == .internalServerError)
                #expect(
                    String(buffer: r.body).contains(
                        #""description": "An error occurred during local port plug to VPN""#))
            }
            try await client.execute(
                uri: "/detach_localport", method: .post, headers: [.accept: "application/json"], body: body
            ) { r in
                #expect(r.status == .internalServerError)
                #expect(
                    String(buffer: r.body).contains(
                        #""description": "An error occurred during local port unplug from VPN""#))
            }
        }
    }

    @Test func lookingGlassOverHTTP() async throws {
        try await testApplication(RecordingService()).test(.router) { client in
            try await client.execute(uri: "/looking-glass/vpns/instances", method: .get) { r in
                #expect(r.status == .ok)
                let v = try JSONValue(parsing: r.body.readableBytesView)
                #expect(
                    v.arrayValue?.first?.objectValue?["href"] == "http://localhost/looking-glass/vpns/instances/vrf%201"
                )
            }
            try await client.execute(uri: "/looking-glass/vpns/instances/vrf%201/route_targets/import", method: .get) {
                r in #expect(String(buffer: r.body) == #"["64512:1"]"#)
            }
            try await client.execute(uri: "/looking-glass/", method: .get) { r in
                let v = try JSONValue(parsing: r.body.readableBytesView)
                #expect(v.objectValue?.keys.first == "summary")
            }
            try await client.execute(uri: "/looking-glass/nope", method: .get, headers: [.accept: "application/json"]) {
                r in
                #expect(r.status == .notFound)
                #expect(
                    String(buffer: r.body)
                        == #"{"code": 404, "title": "Not Found", "description": "No such looking glass object: 'nope' at http://localhost/looking-glass/nope"}"#
                )
            }
            try await client.execute(
                uri: "/looking-glass/vpns/broken", method: .get, headers: [.accept: "application/json"]
            ) {
                r in
                #expect(r.status == .internalServerError)
                #expect(String(buffer: r.body).contains(#""description": "Server error""#))
            }
        }
    }

    @Test func oversizedBodiesAndBadEscapes() async throws {
        let service = RecordingService()
        try await testApplication(service).test(.router) { client in
            let big = ByteBuffer(
                repeating: UInt8(ascii: " "), count: BagpipeRESTResponder<BasicRequestContext>.maxBodySize + 1)
            try await client.execute(uri: "/attach_localport", method: .post, body: big) { r in
                #expect(r.status == .contentTooLarge)
            }
            try await client.execute(uri: "/looking-glass/%zz", method: .get, headers: [.accept: "text/html"]) { r in
                #expect(r.status == .notFound)
                #expect(r.headers[.contentType] == "text/html; charset=UTF-8")
                #expect(
                    String(buffer: r.body).contains(
                        "No such looking glass object: %zz at http://localhost/looking-glass"))
            }
        }
        #expect(service.calls.isEmpty)
    }
}
