import BGPWireJSON
import Testing

@testable import BGPWire

// Vectors come from two independent implementations; each was also decoded by the other one.
//
// GoBGP 3.10.0 (Debian gobgpd 3.10.0-1+b4): gobgpd ran on loopback with an l2vpn-evpn neighbor that was a
// 40-line Python receiver (OPEN with the EVPN and 4-octet AS capabilities, plus ADD-PATH receive for the
// add-path run, where the neighbor had `add-paths send-max = 8`); routes were added with
// `gobgp global rib -a evpn add <command>` (command quoted per vector) and the NLRI cut out of the
// MP_REACH_NLRI of the UPDATEs gobgpd sent.
//
// ExaBGP 5.0.15 (PyPI): built with its classes and `pack_nlri()`, e.g.
// `MAC(RouteDistinguisher.fromElements("4200000000", 9), ESI(...), EthernetTag(200), MAC("02:00:00:00:00:01"),
// 48, Labels([16, 17]), IP.create("198.51.100.7"))`.
//
// Cross-check: `EVPN.unpack_nlri(AFI.l2vpn, SAFI.evpn, bytes, ...)` of ExaBGP 5.0.15 decoded every GoBGP vector
// to the same fields as expected below (it reads only the first label of a two-label type 2 route).

struct EVPNVector: Sendable, CustomTestStringConvertible {
    var name: String
    var hex: String
    var addPath = false
    var expected: EVPNNLRI

    var testDescription: String { name }
    var bytes: [UInt8] { Hex.decode(hex)! }
}

private let rd1 = RouteDistinguisher.as2(65000, 1)

let evpnVectors: [EVPNVector] = [
    // GoBGP: a-d esi LACP aa:bb:cc:dd:ee:01 258 etag 100 label 1000 rd 192.0.2.1:5
    EVPNVector(
        name: "type 1, LACP ESI",
        hex: "01190001c0000201000501aabbccddee01010200000000640003e8",
        expected: EVPNNLRI(
            route: .ethernetAutoDiscovery(
                .init(
                    routeDistinguisher: .ipv4(IPv4Address(192, 0, 2, 1), 5),
                    esi: EthernetSegmentIdentifier(.lacp(systemMAC: MACAddress(0xaabb_ccdd_ee01), portKey: 258)),
                    ethernetTagID: 100, label: LabelField(rawValue: 1000))))),
    // ExaBGP: EthernetAD(RD.fromElements("65001", 100), ESI(bytes(range(10))), EthernetTag(0xFFFFFFFF),
    // Labels([0]))
    EVPNVector(
        name: "type 1, arbitrary ESI, MAX-ET, MPLS label 0",
        hex: "01190000fde90000006400010203040506070809ffffffff000001",
        expected: EVPNNLRI(
            route: .ethernetAutoDiscovery(
                .init(
                    routeDistinguisher: .as2(65001, 100),
                    esi: EthernetSegmentIdentifier(.arbitrary([1, 2, 3, 4, 5, 6, 7, 8, 9])),
                    ethernetTagID: 0xFFFF_FFFF, label: LabelField(label: 0))))),
    // GoBGP: macadv 00:11:22:33:44:55 0.0.0.0 etag 0 label 3000 rd 65000:1
    EVPNVector(
        name: "type 2, MAC only",
        hex: "02210000fde80000000100000000000000000000000000003000112233445500000bb8",
        expected: EVPNNLRI(
            route: .macIPAdvertisement(
                .init(
                    routeDistinguisher: rd1, ethernetTagID: 0, macAddress: MACAddress(0x0011_2233_4455),
                    label1: LabelField(vni: 3000))))),
    // GoBGP: macadv 00:11:22:33:44:66 10.0.0.1 esi 0 etag 10 label 1000,2000 rd 65000:2
    EVPNVector(
        name: "type 2, MAC + IPv4, two labels",
        hex: "02280000fde800000002000000000000000000000000000a30001122334466200a0000010003e80007d0",
        expected: EVPNNLRI(
            route: .macIPAdvertisement(
                .init(
                    routeDistinguisher: .as2(65000, 2), ethernetTagID: 10, macAddress: MACAddress(0x0011_2233_4466),
                    ipAddress: IPAddress("10.0.0.1"), label1: LabelField(vni: 1000), label2: LabelField(vni: 2000)))
        )),
    // GoBGP: macadv 00:11:22:33:44:77 2001:db8::1 esi AS 65000 7 etag 0 label 10010 rd 65000:3
    EVPNVector(
        name: "type 2, MAC + IPv6, AS-based ESI",
        hex: "02310000fde800000003050000fde8000000070000000000300011223344778020010db800000000000000000000000100271a",
        expected: EVPNNLRI(
            route: .macIPAdvertisement(
                .init(
                    routeDistinguisher: .as2(65000, 3),
                    esi: EthernetSegmentIdentifier(.asBased(asn: 65000, localDiscriminator: 7)), ethernetTagID: 0,
                    macAddress: MACAddress(0x0011_2233_4477), ipAddress: IPAddress("2001:db8::1"),
                    label1: LabelField(vni: 10010))))),
    // ExaBGP: MAC(RD.fromElements("4200000000", 9), ESI(02 001122aabbcc 8000 00), EthernetTag(200),
    // MAC("02:00:00:00:00:01"), 48, Labels([16, 17]), IP.create("198.51.100.7")); ExaBGP sets the S bit on the
    // last label only.
    EVPNVector(
        name: "type 2, 4-octet-AS RD, bridged LAN ESI, MPLS labels",
        hex: "02280002fa56ea00000902001122aabbcc800000000000c83002000000000120c6336407000100000111",
        expected: EVPNNLRI(
            route: .macIPAdvertisement(
                .init(
                    routeDistinguisher: .as4(4_200_000_000, 9),
                    esi: EthernetSegmentIdentifier(
                        .bridgedLAN(rootBridgeMAC: MACAddress(0x0011_22aa_bbcc), rootBridgePriority: 0x8000)),
                    ethernetTagID: 200, macAddress: MACAddress(0x0200_0000_0001), ipAddress: IPAddress("198.51.100.7"),
                    label1: LabelField(label: 16, bottomOfStack: false), label2: LabelField(label: 17))))),
    // GoBGP: multicast 192.0.2.9 etag 0 rd 65000:4
    EVPNVector(
        name: "type 3, IPv4",
        hex: "03110000fde8000000040000000020c0000209",
        expected: EVPNNLRI(
            route: .inclusiveMulticastEthernetTag(
                .init(
                    routeDistinguisher: .as2(65000, 4), ethernetTagID: 0,
                    originatingRouterIP: IPAddress("192.0.2.9")!)))),
    // GoBGP: multicast 2001:db8::2 etag 20 rd 65000:4
    EVPNVector(
        name: "type 3, IPv6",
        hex: "031d0000fde800000004000000148020010db8000000000000000000000002",
        expected: EVPNNLRI(
            route: .inclusiveMulticastEthernetTag(
                .init(
                    routeDistinguisher: .as2(65000, 4), ethernetTagID: 20,
                    originatingRouterIP: IPAddress("2001:db8::2")!)))),
    // GoBGP: esi 192.0.2.1 esi MAC aa:bb:cc:00:00:01 291 rd 192.0.2.1:6
    EVPNVector(
        name: "type 4, MAC-based ESI",
        hex: "04170001c0000201000603aabbcc00000100012320c0000201",
        expected: EVPNNLRI(
            route: .ethernetSegment(
                .init(
                    routeDistinguisher: .ipv4(IPv4Address(192, 0, 2, 1), 6),
                    esi: EthernetSegmentIdentifier(
                        .macBased(systemMAC: MACAddress(0xaabb_cc00_0001), localDiscriminator: 0x123)),
                    originatingRouterIP: IPAddress("192.0.2.1")!)))),
    // GoBGP: prefix 10.1.0.0/16 gw 10.0.0.254 esi 0 etag 0 label 5000 rd 65000:7
    EVPNVector(
        name: "type 5, IPv4",
        hex: "05220000fde8000000070000000000000000000000000000100a0100000a0000fe001388",
        expected: EVPNNLRI(
            route: .ipPrefix(
                .init(
                    routeDistinguisher: .as2(65000, 7), ethernetTagID: 0, prefix: IPPrefix("10.1.0.0/16")!,
                    gatewayIP: IPAddress("10.0.0.254")!, label: LabelField(vni: 5000))))),
    // GoBGP: prefix 2001:db8:ab::/48 gw 2001:db8::fe esi ROUTERID 192.0.2.7 44 etag 30 label 6000 rd 65000:8
    EVPNVector(
        name: "type 5, IPv6, router-ID ESI",
        hex: "053a0000fde80000000804c00002070000002c000000001e3020010db800ab0000000000000000000020010db8"
            + "0000000000000000000000fe001770",
        expected: EVPNNLRI(route: ipv6PrefixRoute)),
    // GoBGP, add-path session: macadv 00:11:22:33:44:66 10.0.0.1 esi 0 etag 10 label 1000,2000 rd 65000:2
    EVPNVector(
        name: "add-path, type 2",
        hex: "0000000102280000fde800000002000000000000000000000000000a30001122334466200a0000010003e80007d0",
        addPath: true,
        expected: EVPNNLRI(
            pathID: 1,
            route: .macIPAdvertisement(
                .init(
                    routeDistinguisher: .as2(65000, 2), ethernetTagID: 10, macAddress: MACAddress(0x0011_2233_4466),
                    ipAddress: IPAddress("10.0.0.1"), label1: LabelField(vni: 1000), label2: LabelField(vni: 2000)))
        )),
    // GoBGP, add-path session: prefix 2001:db8:ab::/48 gw 2001:db8::fe esi ROUTERID 192.0.2.7 44 etag 30 ...
    EVPNVector(
        name: "add-path, type 5 IPv6",
        hex: "00000001053a0000fde80000000804c00002070000002c000000001e3020010db800ab0000000000000000000020010db8"
            + "0000000000000000000000fe001770",
        addPath: true, expected: EVPNNLRI(pathID: 1, route: ipv6PrefixRoute)),
    // Hand-built (RFC 7432 §7: unknown route types are kept): type 9, 3 octets.
    EVPNVector(
        name: "unknown type 9", hex: "0903aabbcc",
        expected: EVPNNLRI(route: .unknown(type: 9, value: [0xAA, 0xBB, 0xCC]))),
]

private let ipv6PrefixRoute = EVPNRoute.ipPrefix(
    .init(
        routeDistinguisher: .as2(65000, 8),
        esi: EthernetSegmentIdentifier(.routerID(IPv4Address(192, 0, 2, 7), localDiscriminator: 44)),
        ethernetTagID: 30, prefix: IPPrefix("2001:db8:ab::/48")!, gatewayIP: IPAddress("2001:db8::fe")!,
        label: LabelField(vni: 6000)))

/// Decodes exactly one NLRI from `bytes`.
func decodeEVPN(_ bytes: [UInt8], addPath: Bool = false) throws(DecodeFailure) -> EVPNNLRI {
    try bytes.withReader { (r) throws(DecodeFailure) in
        let nlri = try EVPNNLRI.read(&r, addPath: addPath)
        guard r.isAtEnd else { throw DecodeFailure("\(r.remaining) bytes after the NLRI") }
        return nlri
    }
}

func encodeEVPN(_ nlri: EVPNNLRI) -> [UInt8] {
    var w = ByteWriter()
    nlri.write(to: &w)
    return w.bytes
}

@Suite("EVPN NLRI")
struct EVPNNLRITests {
    @Test("decode and encode", arguments: evpnVectors)
    func roundTrip(_ v: EVPNVector) throws {
        let nlri = try decodeEVPN(v.bytes, addPath: v.addPath)
        #expect(nlri == v.expected)
        #expect(encodeEVPN(v.expected) == v.bytes)
    }

    @Test("JSON round trip, through text too", arguments: evpnVectors)
    func jsonRoundTrip(_ v: EVPNVector) throws {
        let json = v.expected.json
        #expect(try EVPNNLRI(json: json, path: "nlri[0]") == v.expected)
        #expect(try EVPNNLRI(json: JSON.parse(json.text()), path: "nlri[0]") == v.expected)
    }

    @Test("every strict prefix throws", arguments: evpnVectors)
    func truncated(_ v: EVPNVector) {
        let bytes = v.bytes
        for n in 0..<bytes.count {
            let prefix = Array(bytes.prefix(n))
            #expect(throws: DecodeFailure.self, "prefix of \(n) bytes") {
                try prefix.withReader { (r) throws(DecodeFailure) in try EVPNNLRI.read(&r, addPath: v.addPath) }
            }
        }
    }

    @Test("single-byte mutations never crash and re-encode stably", arguments: evpnVectors)
    func mutations(_ v: EVPNVector) throws {
        let bytes = v.bytes
        for i in bytes.indices {
            for delta: UInt8 in [1, 0x10, 0x80, 0xFF] {
                var b = bytes
                b[i] &+= delta
                guard let nlri = try? decodeEVPN(b, addPath: v.addPath) else { continue }
                #expect(try decodeEVPN(encodeEVPN(nlri), addPath: v.addPath) == nlri)
            }
        }
    }

    @Test("two NLRI back to back")
    func sequence() throws {
        let bytes = evpnVectors[0].bytes + evpnVectors[2].bytes
        let both = try bytes.withReader { (r) throws(DecodeFailure) in
            [try EVPNNLRI.read(&r, addPath: false), try EVPNNLRI.read(&r, addPath: false)]
        }
        #expect(both == [evpnVectors[0].expected, evpnVectors[2].expected])
    }

    // MARK: - Invalid input

    struct Bad: Sendable, CustomTestStringConvertible {
        var hex: String
        var reason: String
        var testDescription: String { reason }
    }

    static let rd = "0000fde800000001"
    static let esi = "00000000000000000000"
    static let mac = "001122334455"

    @Test(
        "invalid routes throw with a precise reason",
        arguments: [
            Bad(hex: "0118" + rd + esi + "00000000" + "0000", reason: "Auto-Discovery route: length 24, expected 25"),
            Bad(hex: "011a" + rd + esi + "00000000" + "00000000", reason: "length 26, expected 25"),
            Bad(hex: "0220" + rd + esi + "00000000" + "30" + mac + "00" + "0000", reason: "expected at least 33"),
            Bad(hex: "0221" + rd + esi + "00000000" + "2f" + mac + "00" + "000000", reason: "MAC address length 47"),
            Bad(hex: "0221" + rd + esi + "00000000" + "00" + mac + "00" + "000000", reason: "MAC address length 0"),
            Bad(
                hex: "0224" + rd + esi + "00000000" + "30" + mac + "18" + "0a0000" + "000000",
                reason: "IP address length 24"),
            Bad(
                hex: "0221" + rd + esi + "00000000" + "30" + mac + "20" + "000000",
                reason: "length 33, expected 37 or 40"),
            Bad(
                hex: "0228" + rd + esi + "00000000" + "30" + mac + "80" + "0a000001" + "000000000000",
                reason: "length 40, expected 49 or 52"),
            Bad(
                hex: "0222" + rd + esi + "00000000" + "30" + mac + "00" + "00000000",
                reason: "length 34, expected 33 or 36"),
            Bad(
                hex: "0227" + rd + esi + "00000000" + "30" + mac + "00" + "000000000000000000",
                reason: "length 39, expected 33 or 36"),
            Bad(hex: "0310" + rd + "00000000" + "20" + "c00002", reason: "length 16, expected 17 or 29"),
            Bad(
                hex: "0311" + rd + "00000000" + "18" + "c0000209",
                reason: "IP address length 24 is neither 32 nor 128"),
            Bad(hex: "0311" + rd + "00000000" + "80" + "c0000209", reason: "IP address length 128 but 4 octets"),
            Bad(
                hex: "031d" + rd + "00000000" + "20" + "20010db8000000000000000000000002",
                reason: "IP address length 32 but 16 octets follow"),
            Bad(hex: "0417" + rd + esi + "00" + "c0000201", reason: "IP address length 0 is neither 32 nor 128"),
            Bad(
                hex: "0418" + rd + esi + "20" + "c000020100",
                reason: "Ethernet Segment route: length 24, expected 23 or 35"),
            Bad(
                hex: "0523" + rd + esi + "00000000" + "10" + "0a010000" + "0a0000fe" + "00138800",
                reason: "IP Prefix route: length 35, expected 34 or 58"),
            Bad(
                hex: "0522" + rd + esi + "00000000" + "21" + "0a010000" + "0a0000fe" + "001388",
                reason: "IP prefix length 33 > 32"),
            Bad(
                hex: "053a" + rd + esi + "00000000" + "81" + String(repeating: "00", count: 35),
                reason: "IP prefix length 129 > 128"),
            // An IPv4 prefix with an IPv6 gateway (or the reverse) is 46 octets: no valid length.
            Bad(
                hex: "052e" + rd + esi + "00000000" + "10" + "0a010000" + String(repeating: "00", count: 16) + "001388",
                reason: "length 46, expected 34 or 58"),
            Bad(hex: "0219" + rd + esi, reason: "EVPN route type 2: needs 25 bytes, 18 left"),
        ])
    func invalid(_ bad: Bad) {
        let error = #expect(throws: DecodeFailure.self) { try decodeEVPN(Hex.decode(bad.hex)!) }
        #expect(error?.reason.contains(bad.reason) == true, "\(error?.reason ?? "no error")")
    }

    @Test("truncated path identifier")
    func truncatedPathID() {
        #expect(throws: DecodeFailure.self) { try decodeEVPN([0, 0, 1], addPath: true) }
    }

    // MARK: - Unknown route types

    @Test("unknown route types round-trip byte for byte")
    func unknownTypes() throws {
        for (type, length) in [(0, 0), (6, 25), (11, 1), (255, 255)] as [(UInt8, Int)] {
            let value = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let bytes = [type, UInt8(length)] + value
            let nlri = try decodeEVPN(bytes)
            #expect(nlri.route == .unknown(type: type, value: value))
            #expect(nlri.route.routeDistinguisher == nil)
            #expect(encodeEVPN(nlri) == bytes)
            #expect(try EVPNNLRI(json: nlri.json, path: "") == nlri)
        }
    }

    // MARK: - Normalisation and helpers

    @Test("type 5 host bits beyond the prefix length are cleared")
    func prefixHostBits() throws {
        let sent = "0522" + Self.rd + Self.esi + "00000000" + "10" + "0a010203" + "0a0000fe" + "001388"
        let nlri = try decodeEVPN(Hex.decode(sent)!)
        guard case .ipPrefix(let r) = nlri.route else { Issue.record("not type 5"); return }
        #expect(r.prefix == IPPrefix("10.1.0.0/16"))
        #expect(Hex.encode(encodeEVPN(nlri), uppercase: false) == sent.replacingOccurrences("0a010203", "0a010000"))
    }

    @Test("route keys drop the route attributes")
    func routeKeys() throws {
        let twoLabels = evpnVectors[3].expected.route
        guard case .macIPAdvertisement(var other) = twoLabels else { Issue.record("not type 2"); return }
        other.esi = EthernetSegmentIdentifier(.asBased(asn: 1, localDiscriminator: 2))
        other.label1 = LabelField(vni: 99)
        other.label2 = nil
        #expect(EVPNRoute.macIPAdvertisement(other) != twoLabels)
        #expect(EVPNRoute.macIPAdvertisement(other).routeKey == twoLabels.routeKey)
        other.ipAddress = nil
        #expect(EVPNRoute.macIPAdvertisement(other).routeKey != twoLabels.routeKey)
        #expect(ipv6PrefixRoute.routeKey.routeDistinguisher == .as2(65000, 8))
        guard case .ipPrefix(let key) = ipv6PrefixRoute.routeKey else { Issue.record("not type 5"); return }
        #expect(key.esi == .zero && key.gatewayIP == .v6(.zero) && key.label.rawValue == 0)
        #expect(key.prefix == IPPrefix("2001:db8:ab::/48"))
    }

    @Test("description")
    func description() {
        #expect(
            evpnVectors[3].expected.description
                == "[type:macadv][rd:65000:2][esi:0][etag:10][mac:00:11:22:33:44:66][ip:10.0.0.1][label:1000,2000]")
        #expect(
            evpnVectors[11].expected.description
                == "[path-id:1][type:macadv][rd:65000:2][esi:0][etag:10][mac:00:11:22:33:44:66][ip:10.0.0.1]"
                + "[label:1000,2000]")
        #expect(evpnVectors[6].expected.description == "[type:multicast][rd:65000:4][etag:0][ip:192.0.2.9]")
        #expect(EVPNRoute.unknown(type: 9, value: [1, 2]).description == "[type:9][length:2]")
    }

    // MARK: - Ethernet Segment Identifier

    @Test(
        "ESI typed view and text",
        arguments: [
            EthernetSegmentIdentifier.Kind.arbitrary([9, 8, 7, 6, 5, 4, 3, 2, 1]),
            .lacp(systemMAC: MACAddress(0xaabb_ccdd_ee01), portKey: 0x0102),
            .bridgedLAN(rootBridgeMAC: MACAddress(0x0011_22aa_bbcc), rootBridgePriority: 0x8000),
            .macBased(systemMAC: MACAddress(0xaabb_cc00_0001), localDiscriminator: 0xFF_FFFE),
            .routerID(IPv4Address(192, 0, 2, 7), localDiscriminator: 0xFFFF_FFFF),
            .asBased(asn: 4_200_000_000, localDiscriminator: 44),
            .other(type: 0xFF, value: [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ])
    func esiKinds(_ kind: EthernetSegmentIdentifier.Kind) throws {
        let esi = EthernetSegmentIdentifier(kind)
        #expect(esi.kind == kind)
        #expect(esi.octets.count == 10)
        #expect(EthernetSegmentIdentifier(octets: esi.octets) == esi)
        #expect(EthernetSegmentIdentifier(esi.description) == esi)
        #expect(EthernetSegmentIdentifier(esi.description.uppercased()) == esi)
        #expect(try EthernetSegmentIdentifier(json: esi.json, path: "esi") == esi)
    }

    @Test("ESI octets, constants and bad text")
    func esiText() {
        let lacp = EthernetSegmentIdentifier(.lacp(systemMAC: MACAddress(0xaabb_ccdd_ee01), portKey: 258))
        #expect(lacp.description == "01:aa:bb:cc:dd:ee:01:01:02:00")
        #expect(lacp.type == 1)
        #expect(EthernetSegmentIdentifier.zero.description == "00:00:00:00:00:00:00:00:00:00")
        #expect(EthernetSegmentIdentifier.max.octets == Array(repeating: 0xFF, count: 10))
        #expect(EthernetSegmentIdentifier(.arbitrary(Array(repeating: 0, count: 9))) == .zero)
        // The reserved last octet is not part of the typed view but stays in the octets.
        let reserved = EthernetSegmentIdentifier("01:aa:bb:cc:dd:ee:01:01:02:7f")!
        #expect(reserved.kind == lacp.kind && reserved != lacp && reserved.octets.last == 0x7F)
        for bad in [
            "", "00", "00:00:00:00:00:00:00:00:00", "00:00:00:00:00:00:00:00:00:00:00", "0:00:00:00:00:00:00:00:00:00",
            "zz:00:00:00:00:00:00:00:00:00", "00:00:00:00:00:00:00:00:00:+1", "00-00-00-00-00-00-00-00-00-00",
        ] {
            #expect(EthernetSegmentIdentifier(bad) == nil, "\(bad)")
        }
        #expect(EthernetSegmentIdentifier(octets: [1, 2, 3]) == nil)
    }

    // MARK: - JSON

    @Test("JSON form of a type 2 route")
    func jsonText() {
        #expect(
            evpnVectors[11].expected.json.text()
                == #"{"pathId":1,"routeType":2,"routeTypeName":"MAC/IP Advertisement","routeDistinguisher":"65000:2","#
                + #""esi":"00:00:00:00:00:00:00:00:00:00","ethernetTagId":10,"macAddress":"00:11:22:33:44:66","#
                + #""ipAddress":"10.0.0.1","mplsLabel1":{"raw":1000,"label":62,"bottomOfStack":false},"#
                + #""mplsLabel2":{"raw":2000,"label":125,"bottomOfStack":false}}"#)
        #expect(
            EVPNRoute.unknown(type: 7, value: [0xAB, 1]).json.text() == #"{"routeType":7,"value":"AB01"}"#)
    }

    @Test("JSON with defaults left out")
    func jsonDefaults() throws {
        let json = try JSON.parse(
            #"{"routeType":5,"routeDistinguisher":"65000:7","ethernetTagId":0,"ipPrefix":"10.1.0.0/16","#
                + #""gatewayIpAddress":"10.0.0.254","mplsLabel":{"raw":5000}}"#)
        #expect(try EVPNNLRI(json: json, path: "") == evpnVectors[9].expected)
        let noGateway = try JSON.parse(
            #"{"routeType":5,"routeDistinguisher":"65000:7","ethernetTagId":0,"ipPrefix":"2001:db8::/32","#
                + #""mplsLabel":{"raw":1}}"#)
        guard case .ipPrefix(let r) = try EVPNRoute(json: noGateway, path: "").self else {
            Issue.record("not type 5")
            return
        }
        #expect(r.gatewayIP == .v6(.zero))
    }

    struct BadJSON: Sendable, CustomTestStringConvertible {
        var text: String
        var error: String
        var testDescription: String { error }
    }

    @Test(
        "bad JSON is rejected with the path of the member at fault",
        arguments: [
            BadJSON(
                text: #"{"routeType":2,"routeDistinguisher":"65000:1","ethernetTagId":0,"macAddress":"zz","#
                    + #""mplsLabel1":{"raw":1}}"#,
                error: #"nlri[3].macAddress: "zz" is not a MAC address"#),
            BadJSON(
                text: #"{"routeType":2,"routeDistinguisher":"65000:1","ethernetTagId":0,"#
                    + #""macAddress":"00:11:22:33:44:55","mplsLabel1":{"raw":16777216}}"#,
                error: "nlri[3].mplsLabel1.raw: 16777216 does not fit in 24 bits"),
            BadJSON(
                text: #"{"routeType":2,"routeDistinguisher":"65000:1","ethernetTagId":0,"#
                    + #""macAddress":"00:11:22:33:44:55","mplsLabel1":{"label":1}}"#,
                error: "nlri[3].mplsLabel1.raw: missing"),
            BadJSON(
                text: #"{"routeType":2,"routeDistinguisher":"65000:1","ethernetTagId":0,"ipAddress":"10.0.0.256","#
                    + #""macAddress":"00:11:22:33:44:55","mplsLabel1":{"raw":1}}"#,
                error: #"nlri[3].ipAddress: "10.0.0.256" is not an IP address"#),
            BadJSON(
                text: #"{"routeType":1,"routeDistinguisher":"x","esi":"0","ethernetTagId":0,"mplsLabel":{"raw":1}}"#,
                error: #"nlri[3].routeDistinguisher: "x" is not a route distinguisher"#),
            BadJSON(
                text: #"{"routeType":1,"routeDistinguisher":"1:1","esi":"0","ethernetTagId":0,"mplsLabel":{"raw":1}}"#,
                error: #"nlri[3].esi: "0" is not an ESI"#),
            BadJSON(
                text: #"{"routeType":1,"routeDistinguisher":"1:1","ethernetTagId":4294967296,"mplsLabel":{"raw":1}}"#,
                error: "nlri[3].ethernetTagId: 4294967296 is out of range for UInt32"),
            BadJSON(
                text: #"{"routeType":3,"routeDistinguisher":"1:1","ethernetTagId":0}"#,
                error: "nlri[3].originatingRouterIp: missing"),
            BadJSON(
                text: #"{"routeType":5,"routeDistinguisher":"1:1","ethernetTagId":0,"ipPrefix":"10.0.0.0/33","#
                    + #""mplsLabel":{"raw":1}}"#,
                error: #"nlri[3].ipPrefix: "10.0.0.0/33" is not an IP prefix"#),
            BadJSON(
                text: #"{"routeType":5,"routeDistinguisher":"1:1","ethernetTagId":0,"ipPrefix":"10.0.0.0/8","#
                    + #""gatewayIpAddress":"::1","mplsLabel":{"raw":1}}"#,
                error: "nlri[3].gatewayIpAddress: ::1 is not of the family of ipPrefix 10.0.0.0/8"),
            BadJSON(text: #"{"routeType":9}"#, error: "nlri[3].value: missing"),
            BadJSON(text: #"{"routeType":9,"value":"abc"}"#, error: #"nlri[3].value: "abc" is not hex"#),
            BadJSON(text: #"{"routeType":256,"value":""}"#, error: "nlri[3].routeType: 256 is out of range for UInt8"),
            BadJSON(
                text: #"{"routeType":9,"value":""# + String(repeating: "00", count: 256) + #""}"#,
                error: "nlri[3].value: 256 octets, an EVPN route has at most 255"),
            BadJSON(text: #"{"pathId":-1,"routeType":9,"value":""}"#, error: "nlri[3].pathId: -1 is out of range"),
            BadJSON(text: #"[1]"#, error: "nlri[3]: expected an object"),
        ])
    func badJSON(_ bad: BadJSON) throws {
        let json = try JSON.parse(bad.text)
        let error = #expect(throws: JSONError.self) { try EVPNNLRI(json: json, path: "nlri[3]") }
        #expect(error?.description.hasPrefix(bad.error) == true, "\(error?.description ?? "no error")")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
