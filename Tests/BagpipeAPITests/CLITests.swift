import BGPWire
import BagpipeREST
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import BagpipeAPI

/// Runs a program and returns its exit status and outputs.
/// Runs a program on a thread of its own: waiting for it must not hold one of Swift's cooperative threads, which
/// the in-process server the program talks to needs (two such waits at once deadlocked a 2-core machine).
func runProgram(
    _ argv: [String], environment: [String: String] = [:]
) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try runProgramBlocking(argv, environment: environment) }) }.start()
    }
}

func runProgramBlocking(
    _ argv: [String], environment: [String: String] = [:]
) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    p.environment = env
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Drain stderr on another thread so a chatty program cannot block on a full pipe.
    let errBox = OutputBox()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    group.wait()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
}

/// Written by one thread before `DispatchGroup.wait()` returns on the reader's.
final class OutputBox: @unchecked Sendable {
    var data = Data()
}

/// The directory of the built products (beside the test bundle).
func productsDirectory() -> URL {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: exe).deletingLastPathComponent()
}

func product(_ name: String) -> String { productsDirectory().appendingPathComponent(name).path }

/// The original's Python clients, installed by scripts/deps.d/api.sh.
let pythonVenv = "/opt/bagpipe-venvs/networking-bagpipe/bin"

@Suite(.serialized) struct CLITests {
    /// Runs `body` with a live server on 127.0.0.1 and an ephemeral port.
    func withServer(_ service: RecordingService, _ body: @Sendable (Int) async throws -> Void) async throws {
        try await testApplication(service).test(.live) { client in try await body(client.port!) }
    }

    @Test func restAttachPostsTheOriginalBody() async throws {
        let service = RecordingService()
        try await withServer(service) { port in
            let r = try await runProgram(
                [
                    product("bagpipe-rest-attach"), "--attach", "--port", "tap42", "--mac", "de:ad:00:00:be:ef",
                    "--ip", "11.11.11.1", "--gateway-ip", "11.11.11.254", "--network-type", "ipvpn", "--rt",
                    "64512:77", "--config-file", "/nonexistent",
                ], environment: ["OS_API__PORT": "\(port)"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(
                r.stdout == """
                    request: {"import_rt": ["64512:77"], "export_rt": ["64512:77"], "local_port": {"linuxif": "tap42"}, "vpn_instance_id": "ipvpn-bagpipe-test", "vpn_type": "ipvpn", "gateway_ip": "11.11.11.254", "mac_address": "de:ad:00:00:be:ef", "ip_address": "11.11.11.1/24", "advertise_subnet": false, "readvertise": null, "attract_traffic": {}, "lb_consistent_hash_order": 0, "vni": 0, "direction": "both"}
                    response: 200 null

                    """)
            let full = try await runProgram(
                [
                    product("bagpipe-rest-attach"), "--attach", "--port", "tap43", "--mac", "de:ad:00:00:be:f0",
                    "--ip", "12.0.0.1/16", "--network-type", "ipvpn", "--import-rt", "64512:1", "--export-rt",
                    "64512:2", "--readv-from-rt", "64512:3", "--readv-to-rt", "64512:4", "--redirect-rts", "64512:5",
                    "--destination-port", "80", "--protocol", "udp", "--attract-to-rt", "64512:4",
                    "--static-destination-prefix", "10.10.10.10/32", "--local-pref", "0", "--vni", "77",
                    "--direction", "to-port", "--advertise-subnet", "--lb-consistent-hash-order", "3",
                    "--config-file", "/nonexistent",
                ], environment: ["OS_API__PORT": "\(port)"])
            #expect(full.status == 0, "\(full.stderr)")
            #expect(full.stdout.hasPrefix("using 12.0.255.254 as gateway address\n"))
            #expect(
                full.stdout.contains(
                    #""attract_traffic": {"redirect_rts": ["64512:5"], "classifier": {"destinationPort": "80", "protocol": "udp"}, "to_rt": ["64512:4"], "static_destination_prefixes": ["10.10.10.10/32"]}, "lb_consistent_hash_order": 3, "vni": 77, "local_pref": 0, "direction": "to-port"}"#
                ))
            let detach = try await runProgram(
                [
                    product("bagpipe-rest-attach"), "--detach", "--port", "tap42", "--mac", "de:ad:00:00:be:ef",
                    "--ip", "11.11.11.1", "--network-type", "ipvpn", "--config-file", "/nonexistent",
                ], environment: ["OS_API__PORT": "\(port)"])
            #expect(detach.status == 0, "\(detach.stderr)")
        }
        let calls = service.calls
        try #require(calls.count == 3)
        guard case .attach(let a) = calls[1], case .detach(let d) = calls[2] else {
            Issue.record("unexpected calls \(calls)")
            return
        }
        #expect(a.importRTs == [.as2(64512, 1)] && a.exportRTs == [.as2(64512, 2)])
        #expect(a.attractTraffic?.toRT == .as2(64512, 4))
        #expect(a.attractTraffic?.staticDestinationPrefixes.map(\.description) == ["10.10.10.10/32"])
        #expect(a.localPref == 0 && a.vni == 77 && a.direction == .toPort && a.advertiseSubnet)
        #expect(d.ipAddress?.description == "11.11.11.1/24" && d.localPort.linuxif == "tap42")
    }

    @Test func restAttachReportsRefusals() async throws {
        let service = RecordingService()
        service.fail(with: APIError.vpnNotFound("x"))
        try await withServer(service) { port in
            let r = try await runProgram(
                [
                    product("bagpipe-rest-attach"), "--detach", "--port", "tap1", "--ip", "10.0.0.1",
                    "--network-type", "ipvpn", "--config-file", "/nonexistent",
                ], environment: ["OS_API__PORT": "\(port)"])
            #expect(r.status == 1)
            #expect(r.stdout.contains("API error: VPN x could not be found"))
            #expect(r.stderr == "error 400, reason: Bad Request\n")
            let usage = try await runProgram(
                [
                    product("bagpipe-rest-attach"), "--attach", "--port", "tap1", "--ip", "10.0.0.1", "--network-type",
                    "evpn",
                ],
                environment: ["OS_API__PORT": "\(port)"])
            #expect(usage.status != 0)
            #expect(usage.stderr.contains("Need to specify --mac for an EVPN network attachment"))
        }
    }

    @Test func lookingGlassAndImpexClients() async throws {
        try await withServer(RecordingService()) { port in
            let summary = try await runProgram([product("bagpipe-looking-glass"), "--port", "\(port)", "summary"])
            #expect(summary.status == 0)
            #expect(
                summary.stdout == """
                    BGP_established_peers: 1
                    route_counts: 
                      local_routes_count: 2
                      received_routes_count: 3
                    vpn_instances_count: 2
                    warnings_and_errors: 0
                    start_time: 2026-11-21 12:00:00
                    version: test

                    """)
            let instances = try await runProgram([
                product("bagpipe-looking-glass"), "--port", "\(port)", "vpns", "instances",
            ])
            #expect(instances.stdout == "* vrf 1 (...)\n  name: VRF-1\n* evi/2 (...)\n  name: EVI-2\n")
            let recursive = try await runProgram([
                product("bagpipe-looking-glass"), "--port", "\(port)", "-r", "vpns", "instances",
            ])
            #expect(recursive.stdout.contains("* vrf 1\n    external_instance_id: vrf 1\n"))
            let missing = try await runProgram([product("bagpipe-looking-glass"), "--port", "\(port)", "nope"])
            #expect(
                missing.stdout == "No such looking glass path: nope\n(http://127.0.0.1:\(port)/looking-glass/nope)\n")
            let dot = try await runProgram([product("bagpipe-impex2dot"), "--server", "127.0.0.1", "--port", "\(port)"])
            #expect(dot.status == 0)
            #expect(dot.stdout.contains("vpn_127_0_0_1__evi/2 -> vpn_127_0_0_1__vrf 1 [weight=500];"))
        }
    }

    /// The original Python clients, unmodified, against our server.
    @Test func pythonClients() async throws {
        let pyAttach = "\(pythonVenv)/bagpipe-rest-attach"
        try #require(
            FileManager.default.isExecutableFile(atPath: pyAttach),
            "networking-bagpipe is not installed: run scripts/install-deps (scripts/deps.d/api.sh)")
        let service = RecordingService()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bagpipe-api-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withServer(service) { port in
            try "[API]\nport = \(port)\n".write(
                to: dir.appendingPathComponent("bgp.conf"), atomically: true, encoding: .utf8)
            // The Python client reads only /etc/bagpipe-bgp/bgp.conf: give it ours in a private mount namespace.
            let etc = "/etc/bagpipe-bgp"
            let made = !FileManager.default.fileExists(atPath: etc)
            if made { try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: false) }
            defer { if made { try? FileManager.default.removeItem(atPath: etc) } }
            let script = """
                mount --bind '\(dir.path)' \(etc) && exec '\(pyAttach)' --attach --port tap9 \
                --mac 52:54:00:aa:bb:cc --ip 10.9.0.2/24 --network-type evpn --rt 64512:9 --vni 900 \
                --redirect-rts 64512:5 --source-prefix 1.2.3.0/24
                """
            let r = try await runProgram([
                "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script,
            ])
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("response: 200 b'null'"))

            let lg = try await runProgram(["\(pythonVenv)/bagpipe-looking-glass", "--port", "\(port)", "summary"])
            #expect(lg.status == 0, "\(lg.stderr)")
            #expect(lg.stdout.contains("route_counts: \n  local_routes_count: 2\n"))
            let ours = try await runProgram([
                product("bagpipe-looking-glass"), "--port", "\(port)", "-r", "vpns", "instances",
            ])
            let theirs = try await runProgram([
                "\(pythonVenv)/bagpipe-looking-glass", "--port", "\(port)", "-r", "vpns", "instances",
            ])
            #expect(ours.stdout == theirs.stdout)
            #expect(theirs.stdout.contains("external_instance_id: evi/2"))
        }
        #expect(
            service.calls == [
                .attach(
                    AttachRequest(
                        vpnInstanceID: "evpn-bagpipe-test", vpnType: .evpn, macAddress: MACAddress(0x5254_00AA_BBCC),
                        ipAddress: EndpointAddress("10.9.0.2/24"), gatewayIP: IPAddress("10.9.0.254"),
                        localPort: LocalPort(linuxif: "tap9"), importRTs: [.as2(64512, 9)], exportRTs: [.as2(64512, 9)],
                        vni: 900))
            ])
    }

    /// The Neutron agent's own REST client class (`HTTPClientBase` of bagpipe_bgp_agent.py), unmodified.
    @Test func neutronAgentClient() async throws {
        let python = "\(pythonVenv)/python"
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "networking-bagpipe is not installed: run scripts/install-deps (scripts/deps.d/api.sh)")
        let service = RecordingService()
        try await withServer(service) { port in
            let script = """
                import warnings; warnings.simplefilter('ignore')
                from networking_bagpipe.agent import bagpipe_bgp_agent as a
                c = a.HTTPClientBase(port=\(port), client_name='bagpipe-agent-test')
                print('ping', c.get('ping'))
                body = {'vpn_instance_id': 'ipvpn_net1', 'vpn_type': 'ipvpn', 'mac_address': '00:00:de:ad:be:ef',
                        'ip_address': '10.0.0.2', 'gateway_ip': '10.0.0.1',
                        'local_port': {'linuxif': 'patch2tun:31', 'ovs': {'plugged': True, 'port_number': 7, 'vlan': 31}},
                        'import_rt': {'64512:100'}, 'export_rt': {'64512:100'}, 'local_pref': 200,
                        'description': {'port': 'uuid-1'}, 'instance_description': 'net1'}
                print('attach', c.post('attach_localport', body))
                print('detach', c.post('detach_localport', {k: body[k] for k in
                      ('vpn_instance_id', 'vpn_type', 'mac_address', 'ip_address', 'local_port')}))
                try:
                    c.post('attach_localport', {'vpn_type': 'ipvpn'})
                except a.BaGPipeBGPException as e:
                    print('refused', type(e).__name__)
                """
            let r = try await runProgram([python, "-c", script])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(
                r.stdout
                    == "ping 24197857203266734864793317670504947440\nattach None\ndetach None\nrefused BaGPipeBGPException\n"
            )
        }
        let calls = service.calls
        try #require(calls.count == 2)
        guard case .attach(let a) = calls[0], case .detach(let d) = calls[1] else {
            Issue.record("unexpected calls \(calls)")
            return
        }
        #expect(a.importRTs == [.as2(64512, 100)] && a.localPref == 200 && a.description == ["port": "uuid-1"])
        #expect(a.localPort.ovs == LocalPort.OVS(plugged: true, portNumber: 7, vlan: 31))
        #expect(d.ipAddress == EndpointAddress("10.0.0.2/32") && d.vpnInstanceID == "ipvpn_net1")
    }

    /// `--port netns`: a namespace and veth pair are made, and the MAC is read inside the namespace (root).
    @Test func restAttachNetnsPort() async throws {
        let service = RecordingService()
        let ns = "bgpapi\(getpid())"
        let hostIf = String("ns-\(ns)".prefix(15))
        defer {
            _ = try? runProgramBlocking(["/usr/bin/env", "ip", "netns", "delete", ns])
            _ = try? runProgramBlocking(["/usr/bin/env", "ip", "link", "delete", hostIf])
        }
        try await withServer(service) { port in
            let r = try await runProgram(
                [
                    product("bagpipe-rest-attach"), "--attach", "--port", "netns", "--netns", ns, "--ip",
                    "10.77.0.2/24", "--network-type", "evpn", "--config-file", "/nonexistent",
                ], environment: ["OS_API__PORT": "\(port)"])
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        }
        let mac = try await runProgram([
            "/usr/bin/env", "ip", "netns", "exec", ns, "cat", "/sys/class/net/tovpn/address",
        ])
        let calls = service.calls
        try #require(calls.count == 1)
        guard case .attach(let a) = calls[0] else { return }
        #expect(a.localPort == LocalPort(linuxif: hostIf))
        #expect(a.macAddress.description == mac.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(a.gatewayIP == IPAddress("10.77.0.254") && a.vpnInstanceID == "evpn-bagpipe-test")
        let addr = try await runProgram([
            "/usr/bin/env", "ip", "netns", "exec", ns, "ip", "-4", "addr", "show", "tovpn",
        ])
        #expect(addr.stdout.contains("10.77.0.2/24"))
    }
}
