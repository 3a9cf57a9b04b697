import CBagpipeLinux
import LinuxNetlink
import Testing

struct CodecTests {
    /// Found by `scripts/fuzz netlink`: an nlmsgerr whose error is INT32_MIN trapped on negation.
    @Test("An nlmsgerr with error INT32_MIN is a decoding error, not a trap")
    func acknowledgementOfMinimumError() {
        let payload: [UInt8] = [0, 0, 0, 0x80] + [UInt8](repeating: 0, count: 16)
        let header = NetlinkMessageHeader(length: 36, type: NetlinkMessageType.error, flags: [], sequence: 1)
        #expect(throws: NetlinkDecodingError.badValue("nlmsgerr error", value: Int64(Int32.min))) {
            try NetlinkAcknowledgement(decoding: NetlinkMessage(header: header, payload: payload))
        }
    }

    @Test("InetPrefix.contains: whole and partial octets, /0, host prefixes, and never across families")
    func prefixContains() throws {
        let p64 = try #require(InetPrefix("2001:db8:5::1/64"))
        #expect(p64.contains(try #require(InetAddress("2001:db8:5::24"))))
        #expect(!p64.contains(try #require(InetAddress("2001:db8:6::24"))))
        let p20 = try #require(InetPrefix("10.16.0.0/12"))
        #expect(p20.contains(try #require(InetAddress("10.31.255.255"))))
        #expect(!p20.contains(try #require(InetAddress("10.32.0.0"))))
        #expect(InetPrefix.defaultV6.contains(try #require(InetAddress("fe80::1"))))
        #expect(!InetPrefix.defaultV6.contains(try #require(InetAddress("10.0.0.1"))))
        let host = try #require(InetPrefix("10.0.0.1/32"))
        let one = try #require(InetAddress("10.0.0.1"))
        let two = try #require(InetAddress("10.0.0.2"))
        #expect(host.contains(one) && !host.contains(two))
    }

    @Test func attributesAreAlignedAndNested() throws {
        var writer = NetlinkWriter()
        writer.attribute(11, u8: 1)  // 5 bytes, padded to 8
        writer.nested(2) { inner in
            inner.attribute(1, u32: 1010)
            inner.attribute(3, string: "vx0")
        }
        writer.attribute(15, bigEndianU16: 4789)
        #expect(writer.bytes.count == 8 + 4 + 8 + 8 + 8)
        let attributes = try NetlinkAttribute.parse(writer.bytes[...])
        #expect(attributes.map(\.type) == [11, 2, 15])
        #expect(attributes[0].u8 == 1)
        #expect(attributes[2].bigEndianU16 == 4789)
        #expect(attributes[2].payload == [0x12, 0xb5])
        let inner = try attributes[1].nested()
        #expect(inner.first(1)?.u32 == 1010)
        #expect(inner.first(3)?.string == "vx0")
    }

    @Test func nestedFlagIsMaskedOff() throws {
        let attributes = try NetlinkAttribute.parse([8, 0, 0x0c, 0x80, 1, 2, 3, 4][...])
        #expect(attributes == [NetlinkAttribute(type: 12, payload: [1, 2, 3, 4])])
    }

    @Test func badAttributeLengthIsRejected() {
        // Claims 12 bytes with only 8 present; and a length below the 4-byte header.
        #expect(throws: NetlinkDecodingError.badAttributeLength(type: 1, length: 12, available: 8)) {
            try NetlinkAttribute.parse([12, 0, 1, 0, 0, 0, 0, 0][...])
        }
        #expect(throws: NetlinkDecodingError.badAttributeLength(type: 1, length: 2, available: 8)) {
            try NetlinkAttribute.parse([2, 0, 1, 0, 0, 0, 0, 0][...])
        }
    }

    @Test func messagesSplitAndRejectOverruns() throws {
        let request = NeighborRequest.dump(family: AddressFamily.bridge)
        let bytes = request.encoded(sequence: 1) + request.encoded(sequence: 2)
        let messages = try NetlinkMessage.parseAll(bytes[...])
        #expect(messages.map(\.header.sequence) == [1, 2])
        #expect(messages[0].header.type == NetlinkMessageType.getNeigh)
        #expect(messages[0].header.flags == [.request, .ack, .dump])
        #expect(messages[0].payload == request.body)
        var broken = bytes
        broken[0] = 200
        #expect(throws: NetlinkDecodingError.self) { try NetlinkMessage.parseAll(broken[...]) }
        #expect(throws: NetlinkDecodingError.self) { try NetlinkMessage.parseAll(bytes.dropLast(3)) }
    }

    /// An extended, capped NLMSG_ERROR as the kernel builds it: errno, our header, then NLMSGERR_ATTR_MSG.
    @Test func extendedAckCarriesKernelMessage() throws {
        var payload = NetlinkWriter()
        payload.append(Int32(-17))
        let original = NetlinkMessageHeader(
            length: 40, type: NetlinkMessageType.newRoute, flags: [.request, .ack], sequence: 9)
        NetlinkMessage(header: original, payload: []).encode(into: &payload)
        payload.attribute(1, string: "Route already exists")
        let ack = NetlinkMessage(
            header: NetlinkMessageHeader(
                length: 0, type: NetlinkMessageType.error, flags: [.capped, .ackTLVs], sequence: 9),
            payload: payload.bytes)
        let decoded = try NetlinkAcknowledgement(decoding: ack)
        #expect(decoded.errno == 17)
        #expect(decoded.requestHeader.sequence == 9)
        #expect(decoded.requestHeader.type == NetlinkMessageType.newRoute)
        #expect(decoded.extendedMessage == "Route already exists")
        let error = NetlinkRequestError(index: 3, request: "RTM_NEWROUTE add 10.0.0.0/8", errno: 17, kernelMessage: "x")
        #expect(error.description == "RTM_NEWROUTE add 10.0.0.0/8: EEXIST (File exists): x")
        #expect(throws: NetlinkDecodingError.self) {
            try NetlinkAcknowledgement(decoding: NetlinkMessage(header: original, payload: [0, 0, 0]))
        }
    }

    @Test func linkDecodesVXLANInfo() throws {
        // An RTM_NEWLINK as the kernel reports a VXLAN port: name, mtu, master, address, linkinfo.
        var writer = NetlinkWriter()
        writer.append(UInt8(0))
        writer.append(UInt8(0))
        writer.append(UInt16(1))
        writer.append(Int32(7))
        writer.append(UInt32(0x11043))
        writer.append(UInt32(0))
        writer.attribute(3, string: "vx1010")
        writer.attribute(4, u32: 1450)
        writer.attribute(10, u32: 5)
        writer.attribute(1, [2, 0, 0, 0, 0xff, 0x11])
        writer.nested(18) { info in
            info.attribute(1, string: "vxlan")
            info.nested(2) { data in
                data.attribute(1, u32: 1010)
                data.attribute(4, [10, 0, 0, 11])
                data.attribute(7, u8: 0)
                data.attribute(11, u8: 1)
                data.attribute(15, bigEndianU16: 4789)
            }
        }
        let message = NetlinkMessage(
            header: NetlinkMessageHeader(length: 0, type: NetlinkMessageType.newLink, flags: [], sequence: 0),
            payload: writer.bytes)
        let link = try Link(decoding: message)
        #expect(link.index == 7)
        #expect(link.name == "vx1010")
        #expect(link.isUp)
        #expect(link.mtu == 1450)
        #expect(link.masterIndex == 5)
        #expect(link.address == EthernetAddress("02:00:00:00:ff:11"))
        #expect(
            link.vxlan
                == VXLANOptions(vni: 1010, local: InetAddress("10.0.0.11"), port: 4789, learning: false, proxy: true))
        // A truncated family header is an error, not a zero link.
        #expect(throws: NetlinkDecodingError.shortFamilyHeader("ifinfomsg", length: 3, expected: 16)) {
            try Link(decoding: NetlinkMessage(header: message.header, payload: [0, 0, 0]))
        }
    }

    /// The kernel reports routes, neighbours, rules and addresses in the same layout it accepts them, so
    /// decoding our own request body must give back the value.
    @Test func requestBodiesDecodeBack() throws {
        func message(_ request: NetlinkRequest) -> NetlinkMessage {
            NetlinkMessage(
                header: NetlinkMessageHeader(length: 0, type: request.type, flags: [], sequence: 0),
                payload: request.body)
        }
        let ecmp = Route(
            destination: try #require(InetPrefix("2001:db8:1::/48")), table: 3000, protocol: RouteProtocol.bagpipe,
            metric: 20,
            nextHops: [
                NextHop(gateway: InetAddress("fe80::1"), deviceIndex: 3, weight: 1),
                NextHop(gateway: InetAddress("fe80::2"), deviceIndex: 4, weight: 256, onLink: true),
            ])
        var decoded = try Route(decoding: message(RouteRequest.route(.replace, ecmp)))
        #expect(decoded.scope == .universe)
        decoded.scope = nil
        #expect(decoded == ecmp)

        let single = Route(
            destination: try #require(InetPrefix("10.9.0.0/24")), table: 100,
            nextHops: [NextHop(gateway: InetAddress("10.0.0.12"), deviceIndex: 3, onLink: true)])
        decoded = try Route(decoding: message(RouteRequest.route(.add, single)))
        decoded.scope = nil
        #expect(decoded == single)

        let entry = FDBEntry(
            mac: try #require(EthernetAddress("52:54:00:00:02:01")), deviceIndex: 9,
            destination: InetAddress("10.0.0.12"),
            vni: 1010, port: 4789, flags: [.deviceTable, .externLearn])
        #expect(try FDBEntry(decoding: message(NeighborRequest.fdb(.replace, entry))) == entry)

        let neighbor = Neighbor(
            address: try #require(InetAddress("2001:db8::5")), mac: EthernetAddress("02:00:00:00:00:05"), deviceIndex: 4
        )
        #expect(try Neighbor(decoding: message(NeighborRequest.neighbor(.replace, neighbor))) == neighbor)

        let rule = Rule(
            family: AddressFamily.inet6, priority: 101, action: .unreachable, outputInterface: "bvrf-1",
            source: InetPrefix("2001:db8::/32"))
        #expect(try Rule(decoding: message(RuleRequest.add(rule))) == rule)

        let address = InterfaceAddress(
            prefix: try #require(InetPrefix("192.168.31.254/24")), deviceIndex: 2,
            broadcast: InetAddress("192.168.31.255"), noPrefixRoute: true)
        #expect(try InterfaceAddress(decoding: message(AddressRequest.add(address))) == address)
    }

    @Test func truncatedNextHopIsRejected() throws {
        var writer = NetlinkWriter()
        writer.append(contentsOf: [2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0] as [UInt8])
        writer.attribute(9, [40, 0, 0, 0, 3, 0, 0, 0])  // rtnh_len 40 > 8 bytes present
        let message = NetlinkMessage(
            header: NetlinkMessageHeader(length: 0, type: NetlinkMessageType.newRoute, flags: [], sequence: 0),
            payload: writer.bytes)
        #expect(throws: NetlinkDecodingError.badAttributeLength(type: 9, length: 40, available: 8)) {
            try Route(decoding: message)
        }
    }

    @Test func addressesParseAndPrint() throws {
        #expect(EthernetAddress("52:54:00:0a:02:01")?.description == "52:54:00:0a:02:01")
        #expect(EthernetAddress("52:54:00:0a:02") == nil)
        #expect(EthernetAddress("52:54:00:0a:02:1ff") == nil)
        #expect(InetAddress("10.0.0.300") == nil)
        #expect(InetAddress("2001:db8::1")?.description == "2001:db8::1")
        #expect(InetPrefix("10.0.0.0/33") == nil)
        #expect(InetPrefix("10.0.0.1")?.length == 32)
        #expect(InetPrefix.defaultV4.description == "default")
        #expect(throws: NetlinkError.self) { try LinkRequest.create(name: "a-name-longer-than-15", kind: .dummy) }
        #expect(throws: NetlinkError.self) { try LinkRequest.create(name: "x", kind: .other(nil)) }
    }

    /// Our Swift constants against the kernel UAPI headers (anonymous C enums import as Int, macros as Int32).
    @Test func constantsMatchKernelHeaders() {
        func same(_ ours: some BinaryInteger, _ kernel: some BinaryInteger) -> Bool { Int(ours) == Int(kernel) }
        #expect(same(NetlinkMessageType.newLink, RTM_NEWLINK))
        #expect(same(NetlinkMessageType.setLink, RTM_SETLINK))
        #expect(same(NetlinkMessageType.newAddr, RTM_NEWADDR))
        #expect(same(NetlinkMessageType.newRoute, RTM_NEWROUTE))
        #expect(same(NetlinkMessageType.newNeigh, RTM_NEWNEIGH))
        #expect(same(NetlinkMessageType.newRule, RTM_NEWRULE))
        #expect(same(NetlinkMessageType.getRule, RTM_GETRULE))
        #expect(same(NetlinkFlags.create.rawValue, NLM_F_CREATE))
        #expect(same(NetlinkFlags.append.rawValue, NLM_F_APPEND))
        #expect(same(NetlinkFlags.replace.rawValue, NLM_F_REPLACE))
        #expect(same(NetlinkFlags.ackTLVs.rawValue, NLM_F_ACK_TLVS))
        #expect(same(NeighborFlags.deviceTable.rawValue, NTF_SELF))
        #expect(same(NeighborFlags.externLearn.rawValue, NTF_EXT_LEARNED))
        #expect(same(NeighborState.permanent.rawValue, NUD_PERMANENT))
        #expect(same(7, NDA_VNI))
        #expect(same(32, IFLA_BRPORT_NEIGH_SUPPRESS))
        #expect(same(15, IFLA_VXLAN_PORT))
        #expect(same(17, IFLA_VXLAN_LOCAL6))
        #expect(same(28, IFLA_NET_NS_FD))
        #expect(same(17, FRA_OIFNAME))
        #expect(same(9, RTA_MULTIPATH.rawValue))
        #expect(same(0x200, IFA_F_NOPREFIXROUTE))
        #expect(same(RouteType.unreachable.rawValue, RTN_UNREACHABLE))
        #expect(same(RuleAction.unreachable.rawValue, FR_ACT_UNREACHABLE))
    }
}
