import BGPWireJSON
import SeededRandom
import Testing

@testable import BGPWire

// The main vector was built by hand from RFC 9012 §2-3 and checked with an independent decoder: Wireshark's BGP
// dissector, TShark 4.0.17 (Debian 4.0.17-0+deb12u3), `tshark -r te.pcap -V -O bgp` on an UPDATE carrying it.
// TShark read three TLVs: VXLAN (8) with ENCAPSULATION "Flags: 0xc0, Valid VN-ID, Valid MAC address, VN-ID:
// 0x000064, MAC: aa:bb:cc:dd:ee:ff, Reserved: 0x0000", Tunnel Egress Endpoint "000000000001c0000201", UDP
// Destination Port "12b5", PROTOCOL_TYPE 0x6558; MPLS in GRE (11) with ENCAPSULATION "GRE Key: 4660" and
// Tunnel Egress Endpoint "00000000000220010db8000000000000000000000001"; Unknown (153) with sub-TLV Unknown (200)
// "length: 3, Value: aabbcc" (a 2-octet length). (TShark 4.0 reads the Color sub-TLV as 4 octets, against
// RFC 9012 §3.4.2, so the color case is checked against the RFC text alone.) Neither ExaBGP 5 nor the gobgp
// 3.10 CLI encodes this attribute.

private let teVector =
    "00080022"  // TLV: VXLAN, 34 octets
    + "010C" + "C0000064AABBCCDDEEFF0000"  // encapsulation: V, M, VN-ID 100, MAC, reserved
    + "060A" + "000000000001C0000201"  // tunnel egress endpoint: reserved, AFI 1, 192.0.2.1
    + "080212B5"  // UDP destination port 4789
    + "02026558"  // protocol type 0x6558 (transparent Ethernet bridging)
    + "000B001E"  // TLV: MPLS-in-GRE, 30 octets
    + "010400001234"  // encapsulation: GRE key 0x1234
    + "0616" + "00000000000220010DB8000000000000000000000001"  // endpoint: AFI 2, 2001:db8::1
    + "00990006"  // TLV: unknown type 153, 6 octets
    + "C80003AABBCC"  // sub-TLV 200 (2-octet length), 3 octets

private let mac = MACAddress("aa:bb:cc:dd:ee:ff")!

private let teExpected = TunnelEncapsulation(tunnels: [
    .init(
        type: .vxlan,
        subTLVs: [
            .encapsulation(.init(identifier: 100, mac: mac)),
            .egressEndpoint(.init(address: IPAddress("192.0.2.1")!)),
            .udpDestinationPort(4789),
            .protocolType(0x6558),
        ]),
    .init(type: .mplsInGRE, subTLVs: [.greKey(0x1234), .egressEndpoint(.init(address: IPAddress("2001:db8::1")!))]),
    .init(type: TunnelType(153), subTLVs: [.init(type: 200, value: [0xAA, 0xBB, 0xCC])]),
])

private func decodeTE(_ bytes: [UInt8]) throws(DecodeFailure) -> TunnelEncapsulation {
    try bytes.withReader { (r: inout ByteReader) throws(DecodeFailure) in try TunnelEncapsulation.read(&r) }
}

private func encode(_ t: TunnelEncapsulation) -> [UInt8] {
    var w = ByteWriter()
    t.write(to: &w)
    return w.bytes
}

private func failure(_ hex: String) -> String? {
    do {
        _ = try decodeTE(Hex.decode(hex)!)
        return nil
    } catch {
        return error.reason
    }
}

@Suite struct TunnelEncapsulationTests {
    @Test func vector() throws {
        let bytes = Hex.decode(teVector)!
        let t = try decodeTE(bytes)
        #expect(t == teExpected)
        #expect(encode(t) == bytes)
        #expect(encode(teExpected) == bytes)

        let vxlan = t.tunnels[0]
        #expect(vxlan.virtualNetwork?.identifier == 100 && vxlan.virtualNetwork?.mac == mac)
        #expect(vxlan.egressEndpoint?.address == IPAddress("192.0.2.1"))
        #expect(vxlan.udpDestinationPort == 4789 && vxlan.protocolType == 0x6558)
        #expect(vxlan.greKey == nil && vxlan.color == nil)
        let gre = t.tunnels[1]
        #expect(gre.greKey == 0x1234 && gre.virtualNetwork == nil)
        #expect(gre.egressEndpoint?.description == "2001:db8::1")
        #expect(t.tunnels[2].subTLVs[0].hasTwoOctetLength)
    }

    /// RFC 9012 §3.4.2: the Color sub-TLV's value is a Color extended community, 8 octets starting 0x030B.
    @Test func color() throws {
        let bytes = Hex.decode("0008000A" + "0408030B000000000064")!
        let t = try decodeTE(bytes)
        #expect(t.tunnels[0].color == 100)
        #expect(t.tunnels[0].subTLVs == [.color(100)])
        #expect(encode(t) == bytes)
    }

    /// RFC 9012 §13: a sub-TLV whose content is malformed is treated as unrecognized: the typed view is nil, the
    /// attribute still decodes and the octets are kept.
    @Test(arguments: [
        "0008000C" + "010A" + "C0000064AABBCCDDEEFF",  // VXLAN encapsulation of 10 octets (needs 12)
        "00080004" + "08020000",  // UDP port 0 (reserved, §3.3.2)
        "00080004" + "0202FFFF",  // protocol type 0xFFFF (reserved, §3.4.1)
        "00080006" + "04040000" + "0064",  // color of 4 octets
        "0008000A" + "0408040B000000000064",  // color not starting 0x030B
        "0008000C" + "060A000000000002C0000201",  // endpoint AFI 2 with 4 octets
        "00080008" + "0606000000000003",  // endpoint AFI 3
        "00080005" + "0603000000",  // endpoint shorter than reserved + AFI
        "00020005" + "0103000012",  // GRE key of 3 octets
    ])
    func malformedSubTLVIsUnrecognized(_ hex: String) throws {
        let bytes = Hex.decode(hex)!
        let t = try decodeTE(bytes)
        let tunnel = t.tunnels[0]
        #expect(tunnel.virtualNetwork == nil && tunnel.udpDestinationPort == nil && tunnel.protocolType == nil)
        #expect(tunnel.color == nil && tunnel.egressEndpoint == nil && tunnel.greKey == nil)
        #expect(encode(t) == bytes)
    }

    @Test func views() throws {
        // VXLAN without V and M: the fields are disregarded (RFC 9012 §3.2.1) but kept.
        let vn = TunnelEncapsulation.VirtualNetwork(value: Hex.decode("00000064AABBCCDDEEFF0000")!)
        #expect(vn?.identifier == nil && vn?.mac == nil && vn?.identifierField == 100)
        #expect(vn?.value == Hex.decode("00000064AABBCCDDEEFF0000")!)
        // NVGRE uses the same layout; the view depends on the tunnel type.
        let nvgre = TunnelEncapsulation.Tunnel(type: .nvgre, subTLVs: [.encapsulation(.init(identifier: 7))])
        #expect(nvgre.virtualNetwork?.identifier == 7)
        #expect(TunnelEncapsulation.Tunnel(type: .mpls, subTLVs: nvgre.subTLVs).virtualNetwork == nil)
        // Endpoint with address family 0: the route's next hop.
        let nh = TunnelEncapsulation.SubTLV.egressEndpoint(.init(address: nil))
        #expect(
            nh.value == [0, 0, 0, 0, 0, 0] && nh.egressEndpoint == TunnelEncapsulation.EgressEndpoint(address: nil))
        #expect(nh.egressEndpoint?.description == "next-hop")
        // RFC 9012 §13: of repeated sub-TLVs the first counts.
        let twice = TunnelEncapsulation.Tunnel(type: .vxlan, subTLVs: [.udpDestinationPort(1), .udpDestinationPort(2)])
        #expect(twice.udpDestinationPort == 1)
        // An empty attribute and a TLV without sub-TLVs frame correctly.
        #expect(try decodeTE([]) == TunnelEncapsulation(tunnels: []))
        #expect(try decodeTE([0, 8, 0, 0]) == TunnelEncapsulation(tunnels: [.init(type: .vxlan)]))
    }

    @Test(arguments: [
        ("00", "tunnel TLV 0: header needs 4 octets, 1 left"),
        ("000800", "tunnel TLV 0: header needs 4 octets, 3 left"),
        ("0008000401020304" + "0002", "tunnel TLV 1: header needs 4 octets, 2 left"),
        ("00080005" + "01020304", "tunnel TLV 0 (type vxlan): length 5 overruns the attribute, 4 left"),
        ("0008FFFF" + "0000", "length 65535 overruns the attribute, 2 left"),
        // CVE-2024-44070 shape: the sub-TLV fits in the attribute but not in its TLV.
        ("00080004" + "010A0000" + "0000000000000000", "sub-TLV 0 (type 1): length 10 overruns its tunnel TLV, 2 left"),
        ("00080004" + "02010000", "tunnel TLV 0 (type vxlan) sub-TLV 1 length: needs 1 byte, 0 left"),
        ("00080001" + "08", "sub-TLV 0 length: needs 1 byte, 0 left"),
        ("00080002" + "C800", "sub-TLV 0 length: needs 2 bytes, 1 left"),
        ("00080004" + "C80002AA", "sub-TLV 0 (type 200): length 2 overruns its tunnel TLV, 1 left"),
    ])
    func malformed(_ hex: String, _ reason: String) {
        let r = failure(hex)
        #expect(r?.contains(reason) == true, "\(r ?? "decoded")")
    }

    /// A strict prefix of the vector decodes only when it ends on a TLV boundary (then to the first TLVs);
    /// every other prefix is refused, and none crashes or loops.
    @Test func prefixes() {
        let bytes = Hex.decode(teVector)!
        let boundaries = [0: 0, 38: 1, 72: 2]
        for n in 0..<bytes.count {
            let decoded = try? decodeTE(Array(bytes.prefix(n)))
            if let k = boundaries[n] {
                #expect(decoded == TunnelEncapsulation(tunnels: Array(teExpected.tunnels.prefix(k))), "prefix \(n)")
            } else {
                #expect(decoded == nil, "prefix \(n)")
            }
        }
    }

    /// Random and mutated values never crash; whatever decodes re-encodes to the same octets.
    @Test func randomValues() {
        var rng = SplitMix64(seed: 23)
        let base = Hex.decode(teVector)!
        var mismatches = 0
        var decodedCount = 0
        for i in 0..<20000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = base
                for _ in 0..<Int(1 + rng.next() % 3) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            } else {
                // Small lengths and types near the 127/128 boundary make framing paths likely.
                bytes = (0..<Int(rng.next() % 40)).map { _ in
                    let r = rng.next()
                    return r % 3 == 0 ? UInt8(r >> 8 & 0x07) : (r % 3 == 1 ? 0x80 : UInt8(truncatingIfNeeded: r >> 16))
                }
            }
            if let t = try? decodeTE(bytes) {
                decodedCount += 1
                if encode(t) != bytes { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        #expect(decodedCount > 0)
    }

    @Test func jsonRoundTrip() throws {
        let json = teExpected.json
        #expect(try TunnelEncapsulation(json: json, path: "te") == teExpected)
        #expect(try TunnelEncapsulation(json: try JSON.parse(json.text()), path: "te") == teExpected)
        guard case .array(let tlvs)? = json["tlvs"] else {
            Issue.record("no tlvs array")
            return
        }
        let expected =
            #"{"tunnelType":8,"tunnelTypeName":"vxlan","subTlvs":["#
            + #"{"type":1,"typeName":"encapsulation","flags":192,"identifier":100,"mac":"aa:bb:cc:dd:ee:ff","#
            + #""value":"C0000064AABBCCDDEEFF0000"},"#
            + #"{"type":6,"typeName":"tunnel-egress-endpoint","address":"192.0.2.1","value":"000000000001C0000201"},"#
            + #"{"type":8,"typeName":"udp-destination-port","port":4789,"value":"12B5"},"#
            + #"{"type":2,"typeName":"protocol-type","ethertype":25944,"value":"6558"}]}"#
        #expect(tlvs.first?.text() == expected)
    }

    /// Typed members without `value`, as a person would write them; `value` wins when both are given.
    @Test func handWrittenJSON() throws {
        let text = """
            {"tlvs": [
              {"tunnelTypeName": "vxlan", "subTlvs": [
                {"type": 1, "identifier": 100, "mac": "aa:bb:cc:dd:ee:ff"},
                {"type": 6, "address": "192.0.2.1"},
                {"type": 8, "port": 4789},
                {"type": 2, "ethertype": 25944}]},
              {"tunnelType": 11, "subTlvs": [{"type": 1, "key": 4660}, {"type": 6, "address": "2001:db8::1"}]},
              {"tunnelType": 153, "subTlvs": [{"type": 200, "port": 1, "value": "aa bb cc"}]}
            ]}
            """
        let t = try TunnelEncapsulation(json: try JSON.parse(text), path: "te")
        #expect(encode(t) == Hex.decode(teVector)!)
        let color = try TunnelEncapsulation(
            json: try JSON.parse(
                #"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 4, "color": 100}, {"type": 6}]}]}"#),
            path: "te")
        #expect(encode(color) == Hex.decode("00080012" + "0408030B000000000064" + "0606000000000000")!)
    }

    @Test(arguments: [
        (#"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 9}]}]}"#, "te.tlvs[0].subTlvs[0].value"),
        (
            #"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 1, "identifier": 16777216}]}]}"#,
            "te.tlvs[0].subTlvs[0].identifier"
        ),
        (#"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 1, "mac": "aa"}]}]}"#, "te.tlvs[0].subTlvs[0].mac"),
        (#"{"tlvs": [{"tunnelType": 10, "subTlvs": [{"type": 1, "key": 1}]}]}"#, "te.tlvs[0].subTlvs[0].value"),
        (
            #"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 6, "address": "300.0.0.1"}]}]}"#,
            "te.tlvs[0].subTlvs[0].address"
        ),
        (#"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 8, "port": 65536}]}]}"#, "te.tlvs[0].subTlvs[0].port"),
        (#"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 256, "value": ""}]}]}"#, "te.tlvs[0].subTlvs[0].type"),
        (#"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 1, "value": "zz"}]}]}"#, "te.tlvs[0].subTlvs[0].value"),
        (#"{"tlvs": [{"tunnelTypeName": "warp", "subTlvs": []}]}"#, "te.tlvs[0].tunnelTypeName"),
        (#"{"tlvs": [{"subTlvs": []}]}"#, "te.tlvs[0].tunnelTypeName"),
        (#"{"tlvs": [{"tunnelType": 8, "subTlvs": {}}]}"#, "te.tlvs[0].subTlvs"),
        (#"{"tlvs": {}}"#, "te.tlvs"),
        (#"{}"#, "te.tlvs"),
    ])
    func badJSON(_ text: String, _ path: String) throws {
        let error = #expect(throws: JSONError.self) { try TunnelEncapsulation(json: try JSON.parse(text), path: "te") }
        #expect(error?.path == path)
    }

    /// Lengths the fields cannot carry are refused by the JSON decoder, before `write` could see them.
    @Test func jsonLengthLimits() throws {
        let long = String(repeating: "00", count: 256)
        let oneOctet = #"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 127, "value": "\#(long)"}]}]}"#
        let error = #expect(throws: JSONError.self) {
            try TunnelEncapsulation(json: try JSON.parse(oneOctet), path: "te")
        }
        #expect(error?.path == "te.tlvs[0].subTlvs[0].value")
        // Type 128 has a 2-octet length, so 256 octets are fine.
        let twoOctets = #"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 128, "value": "\#(long)"}]}]}"#
        let t = try TunnelEncapsulation(json: try JSON.parse(twoOctets), path: "te")
        #expect(try decodeTE(encode(t)) == t)
        // A TLV cannot exceed 65535 octets.
        let big = String(repeating: "00", count: 40000)
        let tooBig =
            #"{"tlvs": [{"tunnelType": 8, "subTlvs": [{"type": 128, "value": "\#(big)"}, "#
            + #"{"type": 129, "value": "\#(big)"}]}]}"#
        let e2 = #expect(throws: JSONError.self) { try TunnelEncapsulation(json: try JSON.parse(tooBig), path: "te") }
        #expect(e2?.path == "te.tlvs[0].subTlvs")
    }
}
