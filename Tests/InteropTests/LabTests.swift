import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// End to end with the lab (`scripts/lab`): two compute nodes in network namespaces, a bagpipe-bgp each with the
/// Linux dataplanes (E-VPN `linux`, IP VPN `linux-vxlan`), our route reflector, and VM namespaces that ping each
/// other through VXLAN once attached over the REST API, and stop when detached.
@Suite("Lab: VMs on two nodes ping over E-VPN and IP VPN", .serialized, .timeLimit(.minutes(3)))
struct LabTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The directory of the built `bagpipe-bgp`, next to the test bundle.
    static var productsDirectory: String? {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        var directories = [binary, binary.deletingLastPathComponent()]
        for argument in CommandLine.arguments where argument.contains(".xctest") {
            let url = URL(fileURLWithPath: argument)
            directories += [
                url.deletingLastPathComponent(), url.deletingLastPathComponent().deletingLastPathComponent(),
            ]
        }
        return directories.first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("bagpipe-bgp").path)
        }?
        .path
    }

    /// Runs `scripts/lab` with the lab's name; returns the exit status and the output. posix_spawn and waitpid
    /// rather than Foundation's Process, whose wait did not return here once `lab up` had left daemons behind;
    /// the output goes to a file, as the daemons inherit the descriptor.
    func lab(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = "/tmp/\(name)-\(UUID().uuidString).out"
        defer { unlink(log) }
        let argv = [Self.root.appendingPathComponent("scripts/lab").path] + arguments
        let env = ProcessInfo.processInfo.environment.merging(["BAGPIPE_LAB_NAME": name]) { $1 }.map { "\($0)=\($1)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArgv = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer { for p in cArgv + cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArgv, &cEnv)
        guard rc == 0 else { return (-1, "posix_spawn: \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exited = status & 0x7f == 0 ? (status >> 8) & 0xff : -1
        return (exited, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    func pings(_ name: String, _ node: Int, _ vm: Int, _ address: String) throws -> Bool {
        for _ in 0..<20 {
            if try lab(name, ["ping", "\(node)", "\(vm)", address]).status == 0 { return true }
            Thread.sleep(forTimeInterval: 0.25)
        }
        return false
    }

    @Test("Attach → ping (E-VPN: ARP suppression and FDB; IP VPN: VRF routes), detach → no ping, down → nothing left")
    func attachPingDetach() throws {
        guard ProcessInfo.processInfo.environment["BAGPIPE_SKIP_INTEROP"] != "1" else { return }
        let bin = try #require(Self.productsDirectory, "bagpipe-bgp is not built")
        let name = "bl\(getpid() % 100_000)"
        defer { _ = try? lab(name, ["down"]) }
        let up = try lab(name, ["up", "--nodes", "2", "--vms", "2", "--bin", bin])
        try #require(up.status == 0, "\(up.output)")

        // E-VPN: one network on both nodes.
        for (node, ip) in [(1, "10.77.0.1/24"), (2, "10.77.0.2/24")] {
            let r = try lab(
                name, ["attach", "\(node)", "1", "--network", "net1", "--type", "evpn", "--ip", ip, "--rt", "64512:77"])
            #expect(r.output.contains("null"), "\(r.output)")
        }
        #expect(try pings(name, 1, 1, "10.77.0.2"))
        #expect(try pings(name, 2, 1, "10.77.0.1"))

        // IP VPN: two subnets of one VRF, routed.
        for (node, ip, gw) in [(1, "10.88.1.2/24", "10.88.1.1"), (2, "10.88.2.2/24", "10.88.2.1")] {
            let r = try lab(
                name,
                [
                    "attach", "\(node)", "2", "--network", "vrf1", "--type", "ipvpn", "--ip", ip, "--gateway", gw,
                    "--rt",
                    "64512:88",
                ])
            #expect(r.output.contains("null"), "\(r.output)")
        }
        #expect(try pings(name, 1, 2, "10.88.2.2"))
        // The two VPNs stay apart: the E-VPN VM does not reach the VRF.
        #expect(try lab(name, ["ping", "1", "1", "10.88.2.2"]).status != 0)

        // Detach: the traffic stops.
        _ = try lab(name, ["detach", "2", "1", "--network", "net1", "--type", "evpn", "--ip", "10.77.0.2/24"])
        _ = try lab(name, ["detach", "2", "2", "--network", "vrf1", "--type", "ipvpn", "--ip", "10.88.2.2/24"])
        Thread.sleep(forTimeInterval: 1)
        #expect(try lab(name, ["ping", "1", "1", "10.77.0.2"]).status != 0)
        #expect(try lab(name, ["ping", "1", "2", "10.88.2.2"]).status != 0)

        let down = try lab(name, ["down"])
        #expect(down.status == 0)
        let namespaces = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(!namespaces.contains("/run/netns/\(name)-"))
    }
}
