import LinuxNetlink
import Testing

/// RTM_GETNETCONF: the request's bytes, and the forwarding switch read through a socket in another namespace
/// (not the test process's own /proc/sys), before and after `sysctl` turns it on there.
@Suite struct NetconfTests {
    @Test("RTM_GETNETCONF for all devices: netconfmsg padded to 4, then NETCONFA_IFINDEX -1")
    func requestBytes() {
        let request = NetconfRequest.get(family: AddressFamily.inet6)
        #expect(request.type == NetlinkMessageType.getNetconf)
        #expect(request.body == [10, 0, 0, 0, 8, 0, 1, 0, 0xff, 0xff, 0xff, 0xff])
    }

    @Test("A reply without NETCONFA_FORWARDING decodes with forwarding unknown; a short one is an error")
    func decoding() throws {
        let header = NetlinkMessageHeader(length: 0, type: NetlinkMessageType.newNetconf, flags: [], sequence: 1)
        let on = try Netconf(
            decoding: NetlinkMessage(
                header: header, payload: [10, 0, 0, 0, 8, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 8, 0, 2, 0, 1, 0, 0, 0]))
        #expect(on == Netconf(family: 10, deviceIndex: Netconf.allDevices, forwarding: true))
        let unknown = try Netconf(decoding: NetlinkMessage(header: header, payload: [2, 0, 0, 0]))
        #expect(unknown.forwarding == nil)
        #expect(throws: NetlinkDecodingError.self) {
            try Netconf(decoding: NetlinkMessage(header: header, payload: []))
        }
    }

    @Test(.enabled(if: canManageNamespaces, "needs root and iproute2"))
    func forwardingOfAnotherNamespace() throws {
        let node = try TestNamespace("netconf")
        let netlink = try node.netlink()
        #expect(try netlink.forwarding(family: AddressFamily.inet6) == false)
        #expect(node.exec(["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"]).status == 0)
        #expect(try netlink.forwarding(family: AddressFamily.inet6) == true)
        #expect(try netlink.forwarding(family: AddressFamily.inet) == false)
    }
}
