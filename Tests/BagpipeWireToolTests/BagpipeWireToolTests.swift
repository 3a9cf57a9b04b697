import BGPWire
import BGPWireJSON
import Foundation
import Testing

@Suite("bagpipe-wire", .serialized)
struct BagpipeWireToolTests {
    static let vpnUpdate: [UInt8] = {
        let update = UpdateMessage(
            pathAttributes: [
                PathAttribute(
                    .mpReachNLRI(
                        MPReachNLRI(
                            family: .vpnIPv4, nextHop: .vpnIPv4(IPv4Address(192, 0, 2, 1)),
                            nlri: .vpnIPv4([
                                VPNIPv4NLRI(
                                    labels: LabelStack(LabelField(label: 100)), routeDistinguisher: .as2(65000, 1),
                                    prefix: IPv4Prefix(IPv4Address(10, 0, 0, 1), length: 32))
                            ])))),
                PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100)),
                PathAttribute(.extendedCommunities([ExtendedCommunity(rawValue: 0x0002_FDE8_0000_0064)])),
            ])
        return BGPMessage.update(update).encode()
    }()

    @Test("decode prints JSON with RFC names, and encode gives the same hex back")
    func decodeEncode() throws {
        let hex = Hex.encode(Self.vpnUpdate)
        let decoded = try Tool.run(["decode", hex])
        #expect(decoded.status == 0)
        #expect(decoded.stdout.contains("\"MP_REACH_NLRI\""))
        #expect(decoded.stdout.contains("\"routeDistinguisher\":\"65000:1\""))
        let encoded = try Tool.run(["encode"], input: decoded.stdout)
        #expect(encoded.status == 0, "\(encoded.stderr)")
        #expect(encoded.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == hex)
    }

    @Test("decode - reads one message per line, skipping comments")
    func decodeLines() throws {
        let input = "# a comment\n\(Hex.encode(BGPMessage.keepalive.encode()))\n\n\(Hex.encode(Self.vpnUpdate))\n"
        let r = try Tool.run(["decode", "-"], input: input)
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 2)
        let back = try Tool.run(["encode"], input: r.stdout)
        #expect(
            back.stdout.split(separator: "\n").map(String.init) == [
                Hex.encode(BGPMessage.keepalive.encode()), Hex.encode(Self.vpnUpdate),
            ])
    }

    @Test("A session-reset error: exit 1, first stderr line names the NOTIFICATION")
    func sessionReset() throws {
        var bad = BGPMessage.keepalive.encode()
        bad[0] = 0
        let r = try Tool.run(["decode", Hex.encode(bad)])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").first == "malformed: session-reset 1/1: marker is not all ones")
    }

    @Test("Treat-as-withdraw: exit 1, the message still printed with its errors")
    func treatAsWithdraw() throws {
        // ORIGIN with value 7.
        var bytes = Self.vpnUpdate
        let originAt = bytes.indices.first { bytes[$0] == 0x40 && bytes[$0 + 1] == 1 && bytes[$0 + 2] == 1 }!
        bytes[originAt + 3] = 7
        let r = try Tool.run(["decode", Hex.encode(bytes)])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("malformed: treat-as-withdraw: ORIGIN: value 7 is not 0, 1 or 2"))
        #expect(r.stdout.contains("\"rfc7606\""))
    }

    @Test("Attribute discard: exit 1, says which attribute was discarded")
    func attributeDiscard() throws {
        // ATOMIC_AGGREGATE of length 1 appended to the attributes.
        var u = try #require(
            {
                if case .update(let u) = try BGPMessage.decode(Self.vpnUpdate).message { return u }
                return nil
            }())
        u.pathAttributes.append(PathAttribute(.unknown(typeCode: 99, value: [])))
        var bytes = BGPMessage.update(u).encode()
        // Turn the unknown attribute 99 into ATOMIC_AGGREGATE (6) with one octet of value.
        let at = bytes.count - 3
        bytes[at + 1] = 6
        bytes[at] = 0x40
        bytes[at + 2] = 1
        bytes.append(0)
        let total = bytes.count
        bytes[16] = UInt8(total >> 8)
        bytes[17] = UInt8(total & 0xFF)
        let attrLengthAt = 21
        let attrLength = Int(bytes[attrLengthAt]) << 8 | Int(bytes[attrLengthAt + 1]) + 1
        bytes[attrLengthAt] = UInt8(attrLength >> 8)
        bytes[attrLengthAt + 1] = UInt8(attrLength & 0xFF)
        let r = try Tool.run(["decode", Hex.encode(bytes)])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("malformed: attribute-discard: discarded ATOMIC_AGGREGATE"))
        #expect(r.stdout.contains("MP_REACH_NLRI"))
    }

    @Test("Bad JSON on encode names the member at fault")
    func badJSON() throws {
        let r = try Tool.run(["encode"], input: #"{"type":"UPDATE","nlri":[{"prefix":"10.0.0.0/33"}]}"#)
        #expect(r.status == 1)
        #expect(r.stderr.contains("nlri[0].prefix: \"10.0.0.0/33\" is not an IPv4 prefix"))
    }

    @Test("Session options: --as2 and --add-path change how the bytes are read")
    func options() throws {
        let withPathID = BGPMessage.update(
            UpdateMessage(withdrawnRoutes: [
                IPv4PrefixNLRI(pathID: 7, prefix: IPv4Prefix(IPv4Address(10, 0, 0, 0), length: 8))
            ])
        ).encode()
        let plain = try Tool.run(["decode", Hex.encode(withPathID)])
        #expect(plain.status == 1)
        let addPath = try Tool.run(["decode", "--add-path", "ipv4/unicast", Hex.encode(withPathID)])
        #expect(addPath.status == 0)
        #expect(addPath.stdout.contains("\"pathId\":7"))
        let bad = try Tool.run(["decode", "--add-path", "ipv9/unicast", Hex.encode(withPathID)])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--add-path ipv9/unicast: not an address family"))
    }

    @Test("pcap: both directions reassembled (split, out of order, retransmitted), OPENs set the options")
    func pcap() throws {
        let a = (IPv4Address(10, 0, 0, 1), UInt16(40000))
        let b = (IPv4Address(10, 0, 0, 2), UInt16(179))
        let openA = BGPMessage.open(
            OpenMessage(
                asn: 65001, holdTime: 90, bgpIdentifier: a.0,
                capabilities: [.multiprotocol(.vpnIPv4), .addPath([.init(.vpnIPv4, sendReceive: 3)])])
        ).encode()
        let openB = BGPMessage.open(
            OpenMessage(
                asn: 65001, holdTime: 90, bgpIdentifier: b.0,
                capabilities: [.multiprotocol(.vpnIPv4), .addPath([.init(.vpnIPv4, sendReceive: 3)])])
        ).encode()
        // An UPDATE from A with a path identifier, which only decodes with ADD-PATH on.
        let update = BGPMessage.update(
            UpdateMessage(pathAttributes: [
                PathAttribute(
                    .mpUnreachNLRI(
                        MPUnreachNLRI(
                            family: .vpnIPv4,
                            withdrawnRoutes: .vpnIPv4([
                                VPNIPv4NLRI(
                                    pathID: 9, labels: LabelStack(.withdrawCompatibility),
                                    routeDistinguisher: .as2(1, 1),
                                    prefix: IPv4Prefix(IPv4Address(10, 1, 1, 1), length: 32))
                            ]))))
            ])
        ).encode()
        var capture = SyntheticCapture()
        let streamA = openA + update + BGPMessage.keepalive.encode()
        // A's stream in three segments, the second sent before the first, and the first retransmitted.
        capture.tcp(from: a, to: b, seq: 1000, syn: true, payload: [])
        capture.tcp(from: b, to: a, seq: 5000, syn: true, payload: [])
        capture.tcp(from: b, to: a, seq: 5001, payload: openB)
        capture.tcp(from: a, to: b, seq: 1001 + 30, payload: Array(streamA[30..<60]))
        capture.tcp(from: a, to: b, seq: 1001, payload: Array(streamA[0..<30]))
        capture.tcp(from: a, to: b, seq: 1001, payload: Array(streamA[0..<45]))
        capture.tcp(from: a, to: b, seq: 1001 + 60, payload: Array(streamA[60...]))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bagpipe-wire-\(getpid()).pcap")
        try Data(capture.bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Tool.run(["pcap", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.filter { $0.contains("\"source\":\"10.0.0.1:40000\"") }.count == 3)
        #expect(r.stdout.contains("\"pathId\":9"))
        #expect(r.stdout.contains("\"type\":\"KEEPALIVE\""))
    }

    @Test("demo decodes and re-encodes every sample")
    func demo() throws {
        let r = try Tool.run(["demo"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("6 of 6 sample messages decoded and re-encoded byte for byte"))
    }
}

/// Builds a classic pcap file of Ethernet/IPv4/TCP frames.
struct SyntheticCapture {
    var bytes: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0]
    var time: UInt32 = 1_700_000_000

    mutating func tcp(
        from: (IPv4Address, UInt16), to: (IPv4Address, UInt16), seq: UInt32, syn: Bool = false, payload: [UInt8]
    ) {
        func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func be32(_ v: UInt32) -> [UInt8] {
            [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        let tcp =
            be16(Int(from.1)) + be16(Int(to.1)) + be32(seq) + be32(0) + [0x50, syn ? 0x02 : 0x18] + be16(65535)
            + [0, 0, 0, 0] + payload
        let ip =
            [0x45, 0] + be16(20 + tcp.count) + [0, 0, 0x40, 0, 64, 6, 0, 0] + be32(from.0.value) + be32(to.0.value)
        let frame = Array(repeating: UInt8(2), count: 12) + [0x08, 0x00] + ip + tcp
        time += 1
        func le32(_ v: UInt32) -> [UInt8] {
            [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        }
        bytes += le32(time) + le32(0) + le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame
    }
}
