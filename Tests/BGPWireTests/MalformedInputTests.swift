import BGPWire
import Testing

/// The bad-input list (bgp-anchors-and-robustness §3.3, A–G): each malformed message and the RFC 7606 action
/// the decoder must call for. Never a crash; a session reset carries the exact NOTIFICATION code/subcode.
@Suite("Malformed input gets its RFC 7606 action")
struct MalformedInputTests {
    enum Expected: CustomStringConvertible, Sendable {
        case reset(UInt8, UInt8)
        case afiSafiDisable
        case treatAsWithdraw
        case attributeDiscard
        case clean

        var description: String {
            switch self {
            case .reset(let c, let s): "session-reset \(c)/\(s)"
            case .afiSafiDisable: "afi-safi-disable"
            case .treatAsWithdraw: "treat-as-withdraw"
            case .attributeDiscard: "attribute-discard"
            case .clean: "no error"
            }
        }
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var expected: Expected
        var options = DecodingOptions()
        var description: String { name }
    }

    static let ff16 = Array(repeating: UInt8(0xFF), count: 16)
    static let as4Cap: [UInt8] = [65, 4, 0, 0, 0xFD, 0xE9]
    static let ebgp = DecodingOptions(peer: .external)
    static let ibgp = DecodingOptions(peer: .internal)

    static let cases: [Case] = [
        // A. Framing
        Case(
            name: "A1 marker not all ones", bytes: Wire.message(type: 4, body: [], marker: [0] + ff16.dropFirst()),
            expected: .reset(1, 1)),
        Case(name: "A2 length 18", bytes: Wire.message(type: 4, body: [], length: 18), expected: .reset(1, 2)),
        Case(
            name: "A2 length 4097 without extended message",
            bytes: Wire.message(type: 2, body: Array(repeating: 0, count: 4078)), expected: .reset(1, 2)),
        Case(
            name: "A2 OPEN shorter than 29", bytes: Wire.message(type: 1, body: Array(repeating: 0, count: 9)),
            expected: .reset(1, 2)),
        Case(name: "A2 UPDATE shorter than 23", bytes: Wire.message(type: 2, body: [0, 0, 0]), expected: .reset(1, 2)),
        Case(name: "A2 NOTIFICATION shorter than 21", bytes: Wire.message(type: 3, body: [6]), expected: .reset(1, 2)),
        Case(
            name: "A2 ROUTE-REFRESH shorter than 23", bytes: Wire.message(type: 5, body: [0, 1, 0]),
            expected: .reset(1, 2)),
        Case(name: "A3 unknown message type 6", bytes: Wire.message(type: 6, body: []), expected: .reset(1, 3)),
        Case(name: "A3 message type 0", bytes: Wire.message(type: 0, body: []), expected: .reset(1, 3)),
        // B. OPEN
        Case(name: "B7 version 3", bytes: Wire.open(version: 3, parameters: []), expected: .reset(2, 1)),
        Case(name: "B7 hold time 1", bytes: Wire.open(holdTime: 1, parameters: []), expected: .reset(2, 6)),
        Case(name: "B7 hold time 2", bytes: Wire.open(holdTime: 2, parameters: []), expected: .reset(2, 6)),
        Case(name: "B7 hold time 0 is legal", bytes: Wire.open(holdTime: 0, parameters: []), expected: .clean),
        Case(name: "B7 BGP identifier 0", bytes: Wire.open(id: [0, 0, 0, 0], parameters: []), expected: .reset(2, 3)),
        Case(
            name: "B7 4-octet AS capability 0", bytes: Wire.open(parameters: Wire.capabilities([65, 4, 0, 0, 0, 0])),
            expected: .reset(2, 2)),
        Case(
            name: "B7 4-octet AS capability AS_TRANS",
            bytes: Wire.open(parameters: Wire.capabilities([65, 4, 0, 0, 0x5B, 0xA0])), expected: .reset(2, 2)),
        Case(
            name: "B8 optional parameters length overruns",
            bytes: Wire.message(type: 1, body: [4, 0xFD, 0xE9, 0, 90, 192, 0, 2, 1, 8, 2, 6] + as4Cap.prefix(4)),
            expected: .reset(2, 0)),
        Case(
            name: "B8 parameter length octet missing",
            bytes: Wire.message(type: 1, body: [4, 0xFD, 0xE9, 0, 90, 192, 0, 2, 1, 1, 2]), expected: .reset(2, 0)),
        Case(
            name: "B8 RFC 9072 extended length inconsistent",
            bytes: Wire.message(
                type: 1, body: [4, 0xFD, 0xE9, 0, 90, 192, 0, 2, 1, 255, 255, 0, 20, 2, 0, 6] + as4Cap),
            expected: .reset(2, 0)),
        Case(
            name: "B9 capability header only", bytes: Wire.open(parameters: Wire.capabilities([65])),
            expected: .reset(2, 0)),
        Case(
            name: "B9 capability length says data but none", bytes: Wire.open(parameters: Wire.capabilities([65, 4])),
            expected: .reset(2, 0)),
        Case(
            name: "B9 multiprotocol capability length 3",
            bytes: Wire.open(parameters: Wire.capabilities([1, 3, 0, 1, 0])), expected: .reset(2, 0)),
        Case(
            name: "B9 4-octet AS capability length 2",
            bytes: Wire.open(parameters: Wire.capabilities([65, 2, 0xFD, 0xE9])), expected: .reset(2, 0)),
        Case(
            name: "B9 graceful restart length 3", bytes: Wire.open(parameters: Wire.capabilities([64, 3, 0, 120, 0])),
            expected: .reset(2, 0)),
        Case(
            name: "B9 ADD-PATH length 5", bytes: Wire.open(parameters: Wire.capabilities([69, 5, 0, 1, 1, 1, 0])),
            expected: .reset(2, 0)),
        Case(
            name: "B9 FQDN host name overruns",
            bytes: Wire.open(parameters: Wire.capabilities([73, 3, 9, 0x61, 0x62])), expected: .reset(2, 0)),
        Case(
            name: "B9 FQDN with length 0", bytes: Wire.open(parameters: Wire.capabilities([73, 0])),
            expected: .reset(2, 0)),
        Case(
            name: "B9 role capability length 2", bytes: Wire.open(parameters: Wire.capabilities([9, 2, 0, 1])),
            expected: .reset(2, 0)),
        Case(
            name: "B10 unknown capability is kept",
            bytes: Wire.open(parameters: Wire.capabilities([200, 2, 1, 2] + as4Cap)), expected: .clean),
        Case(
            name: "B10 duplicate capabilities and several parameters",
            bytes: Wire.open(parameters: Wire.capabilities(as4Cap) + Wire.capabilities(as4Cap + [2, 0, 2, 0])),
            expected: .clean),
        Case(
            name: "B10 unknown AFI/SAFI in multiprotocol",
            bytes: Wire.open(parameters: Wire.capabilities([1, 4, 0x12, 0x34, 0, 99])), expected: .clean),
        // C. UPDATE structure
        Case(
            name: "C11 withdrawn routes length overruns", bytes: Wire.message(type: 2, body: [0, 9, 24, 10, 0, 0]),
            expected: .reset(3, 1)),
        Case(
            name: "C11 total attribute length overruns",
            bytes: Wire.update(attributes: Wire.origin, attributesLength: 40), expected: .reset(3, 1)),
        Case(
            name: "C12 no attributes but NLRI (CVE-2023-41358)", bytes: Wire.update(nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C13 ORIGIN missing",
            bytes: Wire.update(attributes: Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C13 AS_PATH missing", bytes: Wire.update(attributes: Wire.origin + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C13 NEXT_HOP missing with IPv4 NLRI",
            bytes: Wire.update(attributes: Wire.origin + Wire.asPath65001, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C13 LOCAL_PREF missing from an internal peer",
            bytes: Wire.update(attributes: Wire.origin + Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw, options: ibgp),
        Case(
            name: "C13 LOCAL_PREF not needed from an external peer",
            bytes: Wire.update(attributes: Wire.origin + Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .clean, options: ebgp),
        Case(
            name: "C13 MP_REACH without ORIGIN", bytes: Wire.update(attributes: Wire.vpnReach() + Wire.asPath65001),
            expected: .treatAsWithdraw),
        Case(
            name: "C13 attributes and no NLRI are harmless",
            bytes: Wire.update(attributes: Wire.origin + Wire.asPath65001), expected: .clean),
        Case(name: "C13 empty UPDATE is the IPv4 End-of-RIB", bytes: Wire.update(), expected: .clean),
        Case(
            name: "C14 two trailing octets, IPv4 NLRI present",
            bytes: Wire.update(attributes: Wire.mandatory + [0x40, 1], nlri: Wire.nlri24), expected: .treatAsWithdraw),
        Case(
            name: "C14 three trailing octets with extended length bit",
            bytes: Wire.update(attributes: Wire.mandatory + [0x50, 8, 0], nlri: Wire.nlri24), expected: .treatAsWithdraw
        ),
        Case(
            name: "C14 trailing octets and no locatable NLRI", bytes: Wire.update(attributes: Wire.origin + [0x40, 1]),
            expected: .reset(3, 1)),
        Case(
            name: "C14 trailing octets after MP_REACH (NLRI already located)",
            bytes: Wire.update(attributes: Wire.vpnReach() + Wire.origin + Wire.asPath65001 + [0xC0]),
            expected: .treatAsWithdraw),
        Case(
            name: "C15 attribute length overruns the block",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 8, [0, 0, 0, 1], length: 9), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C16 ORIGIN with the Optional bit",
            bytes: Wire.update(
                attributes: Wire.attribute(0xC0, 1, [0]) + Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C16 MED with the Transitive bit",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0xC0, 4, [0, 0, 0, 1]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C16 Partial bit on ORIGIN",
            bytes: Wire.update(
                attributes: Wire.attribute(0x60, 1, [0]) + Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "C16 AS4_PATH flag error is attribute discard",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0x80, 17, [2, 1, 0, 0, 0xFD, 0xE9]), nlri: Wire.nlri24),
            expected: .attributeDiscard),
        Case(
            name: "C16 extended length bit on a short attribute is legal",
            bytes: Wire.update(
                attributes: Wire.attribute(0x50, 1, [0]) + Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .clean),
        Case(
            name: "C17 repeated ORIGIN: first kept, rest discarded",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.origin, nlri: Wire.nlri24), expected: .attributeDiscard
        ),
        Case(
            name: "C17 repeated MP_REACH_NLRI",
            bytes: Wire.update(attributes: Wire.vpnReach() + Wire.vpnReach() + Wire.origin + Wire.asPath65001),
            expected: .reset(3, 1)),
        Case(
            name: "C17 repeated MP_UNREACH_NLRI",
            bytes: Wire.update(
                attributes: Wire.attribute(0x80, 15, [0, 1, 128]) + Wire.attribute(0x80, 15, [0, 1, 128])),
            expected: .reset(3, 1)),
        Case(
            name: "C18 unrecognized well-known attribute",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0x40, 99, [1]), nlri: Wire.nlri24),
            expected: .reset(3, 2)),
        Case(
            name: "C18 unknown optional transitive is kept",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0xC0, 99, [1, 2]), nlri: Wire.nlri24),
            expected: .clean),
        Case(
            name: "C18 unknown optional non-transitive is kept (and not forwarded)",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0x80, 98, [1]), nlri: Wire.nlri24),
            expected: .clean),
        // D. Attributes
        Case(
            name: "D19 ORIGIN length 2",
            bytes: Wire.update(
                attributes: Wire.attribute(0x40, 1, [0, 0]) + Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D19 ORIGIN value 3",
            bytes: Wire.update(
                attributes: Wire.attribute(0x40, 1, [3]) + Wire.asPath65001 + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D20 AS_PATH segment type 5",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.attribute(0x40, 2, [5, 1, 0, 0, 0xFD, 0xE9]) + Wire.nextHop,
                nlri: Wire.nlri24), expected: .treatAsWithdraw),
        Case(
            name: "D20 AS_PATH segment length 0",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.attribute(0x40, 2, [2, 0]) + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D20 AS_PATH segment overruns",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.attribute(0x40, 2, [2, 3, 0, 0, 0xFD, 0xE9]) + Wire.nextHop,
                nlri: Wire.nlri24), expected: .treatAsWithdraw),
        Case(
            name: "D20 AS_PATH 2-octet ASNs on a 4-octet session",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.attribute(0x40, 2, [2, 1, 0xFD, 0xE9]) + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D20 AS_PATH containing AS 0 (RFC 7607)",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.attribute(0x40, 2, [2, 1, 0, 0, 0, 0]) + Wire.nextHop, nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D21 malformed AS4_PATH",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 17, [2, 2, 0, 0, 0xFD, 0xE9]), nlri: Wire.nlri24),
            expected: .attributeDiscard),
        Case(
            name: "D21 malformed AS4_AGGREGATOR",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0xC0, 18, [0, 0, 0xFD]), nlri: Wire.nlri24),
            expected: .attributeDiscard),
        Case(
            name: "D22 NEXT_HOP length 5",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.asPath65001 + Wire.attribute(0x40, 3, [192, 0, 2, 1, 0]),
                nlri: Wire.nlri24), expected: .treatAsWithdraw),
        Case(
            name: "D22 NEXT_HOP 127.0.0.1",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.asPath65001 + Wire.attribute(0x40, 3, [127, 0, 0, 1]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D22 NEXT_HOP 0.0.0.0",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.asPath65001 + Wire.attribute(0x40, 3, [0, 0, 0, 0]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D22 NEXT_HOP multicast",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.asPath65001 + Wire.attribute(0x40, 3, [224, 0, 0, 1]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D22 bad NEXT_HOP with only MP NLRI is ignored",
            bytes: Wire.update(
                attributes: Wire.vpnReach() + Wire.origin + Wire.asPath65001 + Wire.attribute(0x40, 3, [0, 0, 0, 0, 0])),
            expected: .attributeDiscard),
        Case(
            name: "D23 MED length 3",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0x80, 4, [0, 0, 1]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D23 LOCAL_PREF length 3",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.asPath65001 + Wire.nextHop + Wire.attribute(0x40, 5, [0, 0, 1]),
                nlri: Wire.nlri24), expected: .treatAsWithdraw),
        Case(
            name: "D23 malformed LOCAL_PREF from an external peer",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.asPath65001 + Wire.nextHop + Wire.attribute(0x40, 5, [0, 0, 1]),
                nlri: Wire.nlri24), expected: .attributeDiscard, options: ebgp),
        Case(
            name: "D24 ATOMIC_AGGREGATE length 1",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0x40, 6, [1]), nlri: Wire.nlri24),
            expected: .attributeDiscard),
        Case(
            name: "D24 AGGREGATOR length 7",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 7, [0, 0, 0xFD, 0xE9, 192, 0, 2]), nlri: Wire.nlri24),
            expected: .attributeDiscard),
        Case(
            name: "D24 AGGREGATOR with AS 0",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 7, [0, 0, 0, 0, 192, 0, 2, 1]), nlri: Wire.nlri24),
            expected: .attributeDiscard),
        Case(
            name: "D25 COMMUNITIES length 0",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0xC0, 8, []), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D25 COMMUNITIES length 5",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 8, [0, 0, 0, 1, 2]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D25 EXTENDED_COMMUNITIES length 7",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 16, [0, 2, 0, 1, 0, 0, 0]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D25 LARGE_COMMUNITY length 11",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 32, Array(repeating: 1, count: 11)), nlri: Wire.nlri24
            ), expected: .treatAsWithdraw),
        Case(
            name: "D26 ORIGINATOR_ID length 3 from an internal peer",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0x80, 9, [1, 2, 3]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw, options: ibgp),
        Case(
            name: "D26 ORIGINATOR_ID length 3 from an external peer",
            bytes: Wire.update(
                attributes: Wire.origin + Wire.asPath65001 + Wire.nextHop + Wire.attribute(0x80, 9, [1, 2, 3]),
                nlri: Wire.nlri24), expected: .attributeDiscard, options: ebgp),
        Case(
            name: "D26 CLUSTER_LIST length 0",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0x80, 10, []), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D26 CLUSTER_LIST length 5",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0x80, 10, [1, 2, 3, 4, 5]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D27 OTC length 3",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0xC0, 35, [0, 0, 1]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D28 PMSI_TUNNEL shorter than 5",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0xC0, 22, [0, 6, 0, 0]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D28 PMSI_TUNNEL ingress replication endpoint of 3 octets",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 22, [0, 6, 0, 0, 0x64, 10, 0, 0]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D29 TUNNEL_ENCAPSULATION of length 3",
            bytes: Wire.update(attributes: Wire.mandatory + Wire.attribute(0xC0, 23, [0, 8, 0]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D29 TUNNEL_ENCAPSULATION TLV overruns",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 23, [0, 8, 0, 20, 1, 2]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D29 TUNNEL_ENCAPSULATION sub-TLV overruns",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 23, [0, 8, 0, 4, 1, 9, 0, 0]), nlri: Wire.nlri24),
            expected: .treatAsWithdraw),
        Case(
            name: "D30 unknown extended community is carried",
            bytes: Wire.update(
                attributes: Wire.mandatory + Wire.attribute(0xC0, 16, [0x7F, 0x7F, 1, 2, 3, 4, 5, 6]), nlri: Wire.nlri24
            ), expected: .clean),
        // E. MP_REACH / MP_UNREACH
        Case(
            name: "E31 MP_REACH shorter than AFI+SAFI",
            bytes: Wire.update(attributes: Wire.attribute(0x80, 14, [0, 1]) + Wire.origin + Wire.asPath65001),
            expected: .reset(3, 9)),
        Case(
            name: "E31 VPN-IPv4 next hop of length 4",
            bytes: Wire.update(attributes: Wire.vpnReach(nextHopLength: 4) + Wire.origin + Wire.asPath65001),
            expected: .afiSafiDisable),
        Case(
            name: "E31 next hop length overruns",
            bytes: Wire.update(
                attributes: Wire.attribute(0x80, 14, [0, 1, 128, 24, 0, 0, 0, 0]) + Wire.origin + Wire.asPath65001),
            expected: .afiSafiDisable),
        Case(
            name: "E31 reserved octet missing",
            bytes: Wire.update(
                attributes: Wire.attribute(0x80, 14, [0, 1, 128, 12] + Array(repeating: 0, count: 8) + [192, 0, 2, 1])
                    + Wire.origin + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "E31 zero-length next hop for VPN-IPv4",
            bytes: Wire.update(
                attributes: Wire.attribute(0x80, 14, [0, 1, 128, 0, 0]) + Wire.origin + Wire.asPath65001),
            expected: .afiSafiDisable),
        Case(
            name: "E31 non-zero RD in a VPN next hop",
            bytes: Wire.update(
                attributes: Wire.attribute(0x80, 14, [0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 1, 192, 0, 2, 1, 0])
                    + Wire.origin + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "E32 unknown family is kept raw, not misparsed",
            bytes: Wire.update(
                attributes: Wire.attribute(0x80, 14, [0, 1, 99, 4, 192, 0, 2, 1, 0, 1, 2, 3]) + Wire.origin
                    + Wire.asPath65001), expected: .clean),
        Case(
            name: "E33 MP_UNREACH NLRI overruns",
            bytes: Wire.update(attributes: Wire.attribute(0x80, 15, [0, 1, 128, 120, 0, 6, 0x41])),
            expected: .afiSafiDisable),
        Case(
            name: "E33 MP_UNREACH with only AFI/SAFI is End-of-RIB",
            bytes: Wire.update(attributes: Wire.attribute(0x80, 15, [0, 1, 128])), expected: .clean),
        // F. NLRI
        Case(
            name: "F34 IPv4 prefix length 33",
            bytes: Wire.update(attributes: Wire.mandatory, nlri: [33, 10, 0, 0, 0, 0]), expected: .reset(3, 10)),
        Case(
            name: "F34 IPv4 prefix truncated", bytes: Wire.update(attributes: Wire.mandatory, nlri: [24, 10, 0]),
            expected: .reset(3, 10)),
        Case(
            name: "F34 withdrawn prefix length 40", bytes: Wire.update(withdrawn: [40, 1, 2, 3, 4, 5]),
            expected: .reset(3, 10)),
        Case(
            name: "F34 /0 and many zero-length prefixes",
            bytes: Wire.update(attributes: Wire.mandatory, nlri: Array(repeating: 0, count: 50)), expected: .clean),
        Case(
            name: "F35 VPN prefix length shorter than label + RD",
            bytes: Wire.update(
                attributes: Wire.vpnReach(nlri: [80, 0, 6, 0x41, 0, 0, 0xFD, 0xE8, 0, 0, 0]) + Wire.origin
                    + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "F35 VPN prefix length longer than label + RD + 32",
            bytes: Wire.update(
                attributes: Wire.vpnReach(nlri: [121, 0, 6, 0x41, 0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 10, 0, 0, 1, 0])
                    + Wire.origin + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "F35 VPN NLRI truncated in the RD",
            bytes: Wire.update(
                attributes: Wire.vpnReach(nlri: [120, 0, 6, 0x41, 0, 0, 0xFD]) + Wire.origin + Wire.asPath65001),
            expected: .afiSafiDisable),
        Case(
            name: "F35 withdrawal with the 0x800000 label",
            bytes: Wire.update(
                attributes: Wire.attribute(
                    0x80, 15, [0, 1, 128, 120, 0x80, 0, 0, 0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 10, 0, 0, 1])),
            expected: .clean),
        Case(
            name: "F36 EVPN MAC/IP route with MAC length 47",
            bytes: Wire.update(
                attributes: Wire.attribute(
                    0x90, 14,
                    [0, 25, 70, 4, 192, 0, 2, 1, 0, 2, 33] + Array(repeating: 0, count: 22) + [47]
                        + Array(repeating: 0, count: 6) + [0, 0, 0, 1]) + Wire.origin + Wire.asPath65001),
            expected: .afiSafiDisable),
        Case(
            name: "F36 EVPN unknown route type is kept",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 25, 70, 4, 192, 0, 2, 1, 0, 9, 3, 1, 2, 3]) + Wire.origin
                    + Wire.asPath65001), expected: .clean),
        Case(
            name: "F36 EVPN route length overruns",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 25, 70, 4, 192, 0, 2, 1, 0, 3, 40, 0, 0]) + Wire.origin
                    + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "F37 RTC prefix length 20",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 1, 132, 4, 192, 0, 2, 1, 0, 20, 0, 0, 1]) + Wire.origin
                    + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "F37 RTC prefix length 97",
            bytes: Wire.update(
                attributes: Wire.attribute(
                    0x90, 14, [0, 1, 132, 4, 192, 0, 2, 1, 0, 97] + Array(repeating: 1, count: 13)) + Wire.origin
                    + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "F37 RTC default route (length 0)",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 1, 132, 4, 192, 0, 2, 1, 0, 0]) + Wire.origin
                    + Wire.asPath65001), expected: .clean),
        Case(
            name: "F38 flowspec NLRI of length 0",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 1, 133, 0, 0, 0]) + Wire.origin + Wire.asPath65001),
            expected: .afiSafiDisable),
        Case(
            name: "F38 flowspec components out of order",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 1, 133, 0, 0, 10, 2, 24, 10, 0, 0, 1, 24, 10, 0, 1])
                    + Wire.origin + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "F38 flowspec unknown component type",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 1, 133, 0, 0, 3, 99, 0x81, 6]) + Wire.origin + Wire.asPath65001
            ), expected: .afiSafiDisable),
        Case(
            name: "F38 flowspec operator list without end bit",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 1, 133, 0, 0, 3, 3, 0x01, 6]) + Wire.origin + Wire.asPath65001),
            expected: .afiSafiDisable),
        Case(
            name: "F38 flowspec prefix length 33",
            bytes: Wire.update(
                attributes: Wire.attribute(0x90, 14, [0, 1, 133, 0, 0, 7, 1, 33, 10, 0, 0, 0, 0]) + Wire.origin
                    + Wire.asPath65001), expected: .afiSafiDisable),
        Case(
            name: "F39 ADD-PATH expected but absent", bytes: Wire.update(attributes: Wire.mandatory, nlri: Wire.nlri24),
            expected: .reset(3, 10), options: DecodingOptions(addPathReceive: [.ipv4Unicast])),
        // G. Other messages
        Case(
            name: "G40 NOTIFICATION with unknown code", bytes: Wire.message(type: 3, body: [99, 99, 1, 2]),
            expected: .clean),
        Case(
            name: "G40 Cease with a shutdown communication longer than its data",
            bytes: Wire.message(type: 3, body: [6, 2, 50, 0x61]), expected: .clean),
        Case(name: "G41 KEEPALIVE with a payload", bytes: Wire.message(type: 4, body: [0]), expected: .reset(1, 2)),
        Case(
            name: "G42 BoRR with extra octets", bytes: Wire.message(type: 5, body: [0, 1, 1, 128, 0]),
            expected: .reset(7, 1)),
        Case(
            name: "G42 unknown AFI/SAFI in ROUTE-REFRESH is decoded",
            bytes: Wire.message(type: 5, body: [0x12, 0x34, 0, 99]), expected: .clean),
    ]

    @Test("Each malformed message gets exactly its RFC 7606 action", arguments: cases)
    func action(_ c: Case) {
        do {
            let decoded = try BGPMessage.decode(c.bytes, options: c.options)
            switch (c.expected, decoded.action) {
            case (.clean, nil), (.treatAsWithdraw, .treatAsWithdraw?), (.attributeDiscard, .attributeDiscard?),
                (.afiSafiDisable, .afiSafiDisable?):
                break
            default:
                Issue.record("expected \(c.expected), got \(decoded.errors.map(\.description))")
            }
        } catch {
            guard case .reset(let code, let subcode) = c.expected, case .sessionReset(let n) = error.action else {
                Issue.record("expected \(c.expected), got \(error)")
                return
            }
            #expect(n.errorCode == code && n.errorSubcode == subcode, "got \(error)")
        }
    }

    @Test("Treat-as-withdraw still yields the routes to withdraw")
    func treatAsWithdrawKeepsNLRI() throws {
        let bytes = Wire.update(
            attributes: Wire.vpnReach() + Wire.attribute(0x40, 1, [7]) + Wire.asPath65001, nlri: Wire.nlri24)
        let decoded = try BGPMessage.decode(bytes)
        #expect(decoded.action == .treatAsWithdraw)
        guard case .update(let u) = decoded.effectiveMessage else {
            Issue.record("not an UPDATE")
            return
        }
        #expect(u.nlri.isEmpty)
        #expect(u.withdrawnRoutes.map(\.prefix.description) == ["10.0.0.0/24"])
        #expect(u.mpReach == nil)
        guard case .vpnIPv4(let withdrawn)? = u.mpUnreach?.withdrawnRoutes else {
            Issue.record("VPN route not withdrawn")
            return
        }
        #expect(withdrawn.map(\.prefix.description) == ["10.0.0.1/32"])
        #expect(u.pathAttributes.count == 1)
    }

    @Test("A Session reset NOTIFICATION carries the offending attribute")
    func notificationData() {
        let bad = Wire.attribute(0x40, 99, [1])
        do {
            _ = try BGPMessage.decode(Wire.update(attributes: Wire.mandatory + bad, nlri: Wire.nlri24))
            Issue.record("no error")
        } catch {
            guard case .sessionReset(let n) = error.action else {
                Issue.record("\(error)")
                return
            }
            #expect(n.data == bad)
        }
    }

    @Test("Host bits beyond the prefix length are cleared")
    func hostBitsNormalized() throws {
        let decoded = try BGPMessage.decode(Wire.update(attributes: Wire.mandatory, nlri: [20, 10, 1, 0xFF]))
        guard case .update(let u) = decoded.message else { return }
        #expect(u.nlri.first?.prefix.description == "10.1.240.0/20")
    }
}
