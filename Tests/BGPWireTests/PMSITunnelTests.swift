import BGPWireJSON
import SeededRandom
import Testing

@testable import BGPWire

// Vectors (the attribute value, without the attribute header):
//
// GoBGP 3.10.0 (Debian gobgpd 3.10.0-1+b4): gobgpd on loopback with an MRT table dump, routes added with
// `gobgp global rib -a evpn add multicast <ip> etag 0 rd <rd> rt 65000:100 pmsi ingress-repl [leaf-info-required]
// <label> <ip>`; GoBGP writes its label argument as the raw 24-bit field.
//
// ExaBGP 5.0.15 (PyPI): `PMSIIngressReplication('10.0.0.1', raw_label=5000).pack(None)` (and `label=1000`, which
// ExaBGP shifts into the MPLS label position), and `PMSI.unpack(...)` to cross-check the GoBGP IPv6 vector and a
// PIM-SSM value (ExaBGP decodes both to the same fields as below).

struct PMSIVector: Sendable, CustomTestStringConvertible {
    var source: String
    var hex: String
    var expected: PMSITunnel
    var text: String

    var testDescription: String { source }
    var bytes: [UInt8] { Hex.decode(hex)! }
}

let pmsiVectors: [PMSIVector] = [
    PMSIVector(
        source: "gobgp multicast 10.0.0.1 ... pmsi ingress-repl 5000 10.0.0.1", hex: "00060013880A000001",
        expected: .ingressReplication(endpoint: IPAddress("10.0.0.1")!, label: LabelField(vni: 5000)),
        text: "ingress-replication label=5000 endpoint=10.0.0.1"),
    PMSIVector(
        source: "gobgp multicast 2001:db8::1 ... pmsi ingress-repl 5001 2001:db8::1",
        hex: "000600138920010DB8000000000000000000000001",
        expected: .ingressReplication(endpoint: IPAddress("2001:db8::1")!, label: LabelField(vni: 5001)),
        text: "ingress-replication label=5001 endpoint=2001:db8::1"),
    PMSIVector(
        source: "gobgp multicast 10.0.0.3 ... pmsi ingress-repl leaf-info-required 16777215 10.0.0.3",
        hex: "0106FFFFFF0A000003",
        expected: .ingressReplication(
            endpoint: IPAddress("10.0.0.3")!, label: LabelField(rawValue: 0xFF_FFFF), leafInformationRequired: true),
        text: "ingress-replication label=16777215 endpoint=10.0.0.3 leaf-info-required"),
    PMSIVector(
        source: "exabgp PMSIIngressReplication('10.0.0.1', raw_label=5000)", hex: "00060013880A000001",
        expected: PMSITunnel(
            tunnelType: .ingressReplication, label: LabelField(rawValue: 5000), tunnelIdentifier: [10, 0, 0, 1]),
        text: "ingress-replication label=5000 endpoint=10.0.0.1"),
    PMSIVector(
        source: "exabgp PMSIIngressReplication('10.0.0.1', label=1000)", hex: "0006003E800A000001",
        expected: .ingressReplication(
            endpoint: IPAddress("10.0.0.1")!, label: LabelField(label: 1000, bottomOfStack: false)),
        text: "ingress-replication label=16000 endpoint=10.0.0.1"),
    PMSIVector(
        source: "exabgp PMSIIngressReplication('192.0.2.7', raw_label=0xABCDEF, flags=1)", hex: "0106ABCDEFC0000207",
        expected: PMSITunnel(
            flags: 1, tunnelType: .ingressReplication, label: LabelField(rawValue: 0xAB_CDEF),
            tunnelIdentifier: [192, 0, 2, 7]),
        text: "ingress-replication label=11259375 endpoint=192.0.2.7 leaf-info-required"),
    PMSIVector(
        source: "exabgp PMSI.unpack: pim-ssm, sender 192.0.2.1, group 232.0.0.1", hex: "0003000641C0000201E8000001",
        expected: PMSITunnel(
            tunnelType: .pimSSM, label: LabelField(rawValue: 0x641),
            tunnelIdentifier: [0xC0, 0, 2, 1, 0xE8, 0, 0, 1]),
        text: "pim-ssm label=1601 id=0xC0000201E8000001"),
    // Hand-built (RFC 6514 §5): no tunnel information, empty identifier; an unnamed type with flags bits.
    PMSIVector(
        source: "RFC 6514 §5 type 0", hex: "0000000000",
        expected: PMSITunnel(tunnelType: .noTunnelInformation, label: LabelField(rawValue: 0), tunnelIdentifier: []),
        text: "no-tunnel-information label=0 id=0x"),
    PMSIVector(
        source: "RFC 6514 §5 unknown type 200", hex: "81C8000011AABB",
        expected: PMSITunnel(
            flags: 0x81, tunnelType: PMSITunnel.TunnelType(200), label: LabelField(rawValue: 0x11),
            tunnelIdentifier: [0xAA, 0xBB]),
        text: "200 label=17 id=0xAABB leaf-info-required"),
]

private func decodePMSI(_ bytes: [UInt8]) throws(DecodeFailure) -> PMSITunnel {
    try bytes.withReader { (r: inout ByteReader) throws(DecodeFailure) in try PMSITunnel.read(&r) }
}

private func encode(_ p: PMSITunnel) -> [UInt8] {
    var w = ByteWriter()
    p.write(to: &w)
    return w.bytes
}

/// The reason of the failure `bytes` decode to, nil if they decode.
private func failure(_ bytes: [UInt8]) -> String? {
    do {
        _ = try decodePMSI(bytes)
        return nil
    } catch {
        return error.reason
    }
}

@Suite struct PMSITunnelTests {
    @Test(arguments: pmsiVectors)
    func vector(_ v: PMSIVector) throws {
        let p = try decodePMSI(v.bytes)
        #expect(p == v.expected)
        #expect(encode(p) == v.bytes)
        #expect(encode(v.expected) == v.bytes)
        #expect(p.description == v.text)
    }

    @Test(arguments: pmsiVectors)
    func jsonRoundTrip(_ v: PMSIVector) throws {
        let json = v.expected.json
        #expect(try PMSITunnel(json: json, path: "pmsi") == v.expected)
        #expect(try PMSITunnel(json: try JSON.parse(json.text(pretty: true)), path: "pmsi") == v.expected)
    }

    @Test func views() throws {
        let p = try decodePMSI(Hex.decode("000600138920010DB8000000000000000000000001")!)
        #expect(p.tunnelEndpoint == IPAddress("2001:db8::1"))
        #expect(p.label.vni == 5001 && !p.leafInformationRequired)
        var q = p
        q.leafInformationRequired = true
        #expect(q.flags == 0x01)
        q.flags = 0xFF
        q.leafInformationRequired = false
        #expect(q.flags == 0xFE)
        // Other types keep the raw identifier and have no endpoint view.
        let ssm = try decodePMSI(Hex.decode("0003000641C0000201E8000001")!)
        #expect(ssm.tunnelEndpoint == nil && ssm.tunnelIdentifier.count == 8)
    }

    @Test func jsonShape() {
        let p = PMSITunnel.ingressReplication(endpoint: IPAddress("10.0.0.1")!, label: LabelField(vni: 5000))
        #expect(
            p.json.text()
                == #"{"flags":0,"leafInformationRequired":false,"tunnelType":6,"tunnelTypeName":"ingress-replication","#
                + #""label":{"raw":5000,"label":312,"bottomOfStack":false},"tunnelEndpoint":"10.0.0.1"}"#)
    }

    @Test(arguments: [
        (
            #"{"tunnelTypeName": "ingress-replication", "label": {"raw": 5000}, "tunnelEndpoint": "10.0.0.1"}"#,
            "00060013880A000001"
        ),
        (
            #"{"tunnelType": 6, "leafInformationRequired": true, "label": 5000, "tunnelEndpoint": "2001:db8::1"}"#,
            "010600138820010DB8000000000000000000000001"
        ),
        (
            #"{"tunnelType": 3, "label": {"label": 100}, "tunnelIdentifier": "c0000201 e8000001"}"#,
            "0003000641C0000201E8000001"
        ),
        (#"{"tunnelType": 0, "label": 0}"#, "0000000000"),
        // flags wins over leafInformationRequired; tunnelIdentifier over tunnelEndpoint.
        (
            #"{"flags": 2, "leafInformationRequired": true, "tunnelType": 6, "label": 1,"#
                + #" "tunnelIdentifier": "01020304", "tunnelEndpoint": "10.0.0.1"}"#, "020600000101020304"
        ),
    ])
    func handWrittenJSON(_ text: String, _ hex: String) throws {
        let p = try PMSITunnel(json: try JSON.parse(text), path: "pmsi")
        #expect(encode(p) == Hex.decode(hex)!)
    }

    @Test(arguments: [
        (#"{"tunnelType": 3, "label": 0, "tunnelEndpoint": "10.0.0.1"}"#, "pmsi.tunnelEndpoint"),
        (#"{"tunnelType": 6, "label": 0}"#, "pmsi.tunnelEndpoint"),
        (#"{"tunnelType": 6, "label": 0, "tunnelEndpoint": "10.0.0"}"#, "pmsi.tunnelEndpoint"),
        (#"{"tunnelType": 256, "label": 0}"#, "pmsi.tunnelType"),
        (#"{"tunnelTypeName": "carrier-pigeon", "label": 0}"#, "pmsi.tunnelTypeName"),
        (#"{"tunnelType": 0}"#, "pmsi.label"),
        (#"{"tunnelType": 0, "label": {"raw": 16777216}}"#, "pmsi.label.raw"),
        (#"{"tunnelType": 0, "label": 0, "tunnelIdentifier": "0g"}"#, "pmsi.tunnelIdentifier"),
        (#"{"flags": "1", "tunnelType": 0, "label": 0}"#, "pmsi.flags"),
        (#""pmsi""#, "pmsi"),
    ])
    func badJSON(_ text: String, _ path: String) throws {
        let error = #expect(throws: JSONError.self) { try PMSITunnel(json: try JSON.parse(text), path: "pmsi") }
        #expect(error?.path == path)
    }

    /// Every strict prefix of every vector is refused, except where it is itself a valid value (a non-ingress-
    /// replication type with a shorter identifier, or an IPv6 endpoint cut to 4 octets); none crashes.
    @Test(arguments: pmsiVectors)
    func prefixes(_ v: PMSIVector) {
        let bytes = v.bytes
        for n in 0..<bytes.count {
            let prefix = Array(bytes.prefix(n))
            let reason = failure(prefix)
            let identifierLength = n - 5
            if n < 5 {
                #expect(reason?.contains("at least 5") == true, "prefix \(n)")
            } else if v.expected.tunnelType == .ingressReplication && identifierLength != 4 && identifierLength != 16 {
                #expect(reason?.contains("expected 4 (IPv4) or 16 (IPv6)") == true, "prefix \(n)")
            } else {
                #expect(reason == nil, "prefix \(n)")
            }
        }
    }

    @Test(arguments: [
        ("", "PMSI tunnel: length 0, at least 5 needed"),
        ("0006001388", "tunnel endpoint of 0 octets"),
        ("00060013880A0000010A", "tunnel endpoint of 5 octets"),
        ("00060013880A00000100000000000000000000000000", "tunnel endpoint of 17 octets"),
    ])
    func malformed(_ hex: String, _ reason: String) {
        #expect(failure(Hex.decode(hex)!)?.contains(reason) == true)
    }

    /// Random values never crash; what decodes re-encodes to the same octets.
    @Test func randomValues() throws {
        var rng = SplitMix64(seed: 22)
        var mismatches = 0
        for _ in 0..<5000 {
            let count = Int(rng.next() % 24)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if count > 1 && rng.next() % 2 == 0 { bytes[1] = 6 }
            if let p = try? decodePMSI(bytes), encode(p) != bytes { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
