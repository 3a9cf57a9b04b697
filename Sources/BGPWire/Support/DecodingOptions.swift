/// What the two speakers negotiated, as far as the wire format depends on it.
///
/// The same bytes mean different things depending on the session: AS numbers are 2 or 4 octets
/// (RFC 6793), NLRI carry a path identifier only where ADD-PATH was negotiated (RFC 7911), and the
/// message size limit is 4096 or 65535 (RFC 8654).
public struct DecodingOptions: Hashable, Sendable {
    /// Both sides advertised the 4-octet AS capability (RFC 6793): AS_PATH and AGGREGATOR carry 4-octet ASNs.
    public var fourOctetAS: Bool
    /// Families for which we receive a Path Identifier before each NLRI (RFC 7911 §3).
    public var addPathReceive: Set<AddressFamily>
    /// RFC 8654 Extended Message was negotiated: messages up to 65535 octets.
    public var extendedMessage: Bool
    /// Whether the peer is internal (iBGP) or external (eBGP), if known. A few RFC 7606 actions depend on it
    /// (LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST), and LOCAL_PREF is mandatory only from internal peers.
    public var peer: PeerType
    /// Most labels read from an announced labeled or VPN NLRI, up to the one with the bottom-of-stack bit.
    /// RFC 8277 §2.1 allows a stack only with the Multiple Labels capability, but GoBGP, BIRD and ExaBGP send
    /// stacks without it (seen in our captures), so by default we read up to three. Withdrawals always carry
    /// one 3-octet field whatever its S bit (RFC 8277 §2.4).
    public var maximumLabels: Int

    public init(
        fourOctetAS: Bool = true, addPathReceive: Set<AddressFamily> = [], extendedMessage: Bool = false,
        peer: PeerType = .unknown, maximumLabels: Int = 3
    ) {
        self.fourOctetAS = fourOctetAS
        self.addPathReceive = addPathReceive
        self.extendedMessage = extendedMessage
        self.peer = peer
        self.maximumLabels = maximumLabels
    }

    public static let `default` = DecodingOptions()

    public enum PeerType: Hashable, Sendable {
        case unknown, `internal`, external
    }

    /// Largest message accepted: 4096, or 65535 with RFC 8654.
    public var maximumMessageLength: Int { extendedMessage ? 65535 : 4096 }
}

/// Encoding follows the values themselves (a path identifier is written when present), except for the AS
/// width, which the session decides.
public struct EncodingOptions: Hashable, Sendable {
    /// Write 4-octet ASNs in AS_PATH and AGGREGATOR (RFC 6793).
    public var fourOctetAS: Bool

    public init(fourOctetAS: Bool = true) { self.fourOctetAS = fourOctetAS }

    public static let `default` = EncodingOptions()

    public init(_ decoding: DecodingOptions) { fourOctetAS = decoding.fourOctetAS }
}
