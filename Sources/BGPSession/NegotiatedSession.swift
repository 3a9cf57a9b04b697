public import BGPWire

/// What two speakers agreed on in their OPENs (RFC 4271 §4.2, RFC 5492), and the codec options that follow.
///
/// A capability counts only when both sides advertised it; the families are those both announced (RFC 4760
/// §8), the hold time the smaller proposal (RFC 4271 §4.2).
public struct NegotiatedSession: Hashable, Sendable {
    /// The peer's AS, from its 4-octet AS capability when present (RFC 6793 §4.1).
    public var peerAS: UInt32
    public var peerIdentifier: IPv4Address
    public var peerType: DecodingOptions.PeerType
    /// The smaller of both proposals (RFC 4271 §4.2); zero means no hold timer and no KEEPALIVEs.
    public var holdTime: HoldTime
    /// Families both sides announced, in the order of our configuration. A peer that sends no Multiprotocol
    /// capability supports IPv4 unicast only (RFC 4760 §8).
    public var families: [AddressFamily]
    /// Both sides support 4-octet AS numbers (RFC 6793): AS_PATH and AGGREGATOR carry 4-octet ASNs. When not,
    /// the peer is an "OLD" speaker and AS paths are translated (see ``ASPathTranslation``).
    public var fourOctetAS: Bool
    /// Families for which we receive path identifiers (we asked to receive, the peer to send; RFC 7911 §4).
    public var addPathReceive: Set<AddressFamily>
    /// Families for which we may send several paths with path identifiers (RFC 7911 §4).
    public var addPathSend: Set<AddressFamily>
    /// Both advertised Extended Message: messages up to 65535 octets (RFC 8654).
    public var extendedMessage: Bool
    /// Both advertised Route Refresh: we may send the peer ROUTE-REFRESH (RFC 2918 §4).
    public var routeRefresh: Bool
    /// Both advertised Enhanced Route Refresh (RFC 7313 §3): refreshes are framed by BoRR and EoRR.
    public var enhancedRouteRefresh: Bool
    /// The peer's Graceful Restart capability, when both advertised one (RFC 4724 §3).
    public var gracefulRestart: Capability.GracefulRestart?
    /// The peer's OPEN as received.
    public var remoteOpen: OpenMessage

    /// KEEPALIVE interval: one third of the hold time (RFC 4271 §4.4), before jitter.
    public var keepaliveSeconds: Double { holdTime.keepaliveSeconds }

    /// How the peer's messages must be decoded on this session.
    public var decodingOptions: DecodingOptions {
        DecodingOptions(
            fourOctetAS: fourOctetAS, addPathReceive: addPathReceive, extendedMessage: extendedMessage,
            peer: peerType)
    }

    /// How our messages must be encoded on this session.
    public var encodingOptions: EncodingOptions { EncodingOptions(fourOctetAS: fourOctetAS) }

    /// The largest message either side may send: 4096, or 65535 with RFC 8654.
    public var maximumMessageLength: Int { extendedMessage ? 65535 : 4096 }

    /// Checks the peer's OPEN against our configuration (RFC 4271 §6.2) and negotiates the capabilities.
    ///
    /// Throws the NOTIFICATION to send when the OPEN is refused: 2/1 version, 2/4 unknown optional parameter,
    /// 2/2 peer AS, 2/3 BGP Identifier, 2/6 hold time, 2/7 no family in common.
    public init(local: SessionConfiguration, remote: OpenMessage) throws(OpenRejection) {
        // The codec already refuses most of these; the checks are repeated so that a hand-built OPEN cannot
        // get past them.
        guard remote.version == 4 else {
            throw OpenRejection(.unsupportedVersionNumber, data: [0, 4], "version \(remote.version)")
        }
        for case .unknown(let type, _) in remote.optionalParameters {
            // RFC 4271 §6.2: an optional parameter we do not recognise is an error (RFC 5492 only made
            // capabilities, type 2, tolerant of the unknown).
            throw OpenRejection(.unsupportedOptionalParameter, "optional parameter type \(type)")
        }
        let capabilities = remote.capabilities
        let peerFourOctet = capabilities.contains { $0.code == Capability.Code.fourOctetAS }
        if remote.myAutonomousSystem == OpenMessage.asTrans, !peerFourOctet {
            // RFC 6793 §4.2.1: AS_TRANS stands for a 4-octet AS, which only the capability can carry.
            throw OpenRejection(.badPeerAS, "My Autonomous System is AS_TRANS without the 4-octet AS capability")
        }
        guard remote.autonomousSystem == local.peerAS else {
            throw OpenRejection(.badPeerAS, "peer announces AS \(remote.autonomousSystem), expected \(local.peerAS)")
        }
        guard remote.bgpIdentifier != .zero else { throw OpenRejection(.badBGPIdentifier, "BGP Identifier 0.0.0.0") }
        if local.peerType == .internal, remote.bgpIdentifier == local.localIdentifier {
            // RFC 6286 §2.2: identifiers must differ within an AS; between ASes they may be equal.
            throw OpenRejection(.badBGPIdentifier, "internal peer uses our own BGP Identifier \(remote.bgpIdentifier)")
        }
        guard let proposed = HoldTime(remote.holdTime),
            proposed.isDisabled || proposed.seconds >= local.minimumHoldTime
        else {
            throw OpenRejection(
                .unacceptableHoldTime, "hold time \(remote.holdTime) s (minimum \(local.minimumHoldTime) s)")
        }

        var remoteFamilies: [AddressFamily] = []
        var peerAddPath: [AddressFamily: UInt8] = [:]
        var peerGracefulRestart: Capability.GracefulRestart?
        for capability in capabilities {
            switch capability {
            case .multiprotocol(let family): remoteFamilies.append(family)
            case .addPath(let entries): for e in entries { peerAddPath[e.family] = e.sendReceive }
            case .gracefulRestart(let gr): peerGracefulRestart = gr
            default: break
            }
        }
        // RFC 4760 §8: a speaker without the capability supports IPv4 unicast only.
        if !capabilities.contains(where: { $0.code == Capability.Code.multiprotocol }) {
            remoteFamilies = [.ipv4Unicast]
        }
        let families = local.families.filter(remoteFamilies.contains)
        guard !families.isEmpty else {
            // RFC 5492 §5: the data lists the capabilities we wanted and did not get.
            let wanted = local.families.flatMap { f -> [UInt8] in
                [
                    Capability.Code.multiprotocol, 4, UInt8(f.afi.rawValue >> 8), UInt8(f.afi.rawValue & 0xFF), 0,
                    f.safi.rawValue,
                ]
            }
            throw OpenRejection(
                .unsupportedCapability, data: wanted,
                "no address family in common (we: \(local.families), peer: \(remoteFamilies))")
        }

        var addPathReceive: Set<AddressFamily> = []
        var addPathSend: Set<AddressFamily> = []
        for family in families {
            let ours = local.addPath[family] ?? []
            let theirs = AddPathMode(rawValue: peerAddPath[family] ?? 0)
            if ours.contains(.receive), theirs.contains(.send) { addPathReceive.insert(family) }
            if ours.contains(.send), theirs.contains(.receive) { addPathSend.insert(family) }
        }

        peerAS = remote.autonomousSystem
        peerIdentifier = remote.bgpIdentifier
        peerType = local.peerType
        holdTime = local.holdTime.negotiated(with: proposed)
        self.families = families
        fourOctetAS = local.advertisesFourOctetAS && peerFourOctet
        self.addPathReceive = addPathReceive
        self.addPathSend = addPathSend
        extendedMessage = local.extendedMessage && capabilities.contains(.extendedMessage)
        routeRefresh = local.routeRefresh && capabilities.contains(.routeRefresh)
        enhancedRouteRefresh = local.enhancedRouteRefresh && capabilities.contains(.enhancedRouteRefresh)
        gracefulRestart = local.gracefulRestart == nil ? nil : peerGracefulRestart
        remoteOpen = remote
    }
}

/// A refused OPEN: the NOTIFICATION to send (OPEN Message Error) and why.
public struct OpenRejection: Error, Hashable, Sendable, CustomStringConvertible {
    public var notification: NotificationMessage
    public var reason: String

    init(_ subcode: NotificationMessage.OpenSubcode, data: [UInt8] = [], _ reason: String) {
        notification = NotificationMessage(.openMessageError, subcode: subcode.rawValue, data: data)
        self.reason = reason
    }

    public var description: String { "\(notification): \(reason)" }
}
