import BGPSession
import BGPSpeaker
import BGPWire
import Foundation
import Testing

/// What RFC 7606 (or RFC 4271 / 6608 / 7313 where 7606 does not apply) says the speaker does with a bad input.
enum ExpectedHandling: Sendable, CustomStringConvertible {
    /// The bad UPDATE's routes are withdrawn (not in the Adj-RIB-In); the session stays up.
    case treatAsWithdraw
    /// The route is kept without the attribute `code`; the session stays up.
    case attributeDiscard(UInt8)
    /// Not an error: the route is kept (with the attribute `keeps`, if given); the session stays up.
    case accepted(keeps: UInt8?)
    /// The session is reset with this NOTIFICATION.
    case reset(code: UInt8, subcode: UInt8)
    /// The session is reset with a NOTIFICATION of one of these (code, subcode), or of `code` with any subcode
    /// when the subcode is nil.
    case resetWithAny([(code: UInt8, subcode: UInt8?)])
    /// RFC 7606 §5.3/§7.11: an NLRI or next hop that cannot be parsed: session reset (UPDATE Message Error) or
    /// AFI/SAFI disable; either way the session does not carry the route and IPv4 keeps working.
    case resetOrDisable

    var description: String {
        switch self {
        case .treatAsWithdraw: "treat-as-withdraw"
        case .attributeDiscard(let code): "attribute-discard of \(code)"
        case .accepted(let code): "accepted" + (code.map { ", attribute \($0) kept" } ?? "")
        case .reset(let code, let subcode): "session reset \(code)/\(subcode)"
        case .resetWithAny(let list):
            "session reset with one of \(list.map { "\($0.code)/\($0.subcode.map(String.init) ?? "*")" })"
        case .resetOrDisable: "session reset or AFI/SAFI disable"
        }
    }

    var resets: Bool {
        switch self {
        case .reset, .resetWithAny: true
        default: false
        }
    }

    func allows(_ notification: NotificationMessage) -> Bool {
        switch self {
        case .reset(let code, let subcode):
            notification.errorCode == code && notification.errorSubcode == subcode
        case .resetWithAny(let list):
            list.contains {
                $0.code == notification.errorCode && ($0.subcode == nil || $0.subcode == notification.errorSubcode)
            }
        case .resetOrDisable:
            notification.errorCode == NotificationMessage.ErrorCode.updateMessageError.rawValue
        default:
            false
        }
    }
}

/// Bytes of BGP messages, built by hand (so that they can be wrong).
enum Raw {
    static func message(_ type: UInt8, _ body: [UInt8], length: Int? = nil) -> [UInt8] {
        let total = length ?? 19 + body.count
        return [UInt8](repeating: 0xFF, count: 16) + [UInt8(total >> 8), UInt8(total & 0xFF), type] + body
    }

    static func attribute(_ flags: UInt8, _ code: UInt8, _ value: [UInt8]) -> [UInt8] {
        if flags & 0x10 != 0 { return [flags, code, UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value }
        return [flags, code, UInt8(value.count)] + value
    }

    static func update(withdrawn: [UInt8] = [], attributes: [UInt8], nlri: [UInt8]) -> [UInt8] {
        message(
            2,
            [UInt8(withdrawn.count >> 8), UInt8(withdrawn.count & 0xFF)] + withdrawn
                + [UInt8(attributes.count >> 8), UInt8(attributes.count & 0xFF)] + attributes + nlri)
    }

    static func ipv4(_ text: String) -> [UInt8] { text.split(separator: ".").map { UInt8($0)! } }

    static let keepalive = message(4, [])

    static func open(
        asn: UInt32, holdTime: UInt16 = 90, identifier: String, version: UInt8 = 4,
        families: [AddressFamily] = [.ipv4Unicast, .vpnIPv4]
    ) -> [UInt8] {
        var bytes = BGPMessage.open(
            OpenMessage(
                asn: asn, holdTime: holdTime, bgpIdentifier: IPv4Address(identifier)!,
                capabilities: families.map(Capability.multiprotocol) + [.routeRefresh, .fourOctetAS(asn)])
        ).encode()
        bytes[19] = version
        return bytes
    }
}

/// One bad input sent by ExaBGP (raw path attributes on an IPv4 route, interop-lab.md §6) or by a raw socket.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// Item of bgp-anchors-and-robustness.md §3.3.
    var item: String
    var expected: ExpectedHandling
    var external = false
    /// ExaBGP: attributes added to (or replacing ExaBGP's own, same code) the route's.
    var attributes: [RawAttribute] = []
    /// Raw socket: the bytes replace our OPEN (the case is about the OPEN exchange).
    var replacesOpen = false
    /// Raw socket: the messages sent once the session is up (or instead of the OPEN when `replacesOpen`).
    var bytes: @Sendable (_ peer: String) -> [UInt8] = { _ in [] }

    var testDescription: String { "\(item) \(name): \(expected)" }
}

/// RFC 7606 (and RFC 4271 §6) with live input: each §3.3 case a live peer can send goes to our speaker, then a
/// well-formed sentinel route; the session must stay up (and the bad route be handled as RFC 7606 says) or be
/// reset with the right NOTIFICATION.
@Suite("Interop: malformed input (RFC 7606)", .interopLab, .timeLimit(.minutes(5)))
struct MalformedInputTests {
    static let badPrefix = "192.168.66.0/24"
    static let sentinel = "192.168.250.0/24"

    // MARK: - Through ExaBGP

    static let originAS: [UInt8] = [0, 0, 0xFB, 0xC1]  // 64513 as 4 octets
    static func mpReach(afi: UInt16, safi: UInt8, nextHop: [UInt8], nlri: [UInt8]) -> [UInt8] {
        [UInt8(afi >> 8), UInt8(afi & 0xFF), safi, UInt8(nextHop.count)] + nextHop + [0] + nlri
    }
    /// VPN-IPv4 192.168.77.0/24, label 1000, RD 64512:1.
    static let vpnNLRI: [UInt8] = [112, 0x00, 0x3E, 0x81, 0, 0, 0xFC, 0, 0, 0, 0, 1, 192, 168, 77]

    static let exabgpCases: [MalformedCase] = [
        MalformedCase(
            name: "ORIGIN of length 2", item: "D19", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 1, flags: 0x40, value: [0, 0])]),
        MalformedCase(
            name: "ORIGIN value 3", item: "D19", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 1, flags: 0x40, value: [3])]),
        MalformedCase(
            name: "ORIGIN with the Optional bit", item: "C16", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 1, flags: 0xC0, value: [0])]),
        MalformedCase(
            name: "AS_PATH segment type 0", item: "D20", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 2, flags: 0x40, value: [0, 1] + originAS)]),
        MalformedCase(
            name: "AS_PATH segment of length 0", item: "D20", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 2, flags: 0x40, value: [2, 0])]),
        MalformedCase(
            name: "AS_PATH segment overrun", item: "D20", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 2, flags: 0x40, value: [2, 3] + originAS)]),
        MalformedCase(
            name: "AS_PATH not a multiple of 4 octets", item: "D20", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 2, flags: 0x40, value: [2, 1, 0, 0, 0xFB])]),
        MalformedCase(
            name: "AS_PATH with AS 0", item: "D20", expected: .treatAsWithdraw, external: true,
            attributes: [RawAttribute(code: 2, flags: 0x40, value: [2, 2] + originAS + [0, 0, 0, 0])]),
        MalformedCase(
            name: "MULTI_EXIT_DISC of length 3", item: "D23", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 4, flags: 0x80, value: [0, 0, 1])]),
        MalformedCase(
            name: "LOCAL_PREF of length 3 (iBGP)", item: "D23", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 5, flags: 0x40, value: [0, 0, 100])]),
        MalformedCase(
            name: "LOCAL_PREF from an external peer", item: "D23", expected: .attributeDiscard(5), external: true,
            attributes: [RawAttribute(code: 5, flags: 0x40, value: [0, 0, 0, 100])]),
        MalformedCase(
            name: "ATOMIC_AGGREGATE of length 1", item: "D24", expected: .attributeDiscard(6),
            attributes: [RawAttribute(code: 6, flags: 0x40, value: [0])]),
        MalformedCase(
            name: "AGGREGATOR of length 7", item: "D24", expected: .attributeDiscard(7),
            attributes: [RawAttribute(code: 7, flags: 0xC0, value: [0, 0, 0xFB, 0xC1, 10, 0, 0])]),
        MalformedCase(
            name: "COMMUNITIES of length 3", item: "D25", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 8, flags: 0xC0, value: [0, 0, 1])]),
        MalformedCase(
            name: "EXTENDED_COMMUNITIES of length 7", item: "D25", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 16, flags: 0xC0, value: [0, 2, 0xFC, 0, 0, 0, 1])]),
        MalformedCase(
            name: "LARGE_COMMUNITIES of length 11", item: "D25", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 32, flags: 0xC0, value: [UInt8](repeating: 1, count: 11))]),
        MalformedCase(
            name: "ORIGINATOR_ID of length 3 (iBGP)", item: "D26", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 9, flags: 0x80, value: [10, 0, 0])]),
        MalformedCase(
            name: "CLUSTER_LIST of length 6 (iBGP)", item: "D26", expected: .treatAsWithdraw,
            attributes: [RawAttribute(code: 10, flags: 0x80, value: [10, 0, 0, 1, 10, 0])]),
        MalformedCase(
            name: "OTC of length 3", item: "D27", expected: .treatAsWithdraw, external: true,
            attributes: [RawAttribute(code: 35, flags: 0xC0, value: [0, 0, 1])]),
        MalformedCase(
            name: "unknown optional transitive attribute", item: "C18", expected: .accepted(keeps: 240),
            attributes: [RawAttribute(code: 240, flags: 0xC0, value: [1, 2, 3])]),
        MalformedCase(
            name: "unknown optional non-transitive attribute", item: "C18", expected: .accepted(keeps: nil),
            attributes: [RawAttribute(code: 241, flags: 0x80, value: [1])]),
        MalformedCase(
            name: "unknown well-known attribute", item: "C18", expected: .reset(code: 3, subcode: 2),
            attributes: [RawAttribute(code: 242, flags: 0x40, value: [1])]),
        MalformedCase(
            name: "extended-length bit on a short COMMUNITIES", item: "C16", expected: .accepted(keeps: 8),
            attributes: [RawAttribute(code: 8, flags: 0xD0, value: [0xFC, 0, 0, 1])]),
        MalformedCase(
            name: "MP_REACH_NLRI of a family not negotiated (IPv6 unicast)", item: "E32",
            expected: .accepted(keeps: nil),
            attributes: [
                RawAttribute(
                    code: 14, flags: 0x80,
                    value: mpReach(
                        afi: 2, safi: 1, nextHop: [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1],
                        nlri: [64, 0x20, 0x01, 0x0D, 0xB8, 0, 1, 0, 0]))
            ]),
        MalformedCase(
            name: "MP_REACH_NLRI VPN-IPv4 with a 4-octet next hop", item: "E31", expected: .resetOrDisable,
            attributes: [
                RawAttribute(
                    code: 14, flags: 0x80, value: mpReach(afi: 1, safi: 128, nextHop: [10, 0, 0, 1], nlri: vpnNLRI))
            ]),
        MalformedCase(
            name: "MP_REACH_NLRI VPN-IPv4 prefix length 255", item: "F35", expected: .resetOrDisable,
            attributes: [
                RawAttribute(
                    code: 14, flags: 0x80,
                    value: mpReach(
                        afi: 1, safi: 128, nextHop: [UInt8](repeating: 0, count: 8) + [10, 0, 0, 1],
                        nlri: [255] + vpnNLRI.dropFirst()))
            ]),
        MalformedCase(
            name: "MP_REACH_NLRI EVPN type 2 with a MAC length of 47", item: "F36", expected: .resetOrDisable,
            attributes: [
                RawAttribute(
                    code: 14, flags: 0x80,
                    value: mpReach(
                        afi: 25, safi: 70, nextHop: [10, 0, 0, 1],
                        nlri: [2, 33, 0, 1, 10, 0, 0, 1, 0, 7] + [UInt8](repeating: 0, count: 14) + [
                            47, 0x52, 0x54, 0, 0, 0, 1, 0, 0, 0x3F, 0x21,
                        ]))
            ]),
        MalformedCase(
            name: "MP_REACH_NLRI EVPN route of an unknown type", item: "F36", expected: .accepted(keeps: nil),
            attributes: [
                RawAttribute(
                    code: 14, flags: 0x80,
                    value: mpReach(afi: 25, safi: 70, nextHop: [10, 0, 0, 1], nlri: [99, 3, 1, 2, 3]))
            ]),
        MalformedCase(
            name: "MP_UNREACH_NLRI with a truncated VPN-IPv4 route", item: "E33", expected: .resetOrDisable,
            attributes: [RawAttribute(code: 15, flags: 0x80, value: [0, 1, 128, 120, 0, 0])]),
        MalformedCase(
            name: "MP_REACH_NLRI VPN flowspec with an NLRI of length 0", item: "F38", expected: .resetOrDisable,
            attributes: [RawAttribute(code: 14, flags: 0x80, value: [0, 1, 134, 0, 0, 0])]),
    ]

    @Test("Through ExaBGP", arguments: exabgpCases)
    func throughExaBGP(_ c: MalformedCase) async throws {
        try await Lab.with("malformed-exabgp-\(c.item)") { lab in
            let pair = try await Pair.start(
                .exabgp, lab: lab, theirAS: c.external ? 64513 : 64512, families: [.ipv4, .vpnv4, .evpn, .vpnFlowspec])
            let exabgp = try #require(pair.peer as? ExaBGPPeer)
            try await exabgp.announceRaw(prefix: Self.badPrefix, attributes: c.attributes)
            if c.expected.resets || c.expected.isResetOrDisable {
                // ExaBGP sends the bad route again on every new session: take it out of its table once seen.
                _ = try? await pair.speaker.waitForDownReasons(pair.them, timeout: .seconds(3))
                try await exabgp.send("withdraw route \(Self.badPrefix) next-hop \(pair.them)")
            }
            try await Self.check(c, pair: pair) { try await exabgp.announce(.ipv4(Self.sentinel)) }
            if case .reset(let code, let subcode) = c.expected {
                #expect(exabgp.notifications().contains { $0.code == code && $0.subcode == subcode })
            }
        }
    }

    // MARK: - Through a raw socket

    static func attributes(_ them: String, external: Bool = true) -> [UInt8] {
        Raw.attribute(0x40, 1, [0]) + Raw.attribute(0x40, 2, [2, 1] + originAS) + Raw.attribute(0x40, 3, Raw.ipv4(them))
    }

    static let prefixBytes: [UInt8] = [24, 192, 168, 66]

    static let rawCases: [MalformedCase] = [
        MalformedCase(name: "marker not all ones", item: "A1", expected: .reset(code: 1, subcode: 1)) { _ in
            var bytes = Raw.keepalive
            bytes[3] = 0
            return bytes
        },
        MalformedCase(name: "message length 18", item: "A2", expected: .reset(code: 1, subcode: 2)) { _ in
            Raw.message(4, [], length: 18)
        },
        MalformedCase(name: "message length 5000", item: "A2", expected: .reset(code: 1, subcode: 2)) { _ in
            Raw.message(2, [0, 0, 0, 0], length: 5000)
        },
        MalformedCase(name: "unknown message type 9", item: "A3", expected: .reset(code: 1, subcode: 3)) { _ in
            Raw.message(9, [])
        },
        MalformedCase(name: "KEEPALIVE with a payload", item: "G41", expected: .reset(code: 1, subcode: 2)) { _ in
            Raw.message(4, [0])
        },
        // RFC 7313 §5: a BoRR/EoRR must be exactly 23 octets (a normal request may carry ORF entries, RFC 5291).
        MalformedCase(
            name: "ROUTE-REFRESH BoRR of length 24", item: "G42", expected: .reset(code: 7, subcode: 1)
        ) { _ in Raw.message(5, [0, 1, 1, 128, 0]) },
        MalformedCase(name: "OPEN in Established", item: "A5", expected: .reset(code: 5, subcode: 3)) { them in
            Raw.open(asn: 64513, identifier: them)
        },
        MalformedCase(
            name: "withdrawn-routes length overruns the message", item: "C11", expected: .reset(code: 3, subcode: 1)
        ) { _ in Raw.message(2, [0, 40, 24, 192, 168, 66, 0, 0]) },
        MalformedCase(
            name: "total path attribute length overruns the message", item: "C11",
            expected: .reset(code: 3, subcode: 1)
        ) { them in Raw.message(2, [0, 0, 0, 200] + attributes(them) + prefixBytes) },
        MalformedCase(
            name: "an attribute overruns the attribute block, NLRI locatable", item: "C15", expected: .treatAsWithdraw
        ) { them in
            let attributes = attributes(them) + [0xC0, 8, 40, 0, 0, 0, 1]
            return Raw.update(attributes: attributes, nlri: prefixBytes)
        },
        MalformedCase(name: "NLRI with no path attributes", item: "C12", expected: .treatAsWithdraw) { _ in
            Raw.update(attributes: [], nlri: prefixBytes)
        },
        MalformedCase(name: "NLRI without NEXT_HOP", item: "C13", expected: .treatAsWithdraw) { _ in
            Raw.update(
                attributes: Raw.attribute(0x40, 1, [0]) + Raw.attribute(0x40, 2, [2, 1] + originAS), nlri: prefixBytes)
        },
        MalformedCase(name: "NEXT_HOP of length 5", item: "D22", expected: .treatAsWithdraw) { them in
            Raw.update(
                attributes: Raw.attribute(0x40, 1, [0]) + Raw.attribute(0x40, 2, [2, 1] + originAS)
                    + Raw.attribute(0x40, 3, Raw.ipv4(them) + [0]),
                nlri: prefixBytes)
        },
        MalformedCase(name: "NEXT_HOP 0.0.0.0", item: "D22", expected: .treatAsWithdraw) { _ in
            Raw.update(
                attributes: Raw.attribute(0x40, 1, [0]) + Raw.attribute(0x40, 2, [2, 1] + originAS)
                    + Raw.attribute(0x40, 3, [0, 0, 0, 0]),
                nlri: prefixBytes)
        },
        MalformedCase(
            name: "trailing bytes shorter than an attribute header", item: "C14", expected: .treatAsWithdraw
        ) { them in Raw.update(attributes: attributes(them) + [0x40, 6], nlri: prefixBytes) },
        MalformedCase(name: "ORIGIN twice (the first one counts)", item: "C17", expected: .accepted(keeps: 1)) { them in
            Raw.update(attributes: attributes(them) + Raw.attribute(0x40, 1, [2]), nlri: prefixBytes)
        },
        MalformedCase(name: "MP_REACH_NLRI twice", item: "C17", expected: .reset(code: 3, subcode: 1)) { them in
            let reach = Raw.attribute(
                0x80, 14,
                mpReach(afi: 1, safi: 128, nextHop: [UInt8](repeating: 0, count: 8) + Raw.ipv4(them), nlri: vpnNLRI))
            return Raw.update(attributes: attributes(them) + reach + reach, nlri: [])
        },
        MalformedCase(name: "NOTIFICATION with an unknown code", item: "G40", expected: .accepted(keeps: nil)) { _ in
            Raw.message(3, [99, 1, 0xDE, 0xAD])
        },
        MalformedCase(name: "OPEN version 5", item: "B7", expected: .reset(code: 2, subcode: 1), replacesOpen: true) {
            them in
            Raw.open(asn: 64513, identifier: them, version: 5)
        },
        MalformedCase(name: "OPEN hold time 2", item: "B7", expected: .reset(code: 2, subcode: 6), replacesOpen: true) {
            them in
            Raw.open(asn: 64513, holdTime: 2, identifier: them)
        },
        MalformedCase(
            name: "OPEN BGP Identifier 0", item: "B7", expected: .reset(code: 2, subcode: 3), replacesOpen: true
        ) { _ in
            Raw.open(asn: 64513, identifier: "0.0.0.0")
        },
        MalformedCase(
            name: "OPEN from the wrong AS", item: "B7", expected: .reset(code: 2, subcode: 2), replacesOpen: true
        ) { them in
            Raw.open(asn: 64999, identifier: them)
        },
        MalformedCase(
            name: "OPEN optional parameters overrun", item: "B8",
            expected: .resetWithAny([(code: 2, subcode: nil), (code: 1, subcode: 2)]), replacesOpen: true
        ) { them in
            var bytes = Raw.open(asn: 64513, identifier: them)
            bytes[28] = bytes[28] &+ 10
            return bytes
        },
        MalformedCase(
            name: "UPDATE before OPEN", item: "A5",
            expected: .resetWithAny([(code: 5, subcode: 1), (code: 5, subcode: 0)]),
            replacesOpen: true
        ) { them in Raw.update(attributes: attributes(them), nlri: prefixBytes) },
    ]

    @Test("Through a raw socket", arguments: rawCases)
    func throughRawSocket(_ c: MalformedCase) async throws {
        try await Lab.with("malformed-raw-\(c.item)") { lab in
            let netns = try await lab.makeNamespace("raw")
            let link = try await lab.connectToHost(netns)
            let them = link.b.address
            let speaker = try await LabSpeaker.start(
                lab: lab, local: link.a.address, as: 64512,
                peers: [
                    SpeakerPeer(address: them, peerAS: 64513, passive: true, holdTime: 90, families: [.ipv4, .vpnv4])
                ])
            let raw = try RawBGPPeer(lab: lab, netns: netns)
            let sentinel = Raw.update(attributes: Self.attributes(them), nlri: [24, 192, 168, 250])
            var steps: [RawStep]
            if c.replacesOpen {
                steps = [.send(c.bytes(them)), .wait(type: 3, count: 1, timeout: 5)]
            } else {
                steps = [
                    .send(Raw.open(asn: 64513, identifier: them)), .wait(type: 1, count: 1, timeout: 10),
                    .send(Raw.keepalive), .wait(type: 4, count: 1, timeout: 10), .sleep(0.3), .send(c.bytes(them)),
                    .sleep(0.5), .send(sentinel),
                ]
            }
            let resets = c.expected.resets || c.expected.isResetOrDisable
            // A session that must stay up stays open while it is checked (closing it would drop its routes).
            try raw.run(connectTo: link.a.address, from: them, steps: steps, linger: resets ? 8 : 20)
            if resets || c.item == "G40" { try await raw.waitUntilDone() }
            let notifications = raw.notifications
            switch c.expected {
            case .reset, .resetWithAny, .resetOrDisable:
                let received = notifications.map { NotificationMessage(errorCode: $0.code, errorSubcode: $0.subcode) }
                #expect(received.contains { c.expected.allows($0) }, "NOTIFICATIONs received: \(received)")
                #expect(raw.sawEOF, "the speaker closed the connection\n\(raw.logTail())")
                if !c.replacesOpen {
                    let reasons = try await speaker.waitForDownReasons(them)
                    guard case .errorSent(let sent) = reasons.first else {
                        Issue.record("down reason \(reasons)")
                        return
                    }
                    #expect(c.expected.allows(sent), "\(sent)")
                }
            case .accepted where c.item == "G40":
                // The peer's NOTIFICATION ends the session; the speaker takes it and goes on.
                let reasons = try await speaker.waitForDownReasons(them)
                guard case .notificationReceived(let notification) = reasons.first else {
                    Issue.record("down reason \(reasons)")
                    return
                }
                #expect(notification.errorCode == 99)
            default:
                #expect(notifications.isEmpty, "NOTIFICATIONs received: \(notifications)")
                try await Self.check(c, speaker: speaker, peer: them, afterSentinel: true)
            }
        }
    }

    // MARK: - Checks

    /// After the bad input (and, for resets, after the session came back): sends the sentinel with `sendSentinel`,
    /// then checks the session and the Adj-RIB-In against `c.expected`.
    static func check(_ c: MalformedCase, pair: Pair, sendSentinel: () async throws -> Void) async throws {
        if c.expected.resets || c.expected.isResetOrDisable {
            try await pair.speaker.waitEstablished(pair.them, timeout: .seconds(30))
        }
        try await sendSentinel()
        try await check(c, speaker: pair.speaker, peer: pair.them, afterSentinel: true)
    }

    static func check(_ c: MalformedCase, speaker: LabSpeaker, peer: String, afterSentinel: Bool) async throws {
        try await speaker.waitForRoutes([.ipv4(sentinel)], from: peer, timeout: .seconds(15))
        let entries = await speaker.speaker.adjRIBIn(peer: IPAddress(peer)!, family: .ipv4Unicast)
        let bad = entries.first { LabRoute($0)?.key == badPrefix }
        let reasons = speaker.downReasons(peer)
        let reports = speaker.errorReports(peer).map(\.handling)
        switch c.expected {
        case .treatAsWithdraw:
            #expect(bad == nil, "the route is withdrawn")
            #expect(reasons.isEmpty, "session stays up: \(reasons)")
            #expect(reports.contains(.treatAsWithdraw), "reported: \(reports)")
        case .attributeDiscard(let code):
            let route = try #require(bad, "the route is kept")
            #expect(!route.attributes.contains { $0.typeCode == code }, "attribute \(code) is discarded")
            #expect(reasons.isEmpty, "session stays up: \(reasons)")
            // LOCAL_PREF from an external peer is not malformed, just not for us (RFC 7606 §7.5): no report needed.
            if code != 5 { #expect(reports.contains(.attributeDiscard), "reported: \(reports)") }
        case .accepted(let keeps):
            #expect(reasons.isEmpty, "session stays up: \(reasons)")
            if c.attributes.isEmpty || c.attributes.allSatisfy({ $0.code != 14 }) || keeps != nil {
                let route = try #require(bad, "the route is kept")
                if let keeps { #expect(route.attributes.contains { $0.typeCode == keeps }, "attribute \(keeps) kept") }
                if c.item == "C17", keeps == 1 {
                    #expect(route.attributes.contains(PathAttribute(.origin(.igp))), "the first ORIGIN counts")
                }
            }
        case .reset(let code, let subcode):
            guard case .errorSent(let notification) = reasons.first else {
                Issue.record("expected a reset with \(code)/\(subcode), got \(reasons)")
                return
            }
            #expect(notification.errorCode == code && notification.errorSubcode == subcode, "\(notification)")
            #expect(bad == nil)
        case .resetWithAny:
            guard case .errorSent(let notification) = reasons.first else {
                Issue.record("expected a reset (\(c.expected)), got \(reasons)")
                return
            }
            #expect(c.expected.allows(notification), "\(notification)")
        case .resetOrDisable:
            if case .errorSent(let notification) = reasons.first {
                #expect(c.expected.allows(notification), "\(notification)")
            } else {
                #expect(reasons.isEmpty, "\(reasons)")
                #expect(
                    reports.contains { if case .afiSafiDisable = $0 { true } else { false } },
                    "neither a session reset nor an AFI/SAFI disable: \(reports)")
            }
        }
    }
}

extension ExpectedHandling {
    var isResetOrDisable: Bool {
        if case .resetOrDisable = self { return true }
        return false
    }
}
