import LinuxNetlink
import Testing

/// Bytes iproute2 6.1.0 sent for the same operations on this project's Debian 12 machine (kernel 6.18), captured
/// with `strace -e sendmsg -xx ip ...` / `bridge ...`. Each case compares our request's type, flags and body
/// (everything after the nlmsghdr, whose sequence number differs) with the capture.
struct GoldenTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.filter(\.isHexDigit)
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// iproute2 always sets NLM_F_REQUEST|NLM_F_ACK; the socket adds those to ours.
    func expect(
        _ request: NetlinkRequest, type: UInt16, flags: UInt16, body: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(request.type == type, sourceLocation: sourceLocation)
        let message = request.message(sequence: 7)
        #expect(message.header.flags.rawValue == flags | 0x5, sourceLocation: sourceLocation)
        #expect(request.body == Self.hex(body), "\(request.summary)", sourceLocation: sourceLocation)
        // And the full encoding carries the header the capture had.
        let encoded = request.encoded(sequence: 7)
        #expect(encoded.count == 16 + Self.hex(body).count, sourceLocation: sourceLocation)
    }

    @Test func bridgeCreate() throws {
        // ip link add br0 type bridge forward_delay 0 stp_state 0
        expect(
            try LinkRequest.create(name: "br0", kind: .bridge()), type: 16, flags: 0x600,
            body: """
                00000000 00000000 00000000 00000000 08000300 62723000 24001200 0a000100 62726964 67650000
                14000200 08000100 00000000 08000500 00000000
                """)
    }

    @Test func vxlanCreate() throws {
        // ip link add vx0 type vxlan id 1010 local 10.0.0.11 dstport 4789 nolearning proxy
        let options = VXLANOptions(vni: 1010, local: InetAddress("10.0.0.11"), port: 4789, learning: false, proxy: true)
        expect(
            try LinkRequest.create(name: "vx0", kind: .vxlan(options)), type: 16, flags: 0x600,
            body: """
                00000000 00000000 00000000 00000000 08000300 76783000 3c001200 09000100 7678 6c61 6e000000
                2c000200 05000b00 01000000 08000100 f2030000 08000400 0a00000b 05000700 00000000 06000f00 12b50000
                """)
    }

    @Test func linkSet() throws {
        // ip link set vx0 master br0 / up / nomaster / mtu 1450 address 02:00:00:00:00:01 down / link del
        expect(
            try LinkRequest.set(.index(3), LinkChanges(master: .some(2))), type: 16, flags: 0,
            body: "00000000 03000000 00000000 00000000 08000a00 02000000")
        expect(
            try LinkRequest.set(.index(3), LinkChanges(up: true)), type: 16, flags: 0,
            body: "00000000 03000000 01000000 01000000")
        expect(
            try LinkRequest.set(.index(4), LinkChanges(master: .some(nil))), type: 16, flags: 0,
            body: "00000000 04000000 00000000 00000000 08000a00 00000000")
        expect(
            try LinkRequest.set(
                .index(4), LinkChanges(up: false, mtu: 1450, address: EthernetAddress("02:00:00:00:00:01"))),
            type: 16, flags: 0,
            body: "00000000 04000000 00000000 01000000 08000400 aa050000 0a000100 02000000 00010000")
        expect(LinkRequest.delete(.index(3)), type: 17, flags: 0, body: "00000000 03000000 00000000 00000000")
    }

    @Test func bridgePortOptions() {
        // bridge link set dev vx0 neigh_suppress on learning off
        expect(
            LinkRequest.setBridgePort(index: 3, learning: false, neighborSuppression: true), type: 19, flags: 0,
            body: "07000000 03000000 00000000 00000000 14000c80 05000800 00000000 05002000 01000000")
    }

    @Test func vethWithPeerInNamespace() throws {
        // ip link add ve0 type veth peer name eth0 netns <ns>; the capture's fd was 4, ours is whatever open gave.
        let namespace = try NetworkNamespace(path: "/proc/self/ns/net")
        let fd = UInt32(namespace.fileDescriptor)
        let fdHex = [fd, fd >> 8, fd >> 16, fd >> 24].map { String(UInt8(truncatingIfNeeded: $0), radix: 16) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        expect(
            try LinkRequest.create(name: "ve0", kind: .veth(peerName: "eth0", peerNamespace: namespace)), type: 16,
            flags: 0x600,
            body: """
                00000000 00000000 00000000 00000000 08000300 76653000 38001200 08000100 76657468 2c000200
                28000100 00000000 00000000 00000000 00000000 08001c00 \(fdHex) 09000300 65746830 00000000
                """)
    }

    @Test func fdb() throws {
        let mac = try #require(EthernetAddress("52:54:00:00:02:01"))
        let vtep = InetAddress("10.0.0.12")
        // bridge fdb replace 52:54:00:00:02:01 dev vx0 dst 10.0.0.12 vni 1010 self permanent
        expect(
            NeighborRequest.fdb(.replace, FDBEntry(mac: mac, deviceIndex: 3, destination: vtep, vni: 1010)),
            type: 28, flags: 0x500,
            body: "07000000 03000000 c0000200 0a000200 52540000 02010000 08000100 0a00000c 08000700 f2030000")
        // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.12 self permanent
        expect(
            NeighborRequest.fdb(.append, FDBEntry(mac: .zero, deviceIndex: 3, destination: vtep)), type: 28,
            flags: 0xc00, body: "07000000 03000000 c0000200 0a000200 00000000 00000000 08000100 0a00000c")
        // bridge fdb del 52:54:00:00:02:01 dev vx0 dst 10.0.0.12 self
        expect(
            NeighborRequest.deleteFDB(FDBEntry(mac: mac, deviceIndex: 3, destination: vtep)), type: 29, flags: 0,
            body: "07000000 03000000 c0000200 0a000200 52540000 02010000 08000100 0a00000c")
    }

    @Test func neighbor() throws {
        let address = try #require(InetAddress("192.168.10.2"))
        // ip neigh replace 192.168.10.2 lladdr 52:54:00:00:02:01 dev vx0 nud permanent
        expect(
            NeighborRequest.neighbor(
                .replace, Neighbor(address: address, mac: EthernetAddress("52:54:00:00:02:01"), deviceIndex: 3)),
            type: 28, flags: 0x500, body: "02000000 03000000 80000000 08000100 c0a80a02 0a000200 52540000 02010000")
        // ip neigh del 192.168.10.2 dev br0
        expect(
            NeighborRequest.deleteNeighbor(Neighbor(address: address, mac: nil, deviceIndex: 2)), type: 29, flags: 0,
            body: "02000000 02000000 80000000 08000100 c0a80a02")
    }

    @Test func routes() throws {
        // ip route add 10.9.0.0/24 via 10.0.0.12 dev vx0 onlink table 3000
        let onLink = Route(
            destination: try #require(InetPrefix("10.9.0.0/24")), table: 3000,
            nextHops: [NextHop(gateway: InetAddress("10.0.0.12"), deviceIndex: 3, onLink: true)])
        expect(
            RouteRequest.route(.add, onLink), type: 24, flags: 0x600,
            body: "02180000 00030001 04000000 08000100 0a090000 08000500 0a00000c 08000f00 b80b0000 08000400 03000000")
        // ip route add unreachable default table 3000
        expect(
            RouteRequest.route(.add, Route(destination: .defaultV4, table: 3000, type: .unreachable)), type: 24,
            flags: 0x600, body: "02000000 00030007 00000000 08000f00 b80b0000")
        // ip route add 10.8.0.0/24 table 3000 nexthop via 10.0.0.12 dev vx0 weight 1 onlink
        //                                      nexthop via 10.0.0.13 dev vx0 weight 2 onlink
        let ecmp = Route(
            destination: try #require(InetPrefix("10.8.0.0/24")), table: 3000,
            nextHops: [
                NextHop(gateway: InetAddress("10.0.0.12"), deviceIndex: 3, weight: 1, onLink: true),
                NextHop(gateway: InetAddress("10.0.0.13"), deviceIndex: 3, weight: 2, onLink: true),
            ])
        expect(
            RouteRequest.route(.add, ecmp), type: 24, flags: 0x600,
            body: """
                02180000 00030001 00000000 08000100 0a080000 08000f00 b80b0000 24000900 10000400 03000000
                08000500 0a00000c 10000401 03000000 08000500 0a00000d
                """)
        // ip route del 10.8.0.0/24 table 3000
        expect(
            RouteRequest.delete(Route(destination: try #require(InetPrefix("10.8.0.0/24")), table: 3000)), type: 25,
            flags: 0, body: "02180000 0000ff00 00000000 08000100 0a080000 08000f00 b80b0000")
    }

    @Test func ruleAndAddress() throws {
        // ip rule add iif vx0 lookup 3000 pref 3000
        expect(
            try RuleRequest.add(Rule(priority: 3000, table: 3000, inputInterface: "vx0")), type: 32, flags: 0x600,
            body: "02000000 00000001 00000000 08000300 76783000 08000f00 b80b0000 08000600 b80b0000")
        // ip addr add 192.168.31.254/24 dev br0 noprefixroute
        expect(
            AddressRequest.add(
                InterfaceAddress(
                    prefix: try #require(InetPrefix("192.168.31.254/24")), deviceIndex: 2, noPrefixRoute: true)),
            type: 20, flags: 0x600,
            body: "02180000 02000000 08000200 c0a81ffe 08000800 00020000 08000100 c0a81ffe")
    }

    @Test func dummyCreateAndTheKernelsExtendedErrorReply() throws {
        // ip link add d0 type dummy
        let body = "00000000 00000000 00000000 00000000 07000300 64300000 10001200 09000100 64756d6d 79000000"
        let request = try LinkRequest.create(name: "d0", kind: .dummy)
        expect(request, type: 16, flags: 0x600, body: body)
        // This kernel has no dummy driver: its reply (not capped, so our request is echoed) says why.
        let reply = Self.hex(
            "64000000 0200 0002 6c3d0a6b c91f0000 a1ffffff 38000000 1000 0506 6c3d0a6b 00000000 " + body
                + " 18000100 556e6b6e 6f776e20 64657669 63652074 79706500")
        let messages = try NetlinkMessage.parseAll(reply[...])
        #expect(messages.count == 1)
        let ack = try NetlinkAcknowledgement(decoding: messages[0])
        #expect(ack.errno == 95)
        #expect(ack.requestHeader.type == NetlinkMessageType.newLink)
        #expect(ack.requestHeader.length == 56)
        #expect(ack.extendedMessage == "Unknown device type")
    }
}
