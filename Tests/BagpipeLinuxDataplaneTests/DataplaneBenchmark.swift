import BGPWire
import BagpipeLinuxDataplane
import BagpipeVPN
import Foundation
import LinuxNetlink
import Testing

/// `DATAPLANE_BENCH=1 scripts/dataplane-test --release --filter DataplaneBenchmark`: 10,000 (or
/// DATAPLANE_BENCH_COUNT) remote MACs installed through `apply`, one call per MAC as the manager emits them.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DATAPLANE_BENCH"] == "1"))
struct DataplaneBenchmark {
    @Test("E-VPN linux driver: N setupRemoteEndpoint calls, immediate and deferred")
    func remoteMACs() throws {
        let count = Int(ProcessInfo.processInfo.environment["DATAPLANE_BENCH_COUNT"] ?? "") ?? 10_000
        let lab = try NamespaceLab("b")
        defer { lab.teardown() }
        let netlink = try Netlink(namespaceNamed: lab.node(1))
        for deferred in [false, true] {
            let driver = LinuxEVPNDriver(netlink: netlink, localAddress: IPAddress("10.0.0.11")!)
            driver.deferEntries = deferred
            let evi = DataplaneInstance(type: .evpn, id: 1, name: "EVI-1", externalID: "b", label: 5000)
            try driver.apply(.initialize(evi), instance: evi)
            let calls = (0..<count).map { i in
                DataplaneCall.setupRemoteEndpoint(
                    RemoteEndpoint(
                        destination: .mac(
                            MACAddress(0x5254_0000_0000 | UInt64(i)),
                            ip: .v4(IPv4Address(0x0A80_0000 | UInt32(i)))),
                        nextHop: .v4(IPv4Address(10, 0, 0, UInt8(20 + i % 200))), label: 5000, encapsulations: [.vxlan])
                )
            }
            let clock = ContinuousClock()
            let elapsed = try clock.measure {
                for call in calls { try driver.apply(call, instance: evi) }
                try driver.flush()
            }
            let index = try netlink.links.index(of: "vxlan--1")
            #expect(try netlink.fdb.entries(deviceIndex: index).filter { $0.destination != nil }.count == count)
            #expect(
                try netlink.neighbors.entries(deviceIndex: netlink.links.index(of: "evpn---1")).filter {
                    $0.state.contains(.permanent)
                }.count == count)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "dataplane-bench | \(deferred ? "deferred (batched)" : "immediate (one request pair per call)") | "
                    + "\(count) MAC+IP routes | \(String(format: "%.3f", seconds)) s | "
                    + "\(Int(Double(count) / seconds))/s |")
            try driver.apply(.cleanup, instance: evi)
        }
    }
}
