import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BagpipeServer

/// The real OpenStack clients (scripts/deps.d/server.sh installs them in a virtualenv) against the real HTTP
/// server: the `openstack` CLI with the neutronclient BGPVPN plugin, and openstacksdk (bgpvpn-api.md §9).
@Suite(.serialized) struct RealClientTests {
    static let venv = ProcessInfo.processInfo.environment["BAGPIPE_OPENSTACK_VENV"] ?? "/opt/bagpipe-venvs/openstack"

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSON? { try? JSON.parse(stdout) }
    }

    /// Runs a program without blocking a concurrency thread (the server answers on the same small pool): output
    /// goes to temporary files, read after the exit.
    static func run(_ executable: String, _ args: [String]) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        // A clean environment: no OS_* variables from the caller leak in.
        process.environment = ["PATH": "\(venv)/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
        let base = NSTemporaryDirectory() + "bagpipe-server-test-\(getpid())-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { c in
            process.terminationHandler = { c.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                c.resume(throwing: error)
            }
        }
        try out.close()
        try err.close()
        return Output(
            status: status, stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
    }

    /// Serves a fresh server (SQLite in a temporary file) on an ephemeral port.
    static func withServer(_ body: @Sendable (String) async throws -> Void) async throws {
        try await Backend.sqlite.withStore { store in
            let api = NeutronAPI(service: NeutronService(store: store, config: Tokens.config))
            var logger = Logger(label: "bagpipe-server-test")
            logger.logLevel = .warning
            let app = Application(responder: HTTPShell.responder(api, fallbackAuthority: "localhost"), logger: logger)
            try await app.test(.live) { client in
                try await body("http://localhost:\(client.port!)")
            }
        }
    }

    /// A raw GET (curl), for what the CLI does not display.
    static func get(_ endpoint: String, _ token: String, _ path: String) async throws -> JSON {
        let o = try await run("/usr/bin/curl", ["-sS", "-H", "X-Auth-Token: \(token)", endpoint + path])
        return try JSON.parse(o.stdout)
    }

    static func os(_ endpoint: String, _ token: String, _ args: String...) async throws -> Output {
        try await run(
            "\(venv)/bin/openstack",
            ["--os-auth-type", "admin_token", "--os-endpoint", endpoint, "--os-token", token] + args)
    }

    static func ok(_ o: Output, sourceLocation: SourceLocation = #_sourceLocation) -> JSON {
        #expect(o.status == 0, "stderr: \(o.stderr)", sourceLocation: sourceLocation)
        return o.json ?? .null
    }

    @Test func openstackCLI() async throws {
        try await Self.withServer { ep in
            let admin = Tokens.admin
            let alice = Tokens.alice
            // core (§9.4)
            let net = Self.ok(try await Self.os(ep, alice, "network", "create", "net1", "-f", "json"))
            #expect(net["name"] == "net1" && net["status"] == "ACTIVE")
            let netID = net["id"]?.stringValue ?? ""
            #expect(
                Self.ok(try await Self.os(ep, alice, "network", "show", "net1", "-f", "json"))["id"] == .string(netID))
            _ = Self.ok(try await Self.os(ep, alice, "network", "set", "--name", "net1b", "net1"))
            let nets = Self.ok(try await Self.os(ep, alice, "network", "list", "-f", "json"))
            #expect(nets.arrayValue?.map { $0["Name"] } == ["net1b"])
            let sub = Self.ok(
                try await Self.os(
                    ep, alice, "subnet", "create", "--network", "net1b", "--subnet-range", "10.0.0.0/24", "s1", "-f",
                    "json"))
            #expect(sub["gateway_ip"] == "10.0.0.1" && sub["cidr"] == "10.0.0.0/24")
            let port = Self.ok(try await Self.os(ep, alice, "port", "create", "--network", "net1b", "p1", "-f", "json"))
            #expect(port["fixed_ips"]?[0]?["ip_address"] == "10.0.0.2")
            let bound = Self.ok(
                try await Self.os(
                    ep, admin, "port", "create", "--network", netID, "--host", "compute1", "--device-owner",
                    "compute:nova", "--device", "vm1", "p2", "-f", "json"))
            #expect(bound["binding_host_id"] == "compute1" && bound["device_owner"] == "compute:nova")
            _ = Self.ok(try await Self.os(ep, alice, "router", "create", "r1", "-f", "json"))
            _ = Self.ok(try await Self.os(ep, alice, "router", "add", "subnet", "r1", "s1"))
            let ports = Self.ok(try await Self.os(ep, alice, "port", "list", "--router", "r1", "-f", "json"))
            #expect(ports.arrayValue?.first?["Fixed IP Addresses"]?[0]?["ip_address"] == "10.0.0.1")

            // BGPVPN (§9.1): admin creates for the project with the `<project>:admin`-style token of the tests
            let vpn = Self.ok(
                try await Self.os(
                    ep, admin, "bgpvpn", "create", "--name", "vpn1", "--route-target", "64512:1", "--import-target",
                    "64512:2", "--export-target", "64512:3", "--local-pref", "100", "--vni", "1000", "-f", "json"))
            #expect(vpn["route_targets"] == ["64512:1"] && vpn["vni"] == 1000 && vpn["local_pref"] == 100)
            _ = Self.ok(try await Self.os(ep, admin, "bgpvpn", "set", "vpn1", "--route-target", "64512:4"))
            let shown = Self.ok(try await Self.os(ep, admin, "bgpvpn", "show", "vpn1", "-f", "json"))
            #expect(Set(shown["route_targets"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["64512:1", "64512:4"])
            _ = Self.ok(try await Self.os(ep, admin, "bgpvpn", "unset", "vpn1", "--route-target", "64512:1"))
            #expect(
                Self.ok(try await Self.os(ep, admin, "bgpvpn", "show", "vpn1", "-f", "json"))["route_targets"] == [
                    "64512:4"
                ])
            // a member cannot create: the CLI reports the 403
            let denied = try await Self.os(ep, alice, "bgpvpn", "create", "--name", "nope")
            #expect(denied.status != 0 && denied.stderr.contains("disallowed by policy"))

            // associations (§9.2): admin's own project owns vpn1, so associate admin-owned resources
            let anet = Self.ok(try await Self.os(ep, admin, "network", "create", "anet", "-f", "json"))
            _ = Self.ok(
                try await Self.os(
                    ep, admin, "subnet", "create", "--network", "anet", "--subnet-range", "10.1.0.0/24", "as1", "-f",
                    "json"))
            let na = Self.ok(
                try await Self.os(ep, admin, "bgpvpn", "network", "association", "create", "vpn1", "anet", "-f", "json")
            )
            #expect(na["network_id"] == anet["id"]!)
            let nas = Self.ok(
                try await Self.os(ep, admin, "bgpvpn", "network", "association", "list", "vpn1", "-f", "json"))
            #expect(nas.arrayValue?.count == 1)
            #expect(
                Self.ok(try await Self.os(ep, admin, "bgpvpn", "show", "vpn1", "-f", "json"))["networks"] == [
                    anet["id"]!
                ])
            _ = Self.ok(
                try await Self.os(
                    ep, admin, "bgpvpn", "create", "--name", "vpn2", "--route-target", "64512:10", "-f", "json"))
            _ = Self.ok(try await Self.os(ep, admin, "router", "create", "ar1", "-f", "json"))
            let ra = Self.ok(
                try await Self.os(ep, admin, "bgpvpn", "router", "association", "create", "vpn2", "ar1", "-f", "json"))
            // the CLI always sends advertise_extra_routes=false; we store what it sent (reference: true)
            #expect(ra["advertise_extra_routes"] == false)
            let aport = Self.ok(
                try await Self.os(ep, admin, "port", "create", "--network", "anet", "ap1", "-f", "json"))
            let pa = Self.ok(
                try await Self.os(
                    ep, admin, "bgpvpn", "port", "association", "create", "vpn1", "ap1", "--prefix-route",
                    "prefix=20.1.0.0/16,local_pref=200", "--bgpvpn-route", "bgpvpn=vpn2,local_pref=50",
                    "--no-advertise-fixed-ips", "-f", "json"))
            #expect(pa["port_id"] == aport["id"]!)
            let paID = pa["id"]?.stringValue ?? ""
            _ = Self.ok(
                try await Self.os(
                    ep, admin, "bgpvpn", "port", "association", "set", paID, "vpn1", "--prefix-route",
                    "prefix=30.0.0.0/8"))
            // The CLI's `show` drops `routes` and `list --long` fails on them (client bugs, §9.2): read them over HTTP.
            let vpnID = vpn["id"]?.stringValue ?? ""
            let raw = try await Self.get(ep, admin, "/v2.0/bgpvpn/bgpvpns/\(vpnID)/port_associations/\(paID)")
            let prefixes = raw["port_association"]?["routes"]?.arrayValue?.compactMap { $0["prefix"]?.stringValue }
            #expect(Set(prefixes ?? []) == ["20.1.0.0/16", "30.0.0.0/8"])
            #expect(raw["port_association"]?["advertise_fixed_ips"] == false)
            // adding the associated subnet to the associated router is refused (409)
            let conflict = try await Self.os(ep, admin, "router", "add", "subnet", "ar1", "as1")
            #expect(
                conflict.status != 0 && conflict.stderr.contains("RouterInterfaceAttachmentConflict")
                    || conflict.stderr.contains("not allowed to add an interface"))
            _ = Self.ok(try await Self.os(ep, admin, "bgpvpn", "port", "association", "delete", paID, "vpn1"))
            _ = Self.ok(
                try await Self.os(
                    ep, admin, "bgpvpn", "network", "association", "delete", na["id"]?.stringValue ?? "", "vpn1"))
            _ = Self.ok(try await Self.os(ep, admin, "bgpvpn", "delete", "vpn2"))
            _ = Self.ok(try await Self.os(ep, admin, "bgpvpn", "delete", "vpn1"))
            #expect(Self.ok(try await Self.os(ep, admin, "bgpvpn", "list", "-f", "json")) == [])

            // cleanup in tempest's order
            _ = Self.ok(try await Self.os(ep, alice, "router", "remove", "subnet", "r1", "s1"))
            _ = Self.ok(try await Self.os(ep, alice, "router", "delete", "r1"))
            _ = Self.ok(try await Self.os(ep, alice, "port", "delete", "p1"))
            _ = Self.ok(try await Self.os(ep, admin, "port", "delete", "p2"))
            _ = Self.ok(try await Self.os(ep, alice, "subnet", "delete", "s1"))
            _ = Self.ok(try await Self.os(ep, alice, "network", "delete", "net1b"))
            let ext = Self.ok(try await Self.os(ep, alice, "extension", "list", "--network", "-f", "json"))
            #expect(ext.arrayValue?.contains { $0["Alias"] == "bgpvpn" } == true)
        }
    }

    /// The HTTP shell itself: headers, empty 204 bodies, body size limit, `.json` suffix (bgpvpn-api.md §1.1).
    @Test func httpShell() async throws {
        try await Self.withServer { ep in
            let root = try await Self.run("/usr/bin/curl", ["-si", ep + "/"])
            #expect(root.stdout.hasPrefix("HTTP/1.1 200"))
            #expect(root.stdout.lowercased().contains("content-type: application/json"))
            #expect(root.stdout.lowercased().contains("x-openstack-request-id: req-"))
            #expect(root.stdout.contains("\"href\": \"\(ep)/v2.0/\""))
            let created = try await Self.run(
                "/usr/bin/curl",
                [
                    "-s", "-H", "X-Auth-Token: \(Tokens.admin)", "-H", "Content-Type: application/json", "-d",
                    #"{"network": {"name": "h"}}"#, ep + "/v2.0/networks.json",
                ])
            let id = try JSON.parse(created.stdout)["network"]?["id"]?.stringValue ?? ""
            let deleted = try await Self.run(
                "/usr/bin/curl",
                ["-si", "-X", "DELETE", "-H", "X-Auth-Token: \(Tokens.admin)", ep + "/v2.0/networks/\(id)"])
            #expect(deleted.stdout.hasPrefix("HTTP/1.1 204"))
            #expect(!deleted.stdout.lowercased().contains("content-type"))
            let unauthenticated = try await Self.run("/usr/bin/curl", ["-si", ep + "/v2.0/networks"])
            #expect(unauthenticated.stdout.hasPrefix("HTTP/1.1 401"))
            let big = NSTemporaryDirectory() + "bagpipe-server-test-\(getpid())-big.json"
            _ = FileManager.default.createFile(atPath: big, contents: Data(repeating: 0x20, count: 2 << 20))
            defer { try? FileManager.default.removeItem(atPath: big) }
            let tooLarge = try await Self.run(
                "/usr/bin/curl",
                [
                    "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Auth-Token: \(Tokens.admin)",
                    "--data-binary", "@" + big, ep + "/v2.0/networks",
                ])
            #expect(tooLarge.stdout == "413")
        }
    }

    static let sdkScript = #"""
        import json, sys, openstack
        ep = sys.argv[1]
        admin = openstack.connect(auth_type='admin_token', auth={'endpoint': ep, 'token': sys.argv[2]})
        alice = openstack.connect(auth_type='admin_token', auth={'endpoint': ep, 'token': sys.argv[3]})
        bob = openstack.connect(auth_type='admin_token', auth={'endpoint': ep, 'token': sys.argv[4]})
        out = {}
        net = alice.network.create_network(name='sdknet')
        sub = alice.network.create_subnet(network_id=net.id, cidr='10.10.0.0/24', ip_version=4, name='sdksub')
        port = alice.network.create_port(network_id=net.id, name='sdkport')
        rtr = alice.network.create_router(name='sdkrtr')
        alice.network.add_interface_to_router(rtr, subnet_id=sub.id)
        out['port_ip'] = port.fixed_ips[0]['ip_address']
        vpn = admin.network.create_bgpvpn(name='sdkvpn', route_targets=['64512:100'], type='l3', project_id='project-a')
        vpn2 = admin.network.create_bgpvpn(name='sdkvpn2', route_targets=['64512:200'], project_id='project-a')
        na = alice.network.create_bgpvpn_network_association(vpn, network_id=net.id)
        pa = alice.network.create_bgpvpn_port_association(vpn, port_id=port.id, advertise_fixed_ips=False,
                routes=[{'type': 'prefix', 'prefix': '20.1.0.0/16', 'local_pref': 200}, {'type': 'bgpvpn', 'bgpvpn_id': vpn2.id}])
        out['pa_routes'] = sorted(r['type'] for r in pa.routes)
        alice.network.update_bgpvpn(vpn, name='renamed', local_pref=150)
        out['by_network'] = [v.name for v in alice.network.bgpvpns(networks=net.id)]
        out['by_name'] = [v.id == vpn.id for v in alice.network.bgpvpns(name='renamed', type='l3')]
        out['owner_view_rts'] = alice.network.get_bgpvpn(vpn.id).route_targets
        out['admin_view_rts'] = admin.network.get_bgpvpn(vpn.id).route_targets
        out['find'] = alice.network.find_bgpvpn('renamed').id == vpn.id
        out['assocs'] = [a.id == na.id for a in alice.network.bgpvpn_network_associations(vpn)]
        try:
            bob.network.get_bgpvpn(vpn.id)
            out['bob'] = 'visible'
        except openstack.exceptions.NotFoundException:
            out['bob'] = 'not found'
        try:
            alice.network.update_bgpvpn(vpn, route_targets=['1:1'])
            out['alice_rt'] = 'allowed'
        except openstack.exceptions.ForbiddenException as e:
            out['alice_rt'] = 'forbidden'
        try:
            alice.network.create_bgpvpn(name='x')
        except openstack.exceptions.ForbiddenException:
            out['alice_create'] = 'forbidden'
        alice.network.update_bgpvpn_port_association(vpn, pa, routes=[])
        out['pa_routes_after'] = alice.network.get_bgpvpn_port_association(vpn, pa).routes
        alice.network.delete_bgpvpn_port_association(vpn, pa)
        alice.network.delete_bgpvpn_network_association(vpn, na)
        admin.network.delete_bgpvpn(vpn)
        admin.network.delete_bgpvpn(vpn2)
        out['bgpvpns_left'] = len(list(admin.network.bgpvpns()))
        out['ext'] = admin.network.find_extension('bgpvpn').name
        page = list(alice.network.ports(limit=1))
        out['paged_ports'] = len(page)
        alice.network.remove_interface_from_router(rtr, subnet_id=sub.id)
        alice.network.delete_router(rtr)
        alice.network.delete_port(port)
        alice.network.delete_subnet(sub)
        alice.network.delete_network(net)
        out['networks_left'] = len(list(alice.network.networks()))
        print(json.dumps(out))
        """#

    @Test func openstackSDK() async throws {
        try await Self.withServer { ep in
            let o = try await Self.run(
                "\(Self.venv)/bin/python", ["-c", Self.sdkScript, ep, Tokens.admin, Tokens.alice, Tokens.bob])
            #expect(o.status == 0, "stderr: \(o.stderr)")
            let r = try JSON.parse(o.stdout.split(separator: "\n").last.map(String.init) ?? "")
            #expect(r["port_ip"] == "10.10.0.2")
            #expect(r["pa_routes"] == ["bgpvpn", "prefix"])
            #expect(r["by_network"] == ["renamed"])
            #expect(r["by_name"] == [true])
            #expect(r["owner_view_rts"] == JSON.null)
            #expect(r["admin_view_rts"] == ["64512:100"])
            #expect(r["find"] == true && r["assocs"] == [true])
            #expect(r["bob"] == "not found" && r["alice_rt"] == "forbidden" && r["alice_create"] == "forbidden")
            #expect(r["pa_routes_after"] == [])
            #expect(r["bgpvpns_left"] == 0 && r["ext"] == "BGPVPN Extension")
            #expect(r["paged_ports"] == 2)  // the SDK follows ports_links to the end
            #expect(r["networks_left"] == 0)
        }
    }
}
