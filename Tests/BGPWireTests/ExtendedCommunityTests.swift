import BGPWireJSON
import SeededRandom
import Testing

@testable import BGPWire

// Vectors from two independent implementations:
//
// ExaBGP 5.0.15 (PyPI, /opt/exabgp5): the extended-community classes' `pack()`, e.g.
// `RouteTargetASN4Number(ASN(4200000000), 5).pack()`, `ConsistentHashSortOrder(5).pack()`,
// `MacMobility(5, True).pack()`, `TrafficRatePackets(ASN(0), 12.5).pack()`, `TrafficAction(True, False).pack()`
// (sample), `TrafficRedirectASN4(ASN(4200000000), 5).pack()`.
//
// GoBGP 3.10.0 (Debian gobgpd 3.10.0-1+b4): gobgpd on loopback with an MRT table dump; routes added with
// `gobgp global rib -a evpn add ...` / `-a ipv4-flowspec add ...` (command per vector below) and the
// EXTENDED_COMMUNITIES attribute cut out of the dump. (GoBGP 3.10's `then redirect 4200000000:5` wrote
// 0x8008FFFF00000005, a 2-octet-AS redirect to 65535:5, so that one is not used.)

struct ECVector: Sendable, CustomTestStringConvertible {
    var source: String
    var hex: String
    var typed: TypedExtendedCommunity
    var text: String

    var testDescription: String { "\(text) (\(source))" }
    var community: ExtendedCommunity { ExtendedCommunity(rawValue: UInt64(hex, radix: 16)!) }
}

private let mac1 = MACAddress("aa:bb:cc:dd:ee:ff")!

let ecVectors: [ECVector] = [
    ECVector(
        source: "exabgp RouteTargetASN2Number(65000, 100)", hex: "0002FDE800000064",
        typed: .routeTarget(.as2(65000, 100)), text: "target:65000:100"),
    ECVector(
        source: "exabgp RouteTargetIPNumber('192.0.2.1', 5)", hex: "0102C00002010005",
        typed: .routeTarget(.ipv4(IPv4Address(192, 0, 2, 1), 5)), text: "target:192.0.2.1:5"),
    ECVector(
        source: "exabgp RouteTargetASN4Number(4200000000, 5)", hex: "0202FA56EA000005",
        typed: .routeTarget(.as4(4_200_000_000, 5)), text: "target:4200000000:5"),
    ECVector(
        source: "exabgp RouteTargetASN4Number(65000, 7)", hex: "02020000FDE80007",
        typed: .routeTarget(.as4(65000, 7)), text: "target:65000L:7"),
    ECVector(
        source: "exabgp OriginASNIP(65000, '0.0.0.100')", hex: "0003FDE800000064",
        typed: .routeOrigin(.as2(65000, 100)), text: "origin:65000:100"),
    ECVector(
        source: "exabgp OriginIPASN(7, '192.0.2.1')", hex: "0103C00002010007",
        typed: .routeOrigin(.ipv4(IPv4Address(192, 0, 2, 1), 7)), text: "origin:192.0.2.1:7"),
    ECVector(
        source: "exabgp OriginASN4Number(4200000000, 9)", hex: "0203FA56EA000009",
        typed: .routeOrigin(.as4(4_200_000_000, 9)), text: "origin:4200000000:9"),
    ECVector(
        source: "exabgp RTRecordASN2Number(65000, 100)", hex: "0013FDE800000064",
        typed: .routeTargetRecord(.as2(65000, 100)), text: "rt-record:65000:100"),
    ECVector(
        source: "exabgp Encapsulation(8); gobgp macadv ... encap vxlan", hex: "030C000000000008",
        typed: .encapsulation(.vxlan), text: "encap:vxlan"),
    ECVector(
        source: "exabgp Encapsulation(10)", hex: "030C00000000000A", typed: .encapsulation(.mpls),
        text: "encap:mpls"),
    ECVector(
        source: "exabgp Encapsulation(12)", hex: "030C00000000000C", typed: .encapsulation(.vxlanGPE),
        text: "encap:vxlan-gpe"),
    ECVector(
        source: "exabgp Encapsulation(13)", hex: "030C00000000000D", typed: .encapsulation(.mplsInUDP),
        text: "encap:mpls-in-udp"),
    ECVector(
        source: "exabgp Encapsulation(2)", hex: "030C000000000002", typed: .encapsulation(.gre), text: "encap:gre"),
    ECVector(
        source: "exabgp ConsistentHashSortOrder(5)", hex: "0314000000050000",
        typed: .consistentHashSortOrder(5), text: "consistent-hash-sort-order:5"),
    ECVector(
        source: "exabgp ConsistentHashSortOrder(0xDEADBEEF)", hex: "0314DEADBEEF0000",
        typed: .consistentHashSortOrder(0xDEAD_BEEF), text: "consistent-hash-sort-order:3735928559"),
    ECVector(
        source: "exabgp MacMobility(5, True)", hex: "0600010000000005",
        typed: .macMobility(sequence: 5, sticky: true), text: "mac-mobility:5 sticky"),
    ECVector(
        source: "exabgp MacMobility(0xFFFFFFFF, False)", hex: "06000000FFFFFFFF",
        typed: .macMobility(sequence: 0xFFFF_FFFF, sticky: false), text: "mac-mobility:4294967295"),
    ECVector(
        source: "gobgp a-d esi 0 etag 1 label 200 rd 65000:7 rt 65000:100 esi-label 301", hex: "060100000000012D",
        typed: .esiLabel(LabelField(rawValue: 301), singleActive: false), text: "esi-label:18 all-active"),
    ECVector(
        source: "gobgp esi 10.0.0.9 esi LACP aa:bb:cc:dd:ee:01 1 rd 65000:5", hex: "0602AABBCCDDEE01",
        typed: .esImportRouteTarget(MACAddress("aa:bb:cc:dd:ee:01")!), text: "es-import:aa:bb:cc:dd:ee:01"),
    ECVector(
        source: "gobgp macadv ... router-mac aa:bb:cc:dd:ee:ff", hex: "0603AABBCCDDEEFF", typed: .routerMAC(mac1),
        text: "router-mac:aa:bb:cc:dd:ee:ff"),
    ECVector(
        source: "gobgp macadv ... default-gateway", hex: "030D000000000000", typed: .defaultGateway(),
        text: "default-gateway"),
    ECVector(
        source: "exabgp TrafficRate(65001, 1000.0); gobgp then rate-limit 1000 as 65001", hex: "8006FDE9447A0000",
        typed: .trafficRateBytes(TrafficRate(id: 65001, rate: 1000)), text: "traffic-rate-bytes:65001:1000.0"),
    ECVector(
        source: "gobgp then discard", hex: "8006000000000000", typed: .trafficRateBytes(TrafficRate(rate: 0)),
        text: "traffic-rate-bytes:0:0.0"),
    ECVector(
        source: "exabgp TrafficRatePackets(0, 12.5)", hex: "800C000041480000",
        typed: .trafficRatePackets(TrafficRate(rate: 12.5)), text: "traffic-rate-packets:0:12.5"),
    ECVector(
        source: "exabgp TrafficAction(sample=True, terminal=False)", hex: "8007000000000002",
        typed: .trafficAction(terminal: false, sample: true), text: "traffic-action:sample"),
    ECVector(
        source: "exabgp TrafficAction(False, True); gobgp then action terminal", hex: "8007000000000001",
        typed: .trafficAction(terminal: true, sample: false), text: "traffic-action:terminal"),
    ECVector(
        source: "gobgp then action sample-terminal", hex: "8007000000000003",
        typed: .trafficAction(terminal: true, sample: true), text: "traffic-action:terminal,sample"),
    ECVector(
        source: "exabgp TrafficRedirect(65000, 100); gobgp then redirect 65000:100", hex: "8008FDE800000064",
        typed: .redirect(.as2(65000, 100)), text: "redirect:65000:100"),
    ECVector(
        source: "gobgp then redirect 192.0.2.1:5", hex: "8108C00002010005",
        typed: .redirect(.ipv4(IPv4Address(192, 0, 2, 1), 5)), text: "redirect:192.0.2.1:5"),
    ECVector(
        source: "exabgp TrafficRedirectASN4(4200000000, 5)", hex: "8208FA56EA000005",
        typed: .redirect(.as4(4_200_000_000, 5)), text: "redirect:4200000000:5"),
    ECVector(
        source: "exabgp TrafficMark(46); gobgp then mark 46", hex: "800900000000002E",
        typed: .trafficMarking(dscp: 46), text: "traffic-marking:46"),
    // Hand-built from RFC 9012 §4.3 (type 0x03, sub-type 0x0B, 2 flag octets, 4-octet color).
    ECVector(source: "RFC 9012 §4.3", hex: "030B000000000064", typed: .color(100), text: "color:100"),
    ECVector(
        source: "RFC 9012 §4.3, CO bits 01", hex: "030B400000000064", typed: .color(100, flags: 0x4000),
        text: "color:100 flags:16384"),
    // RFC 7432 §7.5 single-active bit (GoBGP's CLI does not set it; hand-built).
    ECVector(
        source: "RFC 7432 §7.5", hex: "0601010000003E81",
        typed: .esiLabel(LabelField(label: 1000), singleActive: true), text: "esi-label:1000 single-active"),
    // Kinds not modelled stay unknown: link bandwidth (0x40/0x04), an RT-shaped non-transitive 0x40/0x02.
    ECVector(
        source: "exabgp Bandwidth(65000, 1e9): 0x40/0x04 and pack() FDE84E6E6B28", hex: "4004FDE84E6E6B28",
        typed: .unknown(ExtendedCommunity(rawValue: 0x4004_FDE8_4E6E_6B28)), text: "0x4004FDE84E6E6B28"),
    ECVector(
        source: "hand-built", hex: "4002FDE800000064",
        typed: .unknown(ExtendedCommunity(rawValue: 0x4002_FDE8_0000_0064)), text: "0x4002FDE800000064"),
]

@Suite struct ExtendedCommunityTests {
    @Test(arguments: ecVectors)
    func vector(_ v: ECVector) throws {
        let typed = TypedExtendedCommunity(v.community)
        #expect(typed == v.typed)
        #expect(typed.description == v.text)
        #expect(v.typed.community == v.community)
        #expect(v.community.typed == typed && ExtendedCommunity(typed) == v.community)
    }

    @Test(arguments: ecVectors)
    func jsonRoundTrip(_ v: ECVector) throws {
        let json = v.community.json
        #expect(json["raw"] == .string(v.hex))
        #expect(try ExtendedCommunity(json: json, path: "ec") == v.community)
        // Through text too, as bagpipe-wire prints and reads it.
        #expect(try ExtendedCommunity(json: try JSON.parse(json.text()), path: "ec") == v.community)
        // Without `raw`, the typed members alone give the same octets (except for unknown kinds).
        guard case .object(let members) = json else { throw JSONError("", "not an object") }
        let typedOnly = JSON.object(members.filter { $0.0 != "raw" })
        if case .unknown = v.typed {
            #expect(throws: JSONError.self) { try ExtendedCommunity(json: typedOnly, path: "ec") }
        } else {
            #expect(try ExtendedCommunity(json: typedOnly, path: "ec") == v.community)
        }
    }

    @Test func jsonShape() {
        #expect(
            ExtendedCommunity(TypedExtendedCommunity.routeTarget(.as2(65000, 100))).json.text()
                == #"{"type":"route-target","value":"65000:100","raw":"0002FDE800000064"}"#)
        #expect(
            ExtendedCommunity(TypedExtendedCommunity.encapsulation(.vxlan)).json.text()
                == #"{"type":"encapsulation","tunnelType":8,"tunnelTypeName":"vxlan","raw":"030C000000000008"}"#)
    }

    /// Hand-written JSON, as a person would type it.
    @Test(arguments: [
        (#"{"type": "route-target", "value": "65000:100"}"#, "0002FDE800000064"),
        (#"{"type": "route-target", "value": "4200000000:5"}"#, "0202FA56EA000005"),
        (#"{"type": "encapsulation", "tunnelTypeName": "VXLAN"}"#, "030C000000000008"),
        (#"{"type": "encapsulation", "tunnelType": 99}"#, "030C000000000063"),
        (#"{"type": "consistent-hash-sort-order", "order": 7}"#, "0314000000070000"),
        (#"{"type": "mac-mobility", "sequence": 3}"#, "0600000000000003"),
        (#"{"type": "esi-label", "label": {"label": 1000}, "singleActive": true}"#, "0601010000003E81"),
        (#"{"type": "traffic-rate-bytes", "id": 65001, "rate": 1000}"#, "8006FDE9447A0000"),
        (#"{"type": "traffic-rate-packets", "rate": "12.5"}"#, "800C000041480000"),
        (#"{"type": "redirect", "value": "192.0.2.1:5"}"#, "8108C00002010005"),
        (#"{"type": "default-gateway"}"#, "030D000000000000"),
        (#"{"type": "anything", "raw": "0x4004 FDE8 4E6E 6B28"}"#, "4004FDE84E6E6B28"),
        // `raw` wins over contradicting typed members.
        (#"{"type": "route-target", "value": "1:1", "raw": "0002FDE800000064"}"#, "0002FDE800000064"),
    ])
    func handWrittenJSON(_ text: String, _ hex: String) throws {
        let c = try ExtendedCommunity(json: try JSON.parse(text), path: "ec")
        #expect(c.rawValue == UInt64(hex, radix: 16)!)
    }

    @Test(arguments: [
        (#"{"raw": "0002FDE8000000"}"#, "ec.raw"),
        (#"{"raw": "xyz"}"#, "ec.raw"),
        (#"{"type": "route-target", "value": "65000"}"#, "ec.value"),
        (#"{"type": "route-target"}"#, "ec.value"),
        (#"{"type": "no-such-kind"}"#, "ec.type"),
        (#"{"type": "unknown", "typeCode": 64}"#, "ec.raw"),
        (#"{"type": "traffic-marking", "dscp": 64}"#, "ec.dscp"),
        (#"{"type": "mac-mobility", "sequence": 4294967296}"#, "ec.sequence"),
        (#"{"type": "encapsulation", "tunnelTypeName": "carrier-pigeon"}"#, "ec.tunnelTypeName"),
        (#"{"type": "router-mac", "mac": "aa:bb"}"#, "ec.mac"),
        (#"{"type": "traffic-rate-bytes", "rate": "fast"}"#, "ec.rate"),
        (#"{"type": "esi-label", "label": {"raw": 16777216}}"#, "ec.label.raw"),
        (#"{"type": "encapsulation", "tunnelType": 8, "reserved": 281474976710656}"#, "ec.reserved"),
        (#"[1]"#, "ec"),
    ])
    func badJSON(_ text: String, _ path: String) throws {
        let error = #expect(throws: JSONError.self) { try ExtendedCommunity(json: try JSON.parse(text), path: "ec") }
        #expect(error?.path == path)
    }

    /// Raw -> typed -> raw is the identity on all 8 octets: every type/sub-type pair with several values, then
    /// random values.
    @Test func everyCommunityRoundTrips() {
        var rng = SplitMix64(seed: 42)
        var failures: [ExtendedCommunity] = []
        for typeAndSub in 0..<UInt64(0x1_0000) {
            for value: UInt64 in [0, 0xFFFF_FFFF_FFFF, 0x0102_0304_0506, rng.next() & 0xFFFF_FFFF_FFFF] {
                let c = ExtendedCommunity(rawValue: typeAndSub << 48 | value)
                if TypedExtendedCommunity(c).community != c { failures.append(c) }
            }
        }
        for _ in 0..<10000 {
            let c = ExtendedCommunity(rawValue: rng.next())
            if TypedExtendedCommunity(c).community != c || (try? ExtendedCommunity(json: c.json, path: "")) != c {
                failures.append(c)
            }
        }
        #expect(failures.isEmpty, "first: \(failures.first.map { TypedExtendedCommunity.hex($0.rawValue) } ?? "")")
    }

    /// Reserved and undefined bits are kept (RFC: sent as zero, ignored on receipt), and do not change the view.
    @Test func reservedBitsArePreserved() {
        let encap = ExtendedCommunity(rawValue: 0x030C_1234_5678_0008)
        #expect(encap.typed == .encapsulation(.vxlan, reserved: 0x1234_5678_0000))
        #expect(encap.typed.description == "encap:vxlan")
        let mm = ExtendedCommunity(rawValue: 0x0600_FFFF_0000_0009)
        guard case .macMobility(let sequence, let sticky, let reserved) = mm.typed else {
            Issue.record("not MAC mobility")
            return
        }
        #expect(sequence == 9 && sticky && reserved == 0xFEFF_0000_0000)
        let marking = ExtendedCommunity(rawValue: 0x8009_0000_0000_00EE)
        #expect(marking.typed == .trafficMarking(dscp: 0x2E, reserved: 0xC0))
        #expect(marking.typed.community == marking)
        // Reserved bits given for interpreted positions are ignored when encoding.
        #expect(
            TypedExtendedCommunity.trafficMarking(dscp: 46, reserved: 0x3F).community.rawValue == 0x8009_0000_0000_002E)
        #expect(TypedExtendedCommunity.defaultGateway(reserved: 5).community.rawValue == 0x030D_0000_0000_0005)
    }

    @Test func trafficRate() {
        let nan = TrafficRate(id: 1, bitPattern: 0x7FC0_1234)
        let c = TypedExtendedCommunity.trafficRateBytes(nan).community
        #expect(c.rawValue == 0x8006_0001_7FC0_1234)
        #expect(c.typed == .trafficRateBytes(nan))
        #expect(nan.rate.isNaN && nan.effectiveRate == 0)
        // RFC 8955 §7.1: negative rates are treated as zero.
        #expect(TrafficRate(rate: -5).effectiveRate == 0)
        #expect(TrafficRate(rate: 1.5e9).effectiveRate == 1.5e9)
    }

    @Test(arguments: [
        ("65000:100", RouteTarget.as2(65000, 100), "65000:100"),
        ("0:0", RouteTarget.as2(0, 0), "0:0"),
        ("65535:4294967295", RouteTarget.as2(65535, 0xFFFF_FFFF), "65535:4294967295"),
        ("192.0.2.1:5", RouteTarget.ipv4(IPv4Address(192, 0, 2, 1), 5), "192.0.2.1:5"),
        ("4200000000:5", RouteTarget.as4(4_200_000_000, 5), "4200000000:5"),
        ("65536:65535", RouteTarget.as4(65536, 65535), "65536:65535"),
        ("65000L:5", RouteTarget.as4(65000, 5), "65000L:5"),
        ("4200000000L:5", RouteTarget.as4(4_200_000_000, 5), "4200000000:5"),
    ])
    func routeTargetText(_ text: String, _ rt: RouteTarget, _ printed: String) {
        #expect(RouteTarget(text) == rt)
        #expect(rt.description == printed)
        #expect(RouteTarget(printed) == rt)
    }

    @Test(arguments: [
        "", "65000", ":5", "65000:", "a:b", "+5:1", "65000:-1", "65000:+1", "65536:65536", "192.0.2.1:65536",
        "192.0.2:5", "4294967296:1", "65000L:65536", "L:5", "1:2:3", " 1:2",
    ])
    func routeTargetRejects(_ text: String) {
        #expect(RouteTarget(text) == nil)
    }

    @Test func routeTargetParts() {
        let rt = RouteTarget.as4(4_200_000_000, 5)
        #expect(rt.asn == 4_200_000_000 && rt.address == nil && rt.assignedNumber == 5)
        let ip = RouteTarget.ipv4(IPv4Address(10, 0, 0, 1), 7)
        #expect(ip.asn == nil && ip.address == IPv4Address(10, 0, 0, 1) && ip.assignedNumber == 7)
        #expect(RouteTarget.as2(1, 0xFFFF_FFFF).assignedNumber == 0xFFFF_FFFF)
    }

    /// Sorted route targets follow their wire encoding: format, then the six octets.
    @Test func routeTargetOrder() {
        let rts: [RouteTarget] = [
            .as4(1, 1), .ipv4(IPv4Address(10, 0, 0, 1), 1), .as2(65000, 200), .as2(65000, 100), .as2(1, 5),
        ]
        let sorted = rts.sorted()
        #expect(
            sorted == [.as2(1, 5), .as2(65000, 100), .as2(65000, 200), .ipv4(IPv4Address(10, 0, 0, 1), 1), .as4(1, 1)])
        let wire = rts.map { TypedExtendedCommunity.routeTarget($0).community }.sorted()
        #expect(wire.compactMap { RouteTarget($0, typeBase: 0) } == sorted)
        #expect(Set(rts).count == 5)
    }

    @Test func tunnelTypeNames() {
        #expect(TunnelType("vxlan") == .vxlan && TunnelType("MPLS-in-GRE") == .mplsInGRE)
        #expect(TunnelType("13") == .mplsInUDP && TunnelType("65535") == TunnelType(65535))
        #expect(TunnelType("65536") == nil && TunnelType("") == nil && TunnelType("-1") == nil)
        #expect(TunnelType(99).description == "99" && TunnelType.geneve.description == "geneve")
    }
}
