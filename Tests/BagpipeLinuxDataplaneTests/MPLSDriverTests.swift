import BGPWire
import BagpipeLinuxDataplane
import BagpipeVPN
import LinuxNetlink
import Testing

struct MPLSDriverTests {
    /// Attributes of a request body after the family header, as (type, payload).
    func attributes(_ body: [UInt8], header: Int) -> [(UInt16, [UInt8])] {
        var out: [(UInt16, [UInt8])] = []
        var i = header
        while i + 4 <= body.count {
            let length = Int(body[i]) | Int(body[i + 1]) << 8
            let type = (UInt16(body[i + 2]) | UInt16(body[i + 3]) << 8) & 0x3FFF
            out.append((type, Array(body[(i + 4)..<(i + length)])))
            i += (length + 3) & ~3
        }
        return out
    }

    @Test("the label route is AF_MPLS, label 16 bottom-of-stack, via inet, out of the port")
    func labelRoute() {
        let request = KernelRequests.mplsLabelRoute(label: 16, via: InetAddress("10.1.1.5")!, deviceIndex: 7)
        #expect(request.type == NetlinkMessageType.newRoute)
        #expect(Array(request.body.prefix(8)) == [28, 20, 0, 0, 254, 19, 0, 1])
        let attrs = attributes(request.body, header: 12)
        #expect(attrs.map(\.0) == [1, 18, 4])
        #expect(attrs[0].1 == [0x00, 0x01, 0x01, 0x00])  // 16 << 12 | S bit
        #expect(attrs[1].1 == [2, 0, 10, 1, 1, 5])  // RTA_VIA: AF_INET + address
        #expect(attrs[2].1 == [7, 0, 0, 0])
    }

    @Test("a remote prefix is an RTA_MULTIPATH route with one encap-mpls leg per PE, in the VRF table")
    func remoteRoute() throws {
        let request = try MPLSVRFPlan.remoteRoute(
            IPPrefix("10.2.0.0/16")!, id: 3,
            hops: [(label: 100, pe: IPAddress("10.0.0.12")!), (label: 200, pe: IPAddress("10.0.0.13")!)],
            mplsIndex: 2)
        #expect(Array(request.body.prefix(8)) == [2, 16, 0, 0, 0, 19, 0, 1])
        let attrs = attributes(request.body, header: 12)
        #expect(attrs.map(\.0) == [15, 1, 9])
        #expect(attrs[0].1 == [235, 3, 0, 0])  // table 1003
        let legs = attrs[2].1
        // First rtnexthop: len, flags, hops, ifindex 2; then RTA_GATEWAY, RTA_ENCAP_TYPE 1 (MPLS), RTA_ENCAP.
        let firstLength = Int(legs[0]) | Int(legs[1]) << 8
        #expect(Array(legs[4..<8]) == [2, 0, 0, 0])
        let leg = attributes(Array(legs[0..<firstLength]), header: 8)
        #expect(leg.map(\.0) == [5, 21, 22])
        #expect(leg[0].1 == [10, 0, 0, 12] && leg[1].1 == [1, 0])
        #expect(attributes(leg[2].1, header: 0).first?.1 == [0x00, 0x06, 0x41, 0x00])  // 100 << 12 | S
        #expect(legs.count > firstLength)
    }

    @Test(
        "initialize makes a VRF device with table 1000 + id and four rules; vif_plugged enslaves, adds the label route")
    func plan() throws {
        let start = try MPLSVRFPlan.initialize(id: 5)
        #expect(start.map(\.summary).first == "RTM_NEWLINK add bvrf-5 type vrf table 1005")
        #expect(start.dropFirst().map(\.type) == Array(repeating: NetlinkMessageType.newRule, count: 4))
        let plugged = try MPLSVRFPlan.vifPlugged(
            portIndex: 9, vrfIndex: 4, mac: MACAddress("52:54:00:00:00:01")!, ip: IPPrefix("10.1.1.5/32"), label: 16,
            gateway: InetPrefix("10.1.1.1/24"))
        #expect(plugged.count == 5)
        #expect(plugged.last?.summary == "RTM_NEWROUTE replace mpls 16 via 10.1.1.5 dev 9")
    }

    @Test("on a kernel without MPLS routing or VRF devices the driver refuses to start and says why")
    func refusesWithoutKernelSupport() throws {
        let lab = try NamespaceLab("m")
        defer { lab.teardown() }
        let netlink = try Netlink(namespaceNamed: lab.node(1))
        let features = KernelFeatures.probe(netlink: netlink)
        let missing = KernelFeatures(mplsRouting: false, vrfDevice: false)
        #expect(throws: LinuxDataplaneError.kernelUnsupported(driver: "IP VPN linux (MPLS)", missing: missing.missing))
        {
            _ = try LinuxMPLSIPVPNDriver(
                netlink: netlink, localAddress: IPAddress("10.0.0.11")!, mplsInterface: "lo", features: missing)
        }
        if !features.missing.isEmpty {
            #expect(throws: LinuxDataplaneError.self) {
                _ = try LinuxMPLSIPVPNDriver(
                    netlink: netlink, localAddress: IPAddress("10.0.0.11")!, mplsInterface: "lo")
            }
        }
    }
}
