import LinuxNetlink
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Programming cost, ours vs the original's one process per entry vs iproute2's batch mode. Runs only with
/// NETLINK_BENCH=1 (scripts/netlink-bench builds in release and sets it); prints a table for docs/netlink.md.
/// It still checks that each method really installed every entry.
@Suite(.enabled(if: canManageNamespaces && getenv("NETLINK_BENCH") != nil, "set NETLINK_BENCH=1 (root)"))
struct NetlinkBenchmark {
    static var count: Int { getenv("NETLINK_BENCH_COUNT").flatMap { Int(String(cString: $0)) } ?? 10_000 }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        var start = timespec()
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        try body()
        clock_gettime(CLOCK_MONOTONIC, &end)
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }

    /// Seconds with 3 decimals, without Foundation.
    static func format(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func mac(_ index: Int) -> EthernetAddress { NamespaceTests.mac(index, prefix: 0x02) }
    static func vtep(_ index: Int) -> InetAddress { .v4([10, 1, UInt8(index / 250 % 250), UInt8(1 + index % 250)]) }
    static func prefix(_ index: Int) -> InetPrefix {
        InetPrefix(
            address: .v4([172, UInt8(16 + index / 65536), UInt8(index / 256 % 256), UInt8(index % 256)]), length: 32)!
    }

    @Test func fdbAndRoutes() throws {
        let count = Self.count
        let namespace = try TestNamespace("bench")
        let netlink = try namespace.netlink()
        let table: UInt32 = 4000
        var rows: [(String, Double, Double)] = []

        func freshVXLAN() throws -> Int32 {
            _ = try netlink.links.deleteIfPresent(.name("vxbench"))
            return try netlink.links.ensureVXLAN(named: "vxbench", VXLANOptions(vni: 4000, local: .v4([10, 0, 0, 1])))
                .index
        }
        func installedFDB(_ index: Int32) throws -> Int {
            try netlink.fdb.entries(deviceIndex: index).filter { $0.destination != nil }.count
        }
        func installedRoutes() throws -> Int { try netlink.routes.routes(table: table).count }
        func routeText(_ index: Int) -> String {
            "\(Self.prefix(index).address) via 10.0.0.2 dev vxbench onlink table \(table)"
        }

        // 1. netlink batches.
        var vx = try freshVXLAN()
        let fdbChanges: [NetlinkChange<FDBEntry>] = (0..<count).map {
            .replace(FDBEntry(mac: Self.mac($0), deviceIndex: vx, destination: Self.vtep($0), vni: 4000))
        }
        let fdbTime = try Self.seconds { try netlink.fdb.apply(fdbChanges) }
        #expect(try installedFDB(vx) == count)
        let routeChanges: [NetlinkChange<Route>] = (0..<count).map {
            .add(
                Route(
                    destination: Self.prefix($0), table: table,
                    nextHops: [NextHop(gateway: .v4([10, 0, 0, 2]), deviceIndex: vx, onLink: true)]))
        }
        let routeTime = try Self.seconds { try netlink.routes.apply(routeChanges) }
        #expect(try installedRoutes() == count)
        rows.append(("LinuxNetlink batch (this library)", fdbTime, routeTime))

        // 2. iproute2 batch mode: one process reading every command on stdin.
        vx = try freshVXLAN()
        _ = try netlink.routes.flush(table: table)
        let fdbBatch = (0..<count).map {
            "fdb replace \(Self.mac($0)) dev vxbench dst \(Self.vtep($0)) vni 4000 self permanent\n"
        }.joined()
        let routeBatch = (0..<count).map { "route add \(routeText($0))\n" }.joined()
        let bridgeBatch = Self.seconds {
            #expect(Subprocess.run(["bridge", "-n", namespace.name, "-batch", "-"], input: fdbBatch).status == 0)
        }
        let ipBatch = Self.seconds {
            #expect(Subprocess.run(["ip", "-n", namespace.name, "-batch", "-"], input: routeBatch).status == 0)
        }
        #expect(try installedFDB(vx) == count)
        #expect(try installedRoutes() == count)
        rows.append(("`bridge -batch` / `ip -batch` (one process)", bridgeBatch, ipBatch))

        // 3. One process per entry, as the original driver (without its sudo/rootwrap and shell on top).
        vx = try freshVXLAN()
        _ = try netlink.routes.flush(table: table)
        let perEntryFDB = Self.seconds {
            for index in 0..<count {
                let words = [
                    "bridge", "-n", namespace.name, "fdb", "replace", "\(Self.mac(index))", "dev", "vxbench", "dst",
                    "\(Self.vtep(index))", "vni", "4000", "self", "permanent",
                ]
                if Subprocess.run(words, captureOutput: false).status != 0 { Issue.record("bridge fdb replace failed") }
            }
        }
        let perEntryRoute = Self.seconds {
            for index in 0..<count {
                let words =
                    ["ip", "-n", namespace.name, "route", "add"]
                    + routeText(index).split(separator: " ").map(String.init)
                if Subprocess.run(words, captureOutput: false).status != 0 { Issue.record("ip route add failed") }
            }
        }
        #expect(try installedFDB(vx) == count)
        #expect(try installedRoutes() == count)
        rows.append(("one `bridge`/`ip` process per entry (the original's way)", perEntryFDB, perEntryRoute))

        // Dumps, for reconcile-at-start-up cost.
        var dumpFDB = 0.0
        var dumpRoutes = 0.0
        dumpFDB = try Self.seconds { _ = try netlink.fdb.entries(deviceIndex: vx) }
        dumpRoutes = try Self.seconds { _ = try netlink.routes.routes(table: table) }

        print("netlink-bench: \(count) entries each")
        print("| method | \(count) FDB entries (VXLAN, replace) | \(count) routes (add, onlink) |")
        print("|---|---|---|")
        for (name, fdb, route) in rows {
            print(
                "| \(name) | \(Self.format(fdb)) s (\(Int(Double(count) / fdb))/s) | \(Self.format(route)) s (\(Int(Double(count) / route))/s) |"
            )
        }
        print("| dump of all \(count) (decode included) | \(Self.format(dumpFDB)) s | \(Self.format(dumpRoutes)) s |")
    }
}
