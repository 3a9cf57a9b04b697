import LinuxNetlink
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Programs a real kernel inside network namespaces these tests create (unique names with the PID) and delete,
/// then checks the result both with our dumps and with `bridge`/`ip`, as an operator would.
@Suite(.enabled(if: canManageNamespaces, "needs root and iproute2"))
struct NamespaceTests {
    static func mac(_ index: Int, prefix: UInt8 = 0x52) -> EthernetAddress {
        EthernetAddress(bytes: [
            prefix, 0x54, 0, UInt8(index >> 16 & 0xff), UInt8(index >> 8 & 0xff), UInt8(index & 0xff),
        ])!
    }

    static func ip(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> InetAddress {
        .v4([UInt8(a), UInt8(b), UInt8(c), UInt8(d)])
    }

    /// The NetlinkError `body` threw, or nil.
    static func thrown(_ body: () throws -> Void) -> NetlinkError? {
        do {
            try body()
            return nil
        } catch {
            return error as? NetlinkError
        }
    }

    /// `bridge fdb show dev X` lines with a dst: "52:54:00:00:00:01 dst 10.0.1.1 vni 1010 self permanent".
    static func toolFDB(_ namespace: TestNamespace, device: String) -> Set<String> {
        let output = namespace.exec(["bridge", "fdb", "show", "dev", device]).output
        return Set(
            output.split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ")
                guard let dst = words.firstIndex(of: "dst") else { return nil }
                return "\(words[0]) \(words[dst + 1])"
            })
    }

    /// `ip neigh show dev X`: "192.168.0.1 lladdr 52:54:00:00:00:01 PERMANENT".
    static func toolNeighbors(_ namespace: TestNamespace, device: String) -> Set<String> {
        let output = namespace.exec(["ip", "neigh", "show", "dev", device]).output
        return Set(
            output.split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ")
                guard words.count >= 4, words[1] == "lladdr", words.last == "PERMANENT" else { return nil }
                return "\(words[0]) \(words[2])"
            })
    }

    @Test func vxlanBridgeWithThousandFDBEntriesAndNeighbors() throws {
        let namespace = try TestNamespace("l2")
        let netlink = try namespace.netlink()
        let bridge = try netlink.links.ensureBridge(named: "evpn---nl")
        let options = VXLANOptions(vni: 1010, local: Self.ip(10, 0, 0, 11), port: 4789, learning: false, proxy: true)
        let vxlan = try netlink.links.ensureVXLAN(named: "vxlan--nl", options, masterIndex: bridge.index)
        #expect(vxlan.masterIndex == bridge.index)
        #expect(vxlan.isUp && bridge.isUp)
        #expect(vxlan.vxlan == options)
        if case .bridge(let forwardDelay, let stp) = bridge.kind {
            #expect(forwardDelay == 0)
            #expect(stp == false)
        } else {
            Issue.record("not a bridge: \(bridge.kind)")
        }
        // Idempotent: the same device comes back; a different VNI re-creates it.
        #expect(
            try netlink.links.ensureVXLAN(named: "vxlan--nl", options, masterIndex: bridge.index).index == vxlan.index)
        #expect(throws: NetlinkError.linkConflict(name: "evpn---nl", reason: "exists with kind bridge, not vxlan")) {
            try netlink.links.ensureVXLAN(named: "evpn---nl", options)
        }
        #expect(try netlink.links.link(.name("no-such-link")) == nil)
        try netlink.links.setBridgePort(index: vxlan.index, learning: false, neighborSuppression: true)
        #expect(
            namespace.exec(["bridge", "-d", "link", "show", "dev", "vxlan--nl"]).output.contains("neigh_suppress on"))

        let count = 1000
        let entries = (0..<count).map {
            FDBEntry(
                mac: Self.mac($0), deviceIndex: vxlan.index, destination: Self.ip(10, 0, 1 + $0 / 250, 1 + $0 % 250),
                vni: 1010)
        }
        let flood = (1...3).map { FDBEntry(mac: .zero, deviceIndex: vxlan.index, destination: Self.ip(10, 0, 9, $0)) }
        let neighbors = (0..<count).map {
            Neighbor(address: Self.ip(192, 168, $0 / 250, 1 + $0 % 250), mac: Self.mac($0), deviceIndex: vxlan.index)
        }
        try netlink.fdb.apply(entries.map { .replace($0) } + flood.map { .append($0) })
        try netlink.neighbors.apply(neighbors.map { .replace($0) })
        let neighbors6 = (1...10).map {
            Neighbor(address: InetAddress("2001:db8::\($0)")!, mac: Self.mac($0), deviceIndex: vxlan.index)
        }
        try netlink.neighbors.apply(neighbors6.map { .replace($0) })
        #expect(
            Set(
                try netlink.neighbors.entries(family: AddressFamily.inet6, deviceIndex: vxlan.index).filter {
                    $0.state == .permanent
                }) == Set(neighbors6)
        )
        try netlink.neighbors.apply(neighbors6.map { .delete($0) })
        #expect(
            try netlink.neighbors.entries(family: AddressFamily.inet6, deviceIndex: vxlan.index).filter {
                $0.state == .permanent
            }.isEmpty)

        // Our dump.
        let dumped = try netlink.fdb.entries(deviceIndex: vxlan.index).filter { $0.destination != nil }
        #expect(dumped.count == count + flood.count)
        let expected = Set(
            entries.map { "\($0.mac) \($0.destination!)" } + flood.map { "\($0.mac) \($0.destination!)" })
        #expect(Set(dumped.map { "\($0.mac) \($0.destination!)" }) == expected)
        #expect(
            dumped.filter { $0.mac != .zero }.allSatisfy {
                $0.flags.contains(.deviceTable) && $0.state.contains(.permanent)
            })
        let dumpedNeighbors = try netlink.neighbors.entries(deviceIndex: vxlan.index)
        #expect(Set(dumpedNeighbors) == Set(neighbors))
        // The operator's view.
        #expect(Self.toolFDB(namespace, device: "vxlan--nl") == expected)
        #expect(Self.toolNeighbors(namespace, device: "vxlan--nl") == Set(neighbors.map { "\($0.address) \($0.mac!)" }))

        // replace moves a MAC to another VTEP (one entry, not two); fdb del with a dst removes one flood entry.
        var moved = entries[0]
        moved.destination = Self.ip(10, 0, 8, 8)
        try netlink.fdb.apply([.replace(moved), .delete(flood[1])])
        let afterMove = try netlink.fdb.entries(deviceIndex: vxlan.index)
        #expect(afterMove.filter { $0.mac == moved.mac }.map(\.destination) == [moved.destination])
        #expect(
            Set(afterMove.filter { $0.mac == .zero }.compactMap(\.destination)) == [
                flood[0].destination!, flood[2].destination!,
            ])

        // Delete everything; nothing of ours is left, by either view.
        try netlink.neighbors.apply(neighbors.map { .delete($0) })
        try netlink.fdb.apply(([moved] + entries.dropFirst() + [flood[0], flood[2]]).map { .delete($0) })
        #expect(try netlink.fdb.entries(deviceIndex: vxlan.index).filter { $0.destination != nil }.isEmpty)
        #expect(try netlink.neighbors.entries(deviceIndex: vxlan.index).filter { $0.state == .permanent }.isEmpty)
        #expect(Self.toolFDB(namespace, device: "vxlan--nl").isEmpty)
        #expect(Self.toolNeighbors(namespace, device: "vxlan--nl").isEmpty)

        // A VNI change re-creates the device; delete leaves nothing.
        var other = options
        other.vni = 2020
        let recreated = try netlink.links.ensureVXLAN(named: "vxlan--nl", other)
        #expect(recreated.vxlan?.vni == 2020)
        #expect(try netlink.links.deleteIfPresent(.name("vxlan--nl")))
        #expect(try !netlink.links.deleteIfPresent(.name("vxlan--nl")))
    }

    @Test func routesWithECMPAndRules() throws {
        let namespace = try TestNamespace("l3")
        let netlink = try namespace.netlink()
        // The L3 overlay of interop-lab §7.3: a VXLAN device, onlink next hops, a per-VPN table and iif rules.
        let vx = try netlink.links.ensureVXLAN(named: "vx3000", VXLANOptions(vni: 3000, local: Self.ip(10, 0, 0, 11)))
        let port = try netlink.links.ensureBridge(named: "rtap1")
        try netlink.addresses.apply([
            .add(
                InterfaceAddress(prefix: InetPrefix("192.168.31.254/24")!, deviceIndex: port.index, noPrefixRoute: true)
            )
        ])
        #expect(
            try netlink.addresses.addresses(family: AddressFamily.inet, deviceIndex: port.index).map(\.prefix) == [
                InetPrefix("192.168.31.254/24")!
            ])
        let table: UInt32 = 3000
        let count = 500
        let routes = (0..<count).map {
            Route(
                destination: InetPrefix(address: Self.ip(172, 16 + $0 / 256, $0 % 256, 0), length: 24)!, table: table,
                protocol: RouteProtocol.bagpipe,
                nextHops: [NextHop(gateway: Self.ip(10, 0, 0, 12 + $0 % 3), deviceIndex: vx.index, onLink: true)])
        }
        let ecmp = Route(
            destination: InetPrefix("192.168.32.0/24")!, table: table, protocol: RouteProtocol.bagpipe,
            nextHops: [
                NextHop(gateway: Self.ip(10, 0, 0, 12), deviceIndex: vx.index, onLink: true),
                NextHop(gateway: Self.ip(10, 0, 0, 13), deviceIndex: vx.index, weight: 3, onLink: true),
            ])
        let unreachable = Route(
            destination: .defaultV4, table: table, type: .unreachable, protocol: RouteProtocol.bagpipe)
        let blackhole = Route(
            destination: InetPrefix("10.66.0.0/16")!, table: table, type: .blackhole, protocol: RouteProtocol.bagpipe)
        let connected = Route(
            destination: InetPrefix("192.168.31.0/24")!, table: table, protocol: RouteProtocol.bagpipe,
            nextHops: [NextHop(gateway: nil, deviceIndex: port.index)])
        let local = Route(
            destination: InetPrefix("192.168.31.253/32")!, table: table, type: .local, protocol: RouteProtocol.bagpipe,
            nextHops: [NextHop(gateway: nil, deviceIndex: port.index)])
        try netlink.routes.apply((routes + [ecmp, unreachable, blackhole, connected, local]).map { .add($0) })
        try netlink.rules.add([
            Rule(priority: 3000, table: table, inputInterface: "rtap1"),
            Rule(priority: 3001, table: table, inputInterface: "vx3000"),
        ])

        var dumped = try netlink.routes.routes(table: table)
        #expect(dumped.count == count + 5)
        let dumpedLocal = dumped.first { $0.destination == local.destination }
        #expect(dumpedLocal?.type == .local)
        #expect(dumpedLocal?.scope == .host)
        #expect(dumped.allSatisfy { $0.protocol == RouteProtocol.bagpipe })
        let dumpedECMP = try #require(dumped.first { $0.destination == ecmp.destination })
        #expect(dumpedECMP.nextHops == ecmp.nextHops)
        #expect(dumped.first { $0.destination == .defaultV4 }?.type == .unreachable)
        #expect(dumped.first { $0.destination == blackhole.destination }?.type == .blackhole)
        #expect(dumped.first { $0.destination == connected.destination }?.scope == .link)
        let tool = namespace.exec(["ip", "route", "show", "table", "3000"]).output
        #expect(tool.split(separator: "\n").filter { $0.hasPrefix("172.") }.count == count)
        #expect(tool.contains("192.168.32.0/24 proto 19"))
        #expect(tool.contains("nexthop via 10.0.0.13 dev vx3000 weight 3 onlink"))
        #expect(tool.contains("unreachable default proto 19"))
        let rules = try netlink.rules.rules()
        #expect(rules.contains(Rule(priority: 3000, table: table, inputInterface: "rtap1")))
        #expect(rules.contains(Rule(priority: 3001, table: table, inputInterface: "vx3000")))
        #expect(namespace.exec(["ip", "rule", "show"]).output.contains("3001:\tfrom all iif vx3000 lookup 3000"))

        // Replace the ECMP route with three legs, then flush the table by protocol.
        var wider = ecmp
        wider.nextHops.append(NextHop(gateway: Self.ip(10, 0, 0, 14), deviceIndex: vx.index, onLink: true))
        try netlink.routes.apply([.replace(wider)])
        dumped = try netlink.routes.routes(table: table)
        #expect(dumped.first { $0.destination == ecmp.destination }?.nextHops.count == 3)
        #expect(try netlink.routes.flush(table: table, protocol: RouteProtocol.bagpipe) == count + 5)
        #expect(try netlink.routes.routes(table: table).isEmpty)
        #expect(namespace.exec(["ip", "route", "show", "table", "3000"]).output.isEmpty)
        try netlink.rules.delete([
            Rule(priority: 3000, table: table, inputInterface: "rtap1"),
            Rule(priority: 3001, table: table, inputInterface: "vx3000"),
        ])
        #expect(try netlink.rules.rules().filter { $0.table == table }.isEmpty)
        try netlink.addresses.apply([
            .delete(InterfaceAddress(prefix: InetPrefix("192.168.31.254/24")!, deviceIndex: port.index))
        ])
        #expect(try netlink.addresses.addresses(family: AddressFamily.inet, deviceIndex: port.index).isEmpty)
    }

    @Test func errorsNameTheFailedRequestAndBatchesApplyTheRest() throws {
        let namespace = try TestNamespace("err")
        let netlink = try namespace.netlink()
        let vx = try netlink.links.ensureVXLAN(named: "vx-err", VXLANOptions(vni: 77))
        let missing = FDBEntry(mac: Self.mac(1), deviceIndex: vx.index, destination: Self.ip(10, 0, 0, 2), vni: 77)
        if case .request(let error)? = Self.thrown({ try netlink.fdb.apply([.delete(missing)]) }) {
            #expect(error.errno == ENOENT)
            #expect(error.index == 0)
            #expect(error.request == "RTM_DELNEIGH fdb 52:54:00:00:00:01 dev \(vx.index) dst 10.0.0.2 vni 77 self")
            #expect(error.description.hasPrefix("RTM_DELNEIGH fdb 52:54:00:00:00:01"))
            #expect(error.description.contains("ENOENT"))
        } else {
            Issue.record("deleting a missing entry did not fail with .request")
        }
        let route = Route(
            destination: InetPrefix("10.1.0.0/16")!, table: 10,
            nextHops: [NextHop(gateway: Self.ip(10, 0, 0, 2), deviceIndex: vx.index, onLink: true)])
        #expect(throws: NetlinkError.self) { try netlink.routes.apply([.delete(route)]) }

        // Ten routes, the fifth through a device that does not exist: exactly that one is reported.
        var batch = (0..<10).map {
            Route(
                destination: InetPrefix(address: Self.ip(10, 50, $0, 0), length: 24)!, table: 10,
                nextHops: [NextHop(gateway: Self.ip(10, 0, 0, 2), deviceIndex: vx.index, onLink: true)])
        }
        batch[4].nextHops[0].deviceIndex = 9999
        if case .batch(let failures, let total)? = Self.thrown({ try netlink.routes.apply(batch.map { .add($0) }) }) {
            #expect(total == 10)
            #expect(failures.map(\.index) == [4])
            #expect(failures.first?.errno == ENODEV)
            #expect(failures.first?.request.contains("10.50.4.0/24") == true)
        } else {
            Issue.record("a batch with a bad route did not fail with .batch")
        }
        let installed = try netlink.routes.routes(table: 10).map(\.destination)
        #expect(Set(installed) == Set(batch.enumerated().filter { $0.offset != 4 }.map(\.element.destination)))
        // add of an existing route: EEXIST, with the kernel's extended-ack text when it gives one.
        #expect(Self.thrown({ try netlink.routes.apply([.add(batch[0])]) })?.requestErrno == EEXIST)
        // Many chunks (a small receive buffer allows 64 requests per send): failures still map to their index.
        let small = try NetlinkSocket(namespace: namespace.namespace, socketReceiveBuffer: 64 * 1024)
        var many = (0..<2_500).map {
            Route(
                destination: InetPrefix(address: Self.ip(10, 60 + $0 / 256, $0 % 256, 0), length: 24)!, table: 11,
                nextHops: [NextHop(gateway: Self.ip(10, 0, 0, 2), deviceIndex: vx.index, onLink: true)])
        }
        many[2_000].nextHops[0].deviceIndex = 9999
        many[77].nextHops[0].deviceIndex = 9998
        let manyFailures = try small.executeBatch(many.map { RouteRequest.route(.add, $0) })
        #expect(manyFailures.map(\.index) == [77, 2_000])
        #expect(try RouteOps(socket: small).routes(table: 11).count == 2_498)
        // A bad batch through the raw socket API returns the failures instead of throwing.
        let failures = try netlink.socket.executeBatch([
            RouteRequest.route(.replace, batch[1]), NeighborRequest.deleteFDB(missing),
            RouteRequest.route(.replace, batch[2]),
        ])
        #expect(failures.map(\.index) == [1])
        #expect(failures.map(\.errno) == [ENOENT])
    }

    @Test func vethPairAcrossNamespacesAndLinkChanges() throws {
        let host = try TestNamespace("host")
        let vm = try TestNamespace("vm")
        let netlink = try host.netlink()
        try netlink.links.createVethPair(name: "tap-vm1", peerName: "eth0", peerNamespace: vm.namespace)
        let inside = try vm.netlink()
        let peer = try #require(try inside.links.link(.name("eth0")))
        if case .veth = peer.kind {} else { Issue.record("peer is \(peer.kind)") }
        try inside.links.set(
            .index(peer.index), LinkChanges(up: true, mtu: 1450, address: EthernetAddress("52:54:00:00:01:01")))
        let changed = try #require(try inside.links.link(.index(peer.index)))
        #expect(changed.mtu == 1450 && changed.isUp)
        #expect(changed.address == EthernetAddress("52:54:00:00:01:01"))

        let bridge = try netlink.links.ensureBridge(named: "br1010")
        let tap = try netlink.links.index(of: "tap-vm1")
        try netlink.links.enslave(.index(tap), toMaster: bridge.index)
        try netlink.links.setUp(.index(tap), true)
        #expect(try netlink.links.ports(ofMaster: bridge.index).map(\.name) == ["tap-vm1"])
        // A local VM MAC pinned in the bridge's FDB on its port (vif_plugged, bagpipe §5.6).
        let vmMAC = try #require(EthernetAddress("52:54:00:00:01:01"))
        try netlink.fdb.apply([.replace(.local(mac: vmMAC, portIndex: tap))])
        let local = try netlink.fdb.entries(deviceIndex: tap).filter { $0.mac == vmMAC }
        #expect(local.count == 1)
        // The bridge reports its own entries with NDA_MASTER, not NTF_MASTER.
        #expect(local.first?.masterIndex == bridge.index)
        #expect(
            host.exec(["bridge", "fdb", "show", "dev", "tap-vm1"]).output.contains(
                "52:54:00:00:01:01 master br1010 static"))
        try netlink.fdb.apply([.delete(.local(mac: vmMAC, portIndex: tap))])
        #expect(try netlink.fdb.entries(deviceIndex: tap).filter { $0.mac == vmMAC }.isEmpty)
        try netlink.links.release(.index(tap))
        #expect(try netlink.links.ports(ofMaster: bridge.index).isEmpty)
        // Move a link into the other namespace by fd, under a new name.
        try netlink.links.set(.name("tap-vm1"), LinkChanges(namespace: vm.namespace, newName: "tap-moved"))
        #expect(try netlink.links.link(.name("tap-vm1")) == nil)
        #expect(try inside.links.list().map(\.name).contains("tap-moved"))
        #expect(throws: NetlinkError.linkNotFound("tap-vm1")) { try netlink.links.index(of: "tap-vm1") }
    }
}
