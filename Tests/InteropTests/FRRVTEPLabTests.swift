import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// E-VPN over VXLAN in the dataplane, between our node and an FRR 8.4 VTEP (interop-lab.md §4.2, §7.0;
/// bagpipe-bgp.md §4.4, §5.6, §6.2).
///
/// An underlay bridge joins two nodes: `ours` runs bagpipe-bgp with the E-VPN `linux` driver, `frr` runs zebra and
/// bgpd with `advertise-all-vni` over a Linux bridge and a VXLAN device (VNI 5010, `nolearning`). They peer over
/// iBGP, as bagpipe-bgp always does (`my_as` is the peer's AS too, §7.2), and FRR's auto-derived route targets
/// (ASN:VNI) are the ones iBGP gives. One VM namespace hangs off each node; ours is attached over the REST API.
/// The VMs then ping each other: ARP crosses through the flood lists each side built from the other's type-3
/// route (ingress replication), unicast through the FDB entries each side built from the other's type-2 routes.
@Suite(
    "Interop: a VM behind our node and one behind an FRR 8.4 VTEP ping over E-VPN/VXLAN", .interopLab, .serialized,
    .timeLimit(.minutes(4)))
struct FRRVTEPLabTests {
    static let asn = 64512
    static let vni = 5010
    static let oursUnderlay = "10.0.0.1"
    static let frrUnderlay = "10.0.0.2"
    static let vmA = (mac: "02:00:00:00:0a:01", ip: "10.77.0.1")
    static let vmB = (mac: "02:00:00:00:0b:01", ip: "10.77.0.2")

    /// The namespaces and FRR's vty directory of one run.
    struct Topology {
        var fab: Netns
        var ours: Netns
        var frr: Netns
        var vmA: Netns
        var vmB: Netns
        var frrDirectory: String
    }

    @Test("attach → FRR knows VM_A, we know VM_B, pings both ways; detach → withdrawn at FRR, no ping")
    func pingThroughFRRVTEP() async throws {
        let bin = try #require(LabTests.productsDirectory, "bagpipe-bgp is not built")
        try await Lab.with("frr-vtep") { lab in
            var timings = Timings()
            let t = try await build(lab)
            try await startFRR(lab, t)
            try await startOurs(lab, t, bin: bin)
            _ = try await poll(
                "iBGP session between our node and FRR", timeout: .seconds(30), context: { lab.logTails() }
            ) {
                let summary = try await t.ours.check(curl("looking-glass/summary"))
                let state = try await frrNeighborState(t)
                return summary.contains("\"BGP_established_peers\": 1") && state == "Established" ? true : nil
            }
            timings.mark("session established")

            // Attach VM_A (bagpipe-bgp.md §6.2): the route targets FRR derives for the VNI, and the VNI itself.
            let attach = try await t.ours.check(
                curl(
                    "attach_localport",
                    """
                    {"vpn_instance_id": "net\(Self.vni)", "vpn_type": "evpn", "mac_address": "\(Self.vmA.mac)", \
                    "ip_address": "\(Self.vmA.ip)/24", "local_port": {"linuxif": "tapa"}, \
                    "import_rt": ["\(Self.asn):\(Self.vni)"], "export_rt": ["\(Self.asn):\(Self.vni)"], \
                    "vni": \(Self.vni)}
                    """))
            #expect(attach.trimmingCharacters(in: .whitespacesAndNewlines) == "null", "attach: \(attach)")

            // FRR imported our type 2 (MAC+IP) and type 3: VM_A is a remote MAC behind our VTEP, our VTEP is in its
            // flood list (head-end replication), and zebra put both in the kernel.
            _ = try await poll(
                "FRR: VM_A remote behind \(Self.oursUnderlay)", timeout: .seconds(20), context: { lab.logTails() }
            ) {
                let mac = try await frrMAC(t, Self.vmA.mac)
                let vteps = try await frrRemoteVTEPs(t)
                return mac?.string("type") == "remote" && mac?.string("remoteVtep") == Self.oursUnderlay
                    && vteps == [Self.oursUnderlay] ? true : nil
            }
            let frrFDB = try await t.frr.check(["bridge", "fdb", "show", "dev", "vx\(Self.vni)"])
            #expect(frrFDB.contains("\(Self.vmA.mac) dst \(Self.oursUnderlay) self extern_learn"), "\(frrFDB)")
            #expect(frrFDB.contains("00:00:00:00:00:00 dst \(Self.oursUnderlay) self permanent"), "\(frrFDB)")
            let frrRoutes = try await frrEVPNRouteKeys(t)
            #expect(frrRoutes.contains("[2]:[0]:[48]:[\(Self.vmA.mac)]:[32]:[\(Self.vmA.ip)]"), "\(frrRoutes)")
            #expect(frrRoutes.contains("[3]:[0]:[32]:[\(Self.oursUnderlay)]"), "\(frrRoutes)")
            timings.mark("FRR installed VM_A and our flood entry")
            // And we imported FRR's type 3 (PMSI: ingress replication to its VTEP, label = VNI): our flood entry.
            _ = try await poll("our flood entry for \(Self.frrUnderlay)", timeout: .seconds(20)) {
                let fdb = try await t.ours.check(["bridge", "fdb", "show"])
                return fdb.split(separator: "\n").contains {
                    $0.hasPrefix("00:00:00:00:00:00 dev vxlan--") && $0.contains("dst \(Self.frrUnderlay) ")
                } ? true : nil
            }
            timings.mark("we installed FRR's flood entry")

            // FRR learns local MACs from the kernel bridge: VM_B speaks first (its ARP goes through FRR's flood
            // list to us, VM_A's answer back through FRR's FDB entry).
            #expect(await pings(from: t.vmB, Self.vmA.ip, attempts: 20), "VM_B → VM_A")
            timings.mark("VM_B pings VM_A")

            // FRR's type 2 for VM_B became a remote FDB entry on our VXLAN device (learning is off there and on
            // its bridge port, so the entry can only come from the route).
            let ourEntry = try await poll("our FDB: VM_B behind \(Self.frrUnderlay)", timeout: .seconds(20)) {
                () async throws -> String? in
                let fdb = try await t.ours.check(["bridge", "fdb", "show"])
                return fdb.split(separator: "\n").first {
                    $0.hasPrefix("\(Self.vmB.mac) dev vxlan--") && $0.contains("dst \(Self.frrUnderlay) ")
                }.map(String.init)
            }
            #expect(ourEntry.contains("self"), "\(ourEntry)")
            #expect(try await frrEVPNRouteKeys(t).contains("[2]:[0]:[48]:[\(Self.vmB.mac)]"))
            #expect(await pings(from: t.vmA, Self.vmB.ip, attempts: 20), "VM_A → VM_B")
            timings.mark("VM_A pings VM_B")

            // Detach VM_A: its routes are withdrawn (type 2, and type 3 with the last endpoint), FRR forgets it,
            // and the VMs no longer reach each other.
            let detach = try await t.ours.check(
                curl(
                    "detach_localport",
                    """
                    {"vpn_instance_id": "net\(Self.vni)", "vpn_type": "evpn", "mac_address": "\(Self.vmA.mac)", \
                    "ip_address": "\(Self.vmA.ip)/24", "local_port": {"linuxif": "tapa"}}
                    """))
            #expect(detach.trimmingCharacters(in: .whitespacesAndNewlines) == "null", "detach: \(detach)")
            _ = try await poll("FRR: VM_A withdrawn", timeout: .seconds(20), context: { lab.logTails() }) {
                let routes = try await frrEVPNRouteKeys(t)
                let mac = try await frrMAC(t, Self.vmA.mac)
                let vteps = try await frrRemoteVTEPs(t)
                let gone =
                    mac == nil && vteps.isEmpty
                    && !routes.contains { $0.contains(Self.vmA.mac) || $0 == "[3]:[0]:[32]:[\(Self.oursUnderlay)]" }
                return gone ? true : nil
            }
            let frrFDBAfter = try await t.frr.check(["bridge", "fdb", "show", "dev", "vx\(Self.vni)"])
            #expect(!frrFDBAfter.contains("dst \(Self.oursUnderlay)"), "\(frrFDBAfter)")
            timings.mark("FRR withdrew VM_A")
            #expect(await !pings(from: t.vmB, Self.vmA.ip, attempts: 2), "VM_B still reaches VM_A after detach")
            #expect(await !pings(from: t.vmA, Self.vmB.ip, attempts: 2), "VM_A still reaches VM_B after detach")
            print("FRRVTEPLabTests timings: \(timings)")
        }
    }

    // MARK: - Topology

    /// The underlay bridge, the two nodes on it, the VMs, and FRR's VTEP (interop-lab.md §7.0).
    func build(_ lab: Lab) async throws -> Topology {
        let fab = try await lab.makeNamespace("fab")
        let ours = try await lab.makeNamespace("ours")
        let frr = try await lab.makeNamespace("frr")
        let vmA = try await lab.makeNamespace("vma")
        let vmB = try await lab.makeNamespace("vmb")
        let t = Topology(fab: fab, ours: ours, frr: frr, vmA: vmA, vmB: vmB, frrDirectory: try lab.subdirectory("frr"))
        try await t.fab.ip("link", "add", "br0", "type", "bridge")
        try await t.fab.ip("link", "set", "br0", "up")
        for (node, address, port) in [(t.ours, Self.oursUnderlay, "pa"), (t.frr, Self.frrUnderlay, "pb")] {
            try await Command.check([
                "ip", "link", "add", "eth0", "netns", node.name, "type", "veth", "peer", "name", port, "netns",
                t.fab.name,
            ])
            try await t.fab.ip("link", "set", port, "master", "br0", "up")
            try await node.ip("addr", "add", "\(address)/24", "dev", "eth0")
            try await node.ip("link", "set", "eth0", "up")
        }
        // The VMs: MTU 1450 leaves room for the VXLAN header on a 1500-byte underlay.
        for (node, vm, port, host) in [(t.ours, t.vmA, "tapa", Self.vmA), (t.frr, t.vmB, "tapb", Self.vmB)] {
            try await Command.check([
                "ip", "link", "add", port, "netns", node.name, "type", "veth", "peer", "name", "eth0", "netns",
                vm.name,
            ])
            try await vm.ip("link", "set", "eth0", "address", host.mac, "mtu", "1450", "up")
            try await vm.ip("addr", "add", "\(host.ip)/24", "dev", "eth0")
            try await node.ip("link", "set", port, "up")
        }
        // FRR's VTEP: a VXLAN device (no data-plane learning: FRR installs remote MACs) in a bridge with VM_B.
        let script = """
            link add vx\(Self.vni) type vxlan id \(Self.vni) local \(Self.frrUnderlay) dstport 4789 nolearning
            link add br\(Self.vni) type bridge
            link set vx\(Self.vni) master br\(Self.vni)
            link set tapb master br\(Self.vni)
            link set vx\(Self.vni) up
            link set br\(Self.vni) up

            """
        try await t.frr.check(["ip", "-batch", "-"], input: script)
        return t
    }

    /// zebra and bgpd with their own files (interop-lab.md §4.1), iBGP to our node with `advertise-all-vni`.
    func startFRR(_ lab: Lab, _ t: Topology) async throws {
        let d = t.frrDirectory
        try "hostname \(t.frr.name)\nlog file \(d)/zebra.log informational\n".write(
            toFile: "\(d)/zebra.conf", atomically: true, encoding: .utf8)
        let bgpd = """
            hostname \(t.frr.name)
            log file \(d)/bgpd.log informational
            !
            router bgp \(Self.asn)
             bgp router-id \(Self.frrUnderlay)
             no bgp default ipv4-unicast
             neighbor \(Self.oursUnderlay) remote-as \(Self.asn)
             neighbor \(Self.oursUnderlay) update-source \(Self.frrUnderlay)
             neighbor \(Self.oursUnderlay) timers connect 1
             address-family l2vpn evpn
              neighbor \(Self.oursUnderlay) activate
              advertise-all-vni
             exit-address-family
            exit

            """
        try bgpd.write(toFile: "\(d)/bgpd.conf", atomically: true, encoding: .utf8)
        try await Command.check(["chown", "-R", "frr:frr", d])
        let common = ["-z", "\(d)/zserv.api", "--vty_socket", d, "-u", "frr", "-g", "frr"]
        let zebra = lab.daemon(
            "frr-zebra", in: t.frr, ["/usr/lib/frr/zebra", "-f", "\(d)/zebra.conf", "-i", "\(d)/zebra.pid"] + common)
        try zebra.start()
        _ = try await poll(
            "zebra socket", timeout: .seconds(15), interval: .milliseconds(50), context: { lab.logTails() }
        ) {
            guard zebra.isRunning else { throw LabError.command("zebra exited: \(zebra.termination!)") }
            return FileManager.default.fileExists(atPath: "\(d)/zserv.api") ? true : nil
        }
        let bgpdDaemon = lab.daemon(
            "frr-bgpd", in: t.frr,
            ["/usr/lib/frr/bgpd", "-f", "\(d)/bgpd.conf", "-i", "\(d)/bgpd.pid", "-l", Self.frrUnderlay] + common)
        try bgpdDaemon.start()
        // zebra must have found the VNI on the VXLAN device for FRR to advertise its type 3.
        _ = try await poll("FRR's VNI \(Self.vni)", timeout: .seconds(15), context: { lab.logTails() }) {
            guard bgpdDaemon.isRunning else { throw LabError.command("bgpd exited: \(bgpdDaemon.termination!)") }
            let vni = try JSON.parse(try await vtysh(t, "show evpn vni \(Self.vni) json")) as? [String: Any]
            return vni?.string("vxlanInterface") == "vx\(Self.vni)" ? true : nil
        }
    }

    /// bagpipe-bgp with the E-VPN `linux` driver (bgp.conf as in scripts/lab), peering with FRR.
    func startOurs(_ lab: Lab, _ t: Topology, bin: String) async throws {
        let config = """
            [BGP]
            local_address = \(Self.oursUnderlay)
            peers = \(Self.frrUnderlay)
            my_as = \(Self.asn)
            enable_rtc = true
            families = evpn
            connect_retry_time = 1

            [DATAPLANE_DRIVER_EVPN]
            dataplane_driver = linux
            vxlan_dst_port = 4789

            [API]
            port = 8082

            """
        let path = "\(lab.directory)/bgp.conf"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        try lab.daemon(
            "bagpipe-bgp", in: t.ours, ["\(bin)/bagpipe-bgp", "--config-file", path, "--log-level", "info"]
        ).start()
    }

    // MARK: - Probes

    /// `curl` against our REST API (inside our node's namespace): a GET, or a POST of `json`.
    func curl(_ path: String, _ json: String? = nil) -> [String] {
        var argv = ["curl", "-s", "-m", "10"]
        if let json { argv += ["-X", "POST", "-H", "Content-Type: application/json", "-d", json] }
        return argv + ["http://127.0.0.1:8082/\(path)"]
    }

    func vtysh(_ t: Topology, _ command: String) async throws -> String {
        try await Command.check(["vtysh", "--vty_socket", t.frrDirectory, "-c", command], timeout: .seconds(15))
    }

    func frrNeighborState(_ t: Topology) async throws -> String? {
        let json = try JSON.parse(try await vtysh(t, "show bgp neighbors \(Self.oursUnderlay) json"))
        return (json as? [String: Any])?.object(Self.oursUnderlay)?.string("bgpState")
    }

    /// zebra's entry for `mac` in the VNI (`type` local/remote, `remoteVtep`), nil if it does not know it.
    func frrMAC(_ t: Topology, _ mac: String) async throws -> [String: Any]? {
        let json = try JSON.parse(try await vtysh(t, "show evpn mac vni \(Self.vni) json")) as? [String: Any]
        return json?.object("macs")?.object(mac)
    }

    /// The VNI's flood list in zebra (remote VTEPs learnt from type-3 routes). FRR 8.4 prints it as an array of
    /// addresses named `numRemoteVteps` (absent when empty).
    func frrRemoteVTEPs(_ t: Topology) async throws -> [String] {
        let json = try JSON.parse(try await vtysh(t, "show evpn vni \(Self.vni) json")) as? [String: Any]
        return (json?.array("numRemoteVteps") ?? []).compactMap { $0 as? String }
    }

    /// The prefixes of every route in FRR's EVPN table (`[2]:[0]:[48]:[mac]:[32]:[ip]`, `[3]:[0]:[32]:[ip]`).
    func frrEVPNRouteKeys(_ t: Topology) async throws -> Set<String> {
        let json = try JSON.parse(try await vtysh(t, "show bgp l2vpn evpn route json")) as? [String: Any] ?? [:]
        var keys: Set<String> = []
        for case let table as [String: Any] in json.values {
            for (key, value) in table where value is [String: Any] { keys.insert(key) }
        }
        return keys
    }

    /// Whether one of `attempts` single pings from `vm` is answered.
    func pings(from vm: Netns, _ address: String, attempts: Int) async -> Bool {
        for attempt in 0..<attempts {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(250)) }
            let result = try? await vm.run(["ping", "-c", "1", "-W", "1", address])
            if result?.succeeded == true { return true }
        }
        return false
    }

    /// Elapsed times of the steps of one run, for the report.
    struct Timings: CustomStringConvertible {
        private let start = ContinuousClock.now
        private var marks: [(step: String, at: Duration)] = []

        mutating func mark(_ step: String) { marks.append((step, ContinuousClock.now - start)) }

        var description: String {
            marks.map { mark in
                let seconds = Double(mark.at.components.seconds) + Double(mark.at.components.attoseconds) / 1e18
                return "\(mark.step) at \(String(format: "%.2f", seconds)) s"
            }
            .joined(separator: "; ")
        }
    }
}
