import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// End to end with the lab (`scripts/lab`): compute nodes in network namespaces, a bagpipe-bgp each with the Linux
/// dataplanes (E-VPN `linux`, IP VPN `linux-vxlan`), a route reflector (ours, GoBGP or FRR), and VM namespaces that
/// ping each other through VXLAN once attached over the REST API (or by the control plane: bagpipe-server and an
/// agent per node), and stop when detached.
@Suite("Lab: VMs on several nodes ping over E-VPN and IP VPN", .serialized, .timeLimit(.minutes(3)))
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

    /// Runs a lab command that must succeed; returns its output without the trailing newline.
    @discardableResult
    func must(
        _ name: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws
        -> String
    {
        let r = try lab(name, arguments)
        try #require(
            r.status == 0, "lab \(arguments.joined(separator: " ")): \(r.output)", sourceLocation: sourceLocation)
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func attach(
        _ name: String, _ node: Int, _ vm: Int, _ network: String, _ type: String, _ ip: String, rt: String,
        gateway: String? = nil, mac: String? = nil
    ) throws {
        var arguments = ["attach", "\(node)", "\(vm)", "--network", network, "--type", type, "--ip", ip, "--rt", rt]
        if let gateway { arguments += ["--gateway", gateway] }
        if let mac { arguments += ["--mac", mac] }
        let out = try must(name, arguments)
        #expect(out == "null", "attach \(network) on node \(node) VM \(vm): \(out)")
    }

    func detach(
        _ name: String, _ node: Int, _ vm: Int, _ network: String, _ type: String, _ ip: String, mac: String? = nil
    )
        throws
    {
        var arguments = ["detach", "\(node)", "\(vm)", "--network", network, "--type", type, "--ip", ip]
        if let mac { arguments += ["--mac", mac] }
        let out = try must(name, arguments)
        #expect(out == "null", "detach \(network) on node \(node) VM \(vm): \(out)")
    }

    /// True when the ping keeps failing for a second (after a withdrawal has had time to reach the kernel).
    func staysSilent(_ name: String, _ node: Int, _ vm: Int, _ address: String) throws -> Bool {
        Thread.sleep(forTimeInterval: 0.5)
        for _ in 0..<2 {
            if try lab(name, ["ping", "\(node)", "\(vm)", address]).status == 0 { return false }
        }
        return true
    }

    /// Brings a lab up under a name of its own (`tag` and the PID) and returns the name, which the caller takes down;
    /// nil with BAGPIPE_SKIP_INTEROP=1.
    func labUp(
        _ tag: String, _ upArguments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String? {
        guard ProcessInfo.processInfo.environment["BAGPIPE_SKIP_INTEROP"] != "1" else { return nil }
        let bin = try #require(Self.productsDirectory, "bagpipe-bgp is not built", sourceLocation: sourceLocation)
        let name = "b\(tag.prefix(1))\(getpid() % 100_000)\(tag.dropFirst())"
        let up = try lab(name, ["up"] + upArguments + ["--bin", bin])
        if up.status != 0 { _ = try? lab(name, ["down"]) }
        try #require(
            up.status == 0, "lab up \(upArguments.joined(separator: " ")): \(up.output)", sourceLocation: sourceLocation
        )
        return name
    }

    /// The remote entries (`dst`) of a node's FDB.
    func remoteFDB(_ name: String, _ node: Int) throws -> [String] {
        try must(name, ["node", "\(node)", "bridge", "fdb", "show"]).split(separator: "\n").map(String.init)
            .filter { $0.contains(" dst ") }
    }

    @Test(
        "Attach → ping (E-VPN: ARP suppression and FDB; IP VPN: VRF routes), detach → no ping, down → nothing left",
        arguments: ["ours", "gobgp", "frr"])
    func attachPingDetach(reflector: String) throws {
        guard let name = try labUp("l\(reflector.prefix(1))", ["--nodes", "2", "--vms", "2", "--rr", reflector]) else {
            return
        }
        defer { _ = try? lab(name, ["down"]) }

        // E-VPN: one network on both nodes.
        for (node, ip) in [(1, "10.77.0.1/24"), (2, "10.77.0.2/24")] {
            let r = try lab(
                name, ["attach", "\(node)", "1", "--network", "net1", "--type", "evpn", "--ip", ip, "--rt", "64512:77"])
            #expect(r.output.contains("null"), "\(r.output)")
        }
        #expect(try pings(name, 1, 1, "10.77.0.2"))
        #expect(try pings(name, 2, 1, "10.77.0.1"))
        // `lab status`: the session, the route from node 2 and the driver's state, as node 1 sees them.
        let status = try must(name, ["status"])
        #expect(status.contains("peer 10.99.0.2: Established"), "\(status)")
        #expect(status.contains("route 02:00:00:00:02:01 10.77.0.2 → 10.99.0.12"), "\(status)")
        #expect(status.contains("flood_list=10.99.0.12"), "\(status)")

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

    @Test("E-VPN on four nodes: unicast, broadcast through the flood list, MAC move, restart of a node, full cleanup")
    func fourNodes() throws {
        guard let name = try labUp("m", ["--nodes", "4", "--vms", "2"]) else { return }
        defer { _ = try? lab(name, ["down"]) }
        for node in 1...4 { try attach(name, node, 1, "net1", "evpn", "10.77.0.\(node)/24", rt: "64512:77") }
        for (from, to) in [(1, 2), (1, 3), (1, 4), (2, 4), (3, 1), (4, 2)] {
            #expect(try pings(name, from, 1, "10.77.0.\(to)"), "node \(from) → 10.77.0.\(to)")
        }
        // Broadcast: the frame reaches every other node through its flood-list entry (type 3 routes).
        let broadcast = try lab(name, ["vm", "1", "1", "ping", "-b", "-c", "3", "-i", "0.3", "-W", "1", "10.77.0.255"])
        let responders = Set(
            broadcast.output.split(separator: "\n").compactMap { line -> String? in
                guard let r = line.range(of: "bytes from ") else { return nil }
                return String(line[r.upperBound...].prefix { $0 != ":" })
            })
        // (The sender answers its own broadcast too.)
        #expect(
            responders.subtracting(["10.77.0.1"]) == ["10.77.0.2", "10.77.0.3", "10.77.0.4"], "\(broadcast.output)")
        #expect(try remoteFDB(name, 1).filter { $0.hasPrefix("00:00:00:00:00:00") }.count == 3)

        // MAC mobility: the VM of node 1 (02:00:00:00:01:01, 10.77.0.1) moves to node 3 (VM 2 there), then leaves
        // node 1. Node 3 advertises it with a higher sequence number; node 2's FDB follows.
        // Node 1 keeps another VM in the network, so it keeps the instance and must now reach the moved VM remotely.
        let moved = "02:00:00:00:01:01"
        try attach(name, 1, 2, "net1", "evpn", "10.77.0.11/24", rt: "64512:77")
        try attach(name, 3, 2, "net1", "evpn", "10.77.0.1/24", rt: "64512:77", mac: moved)
        try detach(name, 1, 1, "net1", "evpn", "10.77.0.1/24")
        try must(name, ["vm", "1", "1", "ip", "link", "set", "eth0", "down"])
        #expect(try pings(name, 2, 1, "10.77.0.1"))
        #expect(try remoteFDB(name, 2).contains { $0.hasPrefix(moved) && $0.contains("dst 10.99.0.13") })
        #expect(try !remoteFDB(name, 2).contains { $0.hasPrefix(moved) && $0.contains("dst 10.99.0.11") })
        #expect(try pings(name, 1, 2, "10.77.0.1"))
        // Node 1's bridge knows the MAC on its VXLAN port again (not flooded to its local ports).
        let fdb1 = try must(name, ["node", "1", "bridge", "fdb", "show"]).split(separator: "\n")
        #expect(
            fdb1.contains { $0.hasPrefix(moved) && $0.contains("dev vxlan--") && $0.contains(" master ") }, "\(fdb1)")

        // Restart: node 2's bagpipe-bgp is killed; while it is down node 4's VM leaves. After the restart (and the
        // replay of node 2's attachment) traffic is back and node 2 keeps nothing of node 4.
        try must(name, ["restart", "2"])
        try detach(name, 4, 1, "net1", "evpn", "10.77.0.4/24")
        #expect(try pings(name, 2, 1, "10.77.0.1"))
        #expect(try pings(name, 2, 1, "10.77.0.3"))
        #expect(try pings(name, 3, 1, "10.77.0.2"))
        let fdb = try remoteFDB(name, 2)
        #expect(!fdb.contains { $0.contains("10.99.0.14") || $0.hasPrefix("02:00:00:00:04:01") }, "\(fdb)")
        #expect(fdb.contains { $0.hasPrefix("02:00:00:00:03:01") && $0.contains("dst 10.99.0.13") }, "\(fdb)")

        // Detach everything: no VXLAN device, bridge or remote entry is left on any node.
        try detach(name, 2, 1, "net1", "evpn", "10.77.0.2/24")
        try detach(name, 3, 1, "net1", "evpn", "10.77.0.3/24")
        try detach(name, 3, 2, "net1", "evpn", "10.77.0.1/24", mac: moved)
        try detach(name, 1, 2, "net1", "evpn", "10.77.0.11/24")
        for node in 1...4 {
            let links = try must(name, ["node", "\(node)", "ip", "-br", "link"])
            #expect(!links.contains("vxlan--") && !links.contains("evpn---"), "node \(node): \(links)")
            #expect(try remoteFDB(name, node).isEmpty)
        }
    }

    @Test(
        "IPv6 through each reflector: E-VPN (ND through the bridge's suppression), IPv6 VRFs (VPN-IPv6, RFC 4659)",
        arguments: ["ours", "gobgp", "frr"])
    func ipv6VRF(reflector: String) throws {
        guard let name = try labUp("6\(reflector.prefix(1))", ["--nodes", "2", "--vms", "4", "--rr", reflector]) else {
            return
        }
        defer { _ = try? lab(name, ["down"]) }
        // E-VPN: the remote VM's MAC+IPv6 route becomes a neighbour of the bridge, which answers the NS.
        try attach(name, 1, 1, "e6", "evpn", "2001:db8:77::1/64", rt: "64512:77")
        try attach(name, 2, 1, "e6", "evpn", "2001:db8:77::2/64", rt: "64512:77")
        #expect(try pings(name, 1, 1, "2001:db8:77::2"))
        let neighbors = try must(name, ["node", "1", "ip", "-6", "neigh", "show"])
        #expect(neighbors.contains("2001:db8:77::2 dev evpn---1 lladdr 02:00:00:00:02:01 PERMANENT"), "\(neighbors)")
        // IP VPN: two subnets of one VRF, routed over the IPv4 tunnels.
        try attach(name, 1, 2, "vrf6", "ipvpn", "2001:db8:1::2/64", rt: "64512:66", gateway: "2001:db8:1::1")
        try attach(name, 2, 2, "vrf6", "ipvpn", "2001:db8:2::2/64", rt: "64512:66", gateway: "2001:db8:2::1")
        // Another VRF with an address of the same subnet on node 2: not reachable from vrf6.
        try attach(name, 2, 3, "other6", "ipvpn", "2001:db8:2::3/64", rt: "64512:67", gateway: "2001:db8:2::1")
        #expect(try pings(name, 1, 2, "2001:db8:2::2"))
        #expect(try pings(name, 2, 2, "2001:db8:1::2"))
        #expect(try staysSilent(name, 1, 2, "2001:db8:2::3"))
        let status = try must(name, ["status"])
        #expect(status.contains("route 2001:db8:2::2/128 → 10.99.0.12"), "\(status)")
        // One IPv6 subnet on both nodes: on-link for the VMs, so their Neighbor Solicitations are answered by the
        // ports (proxy NDP) and the traffic is routed.
        try attach(name, 1, 4, "same6", "ipvpn", "2001:db8:5::14/64", rt: "64512:68", gateway: "2001:db8:5::1")
        try attach(name, 2, 4, "same6", "ipvpn", "2001:db8:5::24/64", rt: "64512:68", gateway: "2001:db8:5::1")
        #expect(try pings(name, 1, 4, "2001:db8:5::24"))
        #expect(try pings(name, 2, 4, "2001:db8:5::14"))
        try detach(name, 2, 2, "vrf6", "ipvpn", "2001:db8:2::2/64")
        #expect(try staysSilent(name, 1, 2, "2001:db8:2::2"))
        let rules = try must(name, ["node", "2", "ip", "-6", "rule"])
        #expect(!rules.contains("iif tap2v2"), "\(rules)")
    }

    @Test("Bad command lines are refused with exit status 2 and a precise message, and make nothing")
    func badCommandLines() throws {
        let name = "bx\(getpid() % 100_000)"
        let cases: [([String], String)] = [
            (["up", "--bogus"], "unknown option --bogus"),
            (["up", "--nodes"], "--nodes needs a value"),
            (["up", "--nodes", "--vms", "2"], "--nodes needs a value"),
            (["up", "--nodes", "x"], "--nodes takes a number from 1 to 200, not x"),
            (["up", "--rr", "bird"], "--rr takes ours, gobgp or frr, not bird"),
            (["up", "extra"], "up takes 0 argument(s)"),
            (["attach", "1"], "attach takes 2 argument(s) (NODE VM), got 1"),
            (["attach", "1", "1", "--type", "evpn"], "attach needs --network"),
            (["attach", "1", "1", "--network", "n", "--type", "l3"], "attach needs --type evpn or ipvpn"),
            (
                ["attach", "1", "1", "--network", "n", "--type", "evpn", "--ip", "10.0.0.1/24", "--rt", "1:1"],
                "lab \(name) has no VM 1 on node 1"
            ),
            (["frobnicate"], "unknown command frobnicate"),
        ]
        for (arguments, message) in cases {
            let r = try lab(name, arguments)
            #expect(r.status == 2, "\(arguments): \(r.output)")
            #expect(r.output.contains(message), "\(arguments): \(r.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/run/bagpipe-lab/\(name)"))
    }

    @Test("IP VPN: two VRFs with the same addresses on the same nodes stay apart")
    func overlappingVRFs() throws {
        guard let name = try labUp("o", ["--nodes", "2", "--vms", "3"]) else { return }
        defer { _ = try? lab(name, ["down"]) }
        // VM 2 of each node in vrfA, VM 3 in vrfB; 10.88.1.2 is in both, on node 1.
        try attach(name, 1, 2, "vrfA", "ipvpn", "10.88.1.2/24", rt: "64512:91", gateway: "10.88.1.1")
        try attach(name, 2, 2, "vrfA", "ipvpn", "10.88.2.2/24", rt: "64512:91", gateway: "10.88.2.1")
        try attach(name, 1, 3, "vrfB", "ipvpn", "10.88.1.2/24", rt: "64512:92", gateway: "10.88.1.1")
        try attach(name, 2, 3, "vrfB", "ipvpn", "10.88.2.3/24", rt: "64512:92", gateway: "10.88.2.1")
        #expect(try pings(name, 1, 2, "10.88.2.2"))
        #expect(try pings(name, 1, 3, "10.88.2.3"))
        #expect(try pings(name, 2, 2, "10.88.1.2"))
        #expect(try pings(name, 2, 3, "10.88.1.2"))
        #expect(try staysSilent(name, 1, 2, "10.88.2.3"))
        #expect(try staysSilent(name, 1, 3, "10.88.2.2"))
        // The answer for 10.88.1.2 comes from the VM of the caller's own VRF: without vrfB's, vrfB gets none.
        try detach(name, 1, 3, "vrfB", "ipvpn", "10.88.1.2/24")
        #expect(try staysSilent(name, 2, 3, "10.88.1.2"))
        #expect(try pings(name, 2, 2, "10.88.1.2"))
    }

    @Test("IP VPN readvertise: a router VM leaks blue's routes into red and back; exactly that reachability")
    func readvertise() throws {
        guard let name = try labUp("r", ["--nodes", "2", "--vms", "3"]) else { return }
        defer { _ = try? lab(name, ["down"]) }
        try attach(name, 1, 1, "red", "ipvpn", "10.91.1.2/24", rt: "64512:11", gateway: "10.91.1.1")
        try attach(name, 1, 2, "blue", "ipvpn", "10.92.1.2/24", rt: "64512:12", gateway: "10.92.1.1")
        try attach(name, 1, 3, "green", "ipvpn", "10.93.1.2/24", rt: "64512:13", gateway: "10.93.1.1")
        #expect(try staysSilent(name, 1, 1, "10.92.1.2"))

        // The router: VM 1 of node 2, with VM 2's interface as its eth1; a port in each VPN, each readvertising
        // the other VPN's routes into its own (§4.3), so both directions go through it.
        for command in [
            ["vm", "2", "2", "ip", "link", "set", "eth0", "down"],
            ["vm", "2", "2", "ip", "link", "set", "eth0", "name", "eth1"],
            ["vm", "2", "2", "ip", "link", "set", "eth1", "netns", "\(name)-n2-vm1"],
            ["vm", "2", "1", "ip", "link", "set", "eth1", "up"],
            ["vm", "2", "1", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"],
        ] {
            try must(name, command)
        }
        let leakBlue = #"{"readvertise": {"from_rt": ["64512:12"], "to_rt": ["64512:11"]}}"#
        let leakRed = #"{"readvertise": {"from_rt": ["64512:11"], "to_rt": ["64512:12"]}}"#
        #expect(
            try must(
                name,
                [
                    "attach", "2", "1", "--network", "red-leak", "--type", "ipvpn", "--ip", "10.91.2.2/24", "--gateway",
                    "10.91.2.1", "--rt", "64512:11", "--extra", leakBlue,
                ]) == "null")
        #expect(
            try must(
                name,
                [
                    "attach", "2", "2", "--no-vm", "--network", "blue-leak", "--type", "ipvpn", "--ip", "10.92.2.2/24",
                    "--gateway", "10.92.2.1", "--rt", "64512:12", "--extra", leakRed,
                ]) == "null")
        for command in [
            ["vm", "2", "1", "ip", "addr", "add", "10.92.2.2/24", "dev", "eth1"],
            ["vm", "2", "1", "ip", "route", "replace", "10.91.0.0/16", "via", "10.91.2.1", "dev", "eth0"],
            ["vm", "2", "1", "ip", "route", "replace", "10.92.0.0/16", "via", "10.92.2.1", "dev", "eth1"],
        ] {
            try must(name, command)
        }
        #expect(try pings(name, 1, 1, "10.92.1.2"))
        #expect(try pings(name, 1, 2, "10.91.1.2"))
        // Through the router, not around it: it stops forwarding, the traffic stops.
        try must(name, ["vm", "2", "1", "sysctl", "-q", "-w", "net.ipv4.ip_forward=0"])
        #expect(try staysSilent(name, 1, 1, "10.92.1.2"))
        try must(name, ["vm", "2", "1", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        #expect(try pings(name, 1, 1, "10.92.1.2"))
        // Nothing else leaks: green stays apart from both.
        #expect(try staysSilent(name, 1, 1, "10.93.1.2"))
        #expect(try staysSilent(name, 1, 3, "10.92.1.2"))
        // The red port leaves: blue's routes are no longer leaked into red.
        #expect(
            try must(name, ["detach", "2", "1", "--network", "red-leak", "--type", "ipvpn", "--ip", "10.91.2.2/24"])
                == "null")
        #expect(try staysSilent(name, 1, 1, "10.92.1.2"))
        let redTable = try must(name, ["node", "1", "ip", "route", "show", "table", "20001"])
        #expect(redTable.contains("10.91.1.2") && !redTable.contains("10.92."), "\(redTable)")
    }

    /// Where the control plane's real clients are (scripts/deps.d/server.sh).
    static let openstackCLI = "/opt/bagpipe-venvs/openstack/bin/openstack"

    @Test("Control plane: openstack CLI → bagpipe-server → bagpipe-agent → bagpipe-bgp → VMs ping (E-VPN, BGPVPN)")
    func controlPlane() throws {
        guard let name = try labUp("c", ["--nodes", "2", "--vms", "2", "--server"]) else { return }
        defer { _ = try? lab(name, ["down"]) }
        try #require(FileManager.default.isExecutableFile(atPath: Self.openstackCLI), "run scripts/install-deps")
        @discardableResult func os(_ arguments: String...) throws -> String {
            try must(name, ["openstack"] + arguments)
        }
        func port(_ network: String, _ node: Int, _ vm: Int) throws {
            let id = try os(
                "port", "create", "--network", network, "--host", "n\(node)", "p\(node)-\(vm)", "-f", "value", "-c",
                "id")
            try must(name, ["plug", "\(node)", "\(vm)", id])
        }

        // A tenant network is an E-VPN with the route target the server allocated (64512:100, the first).
        let neta = try os("network", "create", "neta", "-f", "value", "-c", "id")
        #expect(try os("network", "show", "neta", "-f", "value", "-c", "provider:segmentation_id") == "100")
        try os(
            "subnet", "create", "--network", "neta", "--subnet-range", "10.60.1.0/24", "suba", "-f", "value", "-c", "id"
        )
        try port("neta", 1, 1)
        try port("neta", 2, 1)
        #expect(try pings(name, 1, 1, "10.60.1.3"))
        let instances = try must(
            name, ["node", "1", "curl", "-s", "http://127.0.0.1:8082/looking-glass/vpns/instances"])
        #expect(instances.contains("evpn_\(neta)"), "\(instances)")

        // Two networks joined by a BGPVPN's network associations: their VMs reach each other through the IP VPN.
        for (net, node) in [("netb", 1), ("netc", 2)] {
            try os("network", "create", net, "-f", "value", "-c", "id")
            try os(
                "subnet", "create", "--network", net, "--subnet-range", "10.61.\(node).0/24", "sub\(net)", "-f",
                "value", "-c", "id")
            try port(net, node, 2)
        }
        #expect(try staysSilent(name, 1, 2, "10.61.2.2"))
        try os("bgpvpn", "create", "--route-target", "64512:300", "--name", "vpn1", "-f", "value", "-c", "id")
        try os("bgpvpn", "network", "association", "create", "vpn1", "netb", "-f", "value", "-c", "id")
        let assocC = try os("bgpvpn", "network", "association", "create", "vpn1", "netc", "-f", "value", "-c", "id")
        #expect(try pings(name, 1, 2, "10.61.2.2"))
        #expect(try pings(name, 2, 2, "10.61.1.2"))
        // Removing an association removes the reachability.
        try os("bgpvpn", "network", "association", "delete", assocC, "vpn1")
        #expect(try staysSilent(name, 1, 2, "10.61.2.2"))
        try os("bgpvpn", "network", "association", "create", "vpn1", "netc", "-f", "value", "-c", "id")
        #expect(try pings(name, 1, 2, "10.61.2.2"))

        // bagpipe-bgp restarts on node 2: its agent replays every attachment.
        try must(name, ["restart", "2"])
        #expect(try pings(name, 1, 1, "10.60.1.3"))
        #expect(try pings(name, 1, 2, "10.61.2.2"))
    }
}
