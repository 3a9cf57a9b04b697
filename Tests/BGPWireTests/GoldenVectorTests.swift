import BGPWire
import BGPWireJSON
import Testing

/// Messages produced by ExaBGP, GoBGP, FRR and BIRD (see each vector's `source:` and comments), checked both
/// ways: our decoding of their bytes, and our encoding of the decoded value back to their bytes.
@Suite("Golden vectors from independent implementations")
struct GoldenVectorTests {
    static let vectors = VectorFiles.load()

    @Test("The vector files cover every message type and VPN family")
    func coverage() throws {
        #expect(Self.vectors.count >= 150, "only \(Self.vectors.count) vectors")
        var families: Set<AddressFamily> = []
        var types: Set<UInt8> = []
        for v in Self.vectors {
            types.insert(v.bytes[18])
            guard case .update(let u) = try BGPMessage.decode(v.bytes, options: v.options).message else { continue }
            if !u.nlri.isEmpty || !u.withdrawnRoutes.isEmpty { families.insert(.ipv4Unicast) }
            if let m = u.mpReach { families.insert(m.family) }
            if let m = u.mpUnreach { families.insert(m.family) }
        }
        #expect(types == [1, 2, 3, 4, 5])
        for f: AddressFamily in [
            .ipv4Unicast, .ipv6Unicast, .ipv4LabeledUnicast, .vpnIPv4, .vpnIPv6, .evpn, .routeTargetConstraint,
            .ipv4Flowspec, .ipv6Flowspec, .vpnIPv4Flowspec,
        ] {
            #expect(families.contains(f), "no vector for \(f)")
        }
    }

    @Test("Each vector decodes with no error and re-encodes to the same bytes", arguments: vectors)
    func roundTrip(_ v: GoldenVector) throws {
        if let expected = v.expect {
            // A message its sender got wrong (see the vector's comments): we must give exactly this action.
            do {
                let decoded = try BGPMessage.decode(v.bytes, options: v.options)
                #expect(decoded.strongestError?.action.label == expected, "\(decoded.errors)")
            } catch {
                #expect(error.action.label == expected, "\(error)")
            }
            return
        }
        let decoded = try BGPMessage.decode(v.bytes, options: v.options)
        #expect(decoded.errors.isEmpty, "\(decoded.errors)")
        let encoded = decoded.message.encode(options: EncodingOptions(v.options))
        #expect(Hex.encode(encoded) == Hex.encode(v.bytes))
    }

    @Test(
        "Each vector survives JSON: decode → JSON text → message → the same bytes",
        arguments: vectors.filter { $0.expect == nil })
    func jsonRoundTrip(_ v: GoldenVector) throws {
        let decoded = try BGPMessage.decode(v.bytes, options: v.options).message
        let text = decoded.json.text()
        let back = try BGPMessage(json: try JSON.parse(text))
        #expect(back == decoded)
        #expect(Hex.encode(back.encode(options: EncodingOptions(v.options))) == Hex.encode(v.bytes))
    }

    @Test(
        "Every strict prefix of a vector needs more bytes at framing and is an error when decoded", arguments: vectors)
    func truncation(_ v: GoldenVector) throws {
        for k in 0..<v.bytes.count {
            let prefix = Array(v.bytes[..<k])
            let length = try BGPFraming.frameLength(prefix, maximumLength: 65535)
            #expect(length == nil || length! > k)
            #expect(throws: BGPWireError.self) { try BGPMessage.decode(prefix, options: v.options) }
        }
    }

    @Test(
        "Field values agree with Wireshark's BGP dissector",
        arguments: vectors.filter { !$0.tshark.isEmpty && $0.expect == nil })
    func tsharkAgrees(_ v: GoldenVector) throws {
        let decoded = try BGPMessage.decode(v.bytes, options: v.options).message
        let ours = TsharkComparison.values(of: decoded)
        for (field, value) in v.tshark where !TsharkComparison.ignored(field, value: value, in: decoded) {
            let wanted = TsharkComparison.normalize(value)
            #expect(
                wanted.contains { ours.contains($0) },
                "tshark \(field)=\(value) not found in our decoding \(decoded.json.text())")
        }
    }
}
