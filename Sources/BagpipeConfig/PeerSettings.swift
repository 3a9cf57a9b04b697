import BGPWire

/// One configured BGP neighbor, with every setting resolved: its `[BGP_PEER <address>]` section if there is one,
/// else the `[BGP]` values.
///
/// The original had no per-peer settings: every address of `[BGP] peers` got the same iBGP session
/// (bagpipe-bgp.md §1.2). `[BGP_PEER <address>]` sections are a Bagpipe addition; a section also declares its
/// peer, so an address need not be repeated in `peers`.
public struct PeerSettings: Hashable, Sendable {
    public var address: IPAddress
    /// Default: `[BGP] peer_as`. Equal to `my_as` for iBGP.
    public var peerAS: UInt32
    /// Wait for the peer to connect instead of connecting (needs `[BGP] listen = true`).
    public var passive: Bool
    /// TCP-MD5 key (RFC 2385); `nil` for none. An empty `md5_password =` in a peer section turns off a global
    /// password for that peer.
    public var md5Password: String?
    /// Proposed hold time in seconds: 0 or 3...65535.
    public var holdTime: UInt16
    /// Remote TCP port to connect to. Default: `[BGP] bgp_port`.
    public var port: UInt16
    /// Families for the OPEN; contains `ipv4/rtc` exactly when `enable_rtc` is true.
    public var families: [AddressFamily]
    /// Free text for logs and the looking glass.
    public var description: String?

    public init(
        address: IPAddress, peerAS: UInt32, passive: Bool = false, md5Password: String? = nil, holdTime: UInt16 = 180,
        port: UInt16 = 179, families: [AddressFamily], description: String? = nil
    ) {
        self.address = address
        self.peerAS = peerAS
        self.passive = passive
        self.md5Password = md5Password
        self.holdTime = holdTime
        self.port = port
        self.families = families
        self.description = description
    }

    /// Keys of a `[BGP_PEER <address>]` section.
    static let keys = ["peer_as", "passive", "md5_password", "hold_time", "port", "families", "description"]

    /// The name prefix of peer sections, compared without regard to case like every section name.
    static let sectionPrefix = "bgp_peer"

    /// Whether `name` is a peer section name: `BGP_PEER`, alone or followed by white space.
    static func isPeerSection(_ name: String) -> Bool {
        let lower = name.lowercased()
        guard lower.hasPrefix(sectionPrefix) else { return false }
        let rest = lower.dropFirst(sectionPrefix.count)
        return rest.isEmpty || rest.first!.isWhitespace
    }

    /// The address in a peer section name.
    static func address(inSection name: String) -> Result<IPAddress, ValueProblem> {
        let text = String(name.dropFirst(sectionPrefix.count).trimmed())
        guard !text.isEmpty else {
            return .failure(ValueProblem("no peer address (write [BGP_PEER <address>])"))
        }
        return OptionValue.ipAddress(text)
    }

    /// The settings of section `reader` applied over `inherited` (the `[BGP]` values for this address).
    static func read(
        _ reader: inout SectionReader, over inherited: PeerSettings, enableRTC: Bool?, listen: Bool?,
        _ diagnostics: inout Diagnostics
    ) -> PeerSettings {
        var peer = inherited
        peer.peerAS = reader.read("peer_as", &diagnostics, OptionValue.asNumber) ?? peer.peerAS
        peer.passive = reader.read("passive", &diagnostics, OptionValue.boolean) ?? peer.passive
        if let entry = reader.entry("md5_password") {
            if entry.value.isEmpty {
                peer.md5Password = nil
            } else {
                peer.md5Password = reader.read("md5_password", &diagnostics, secret: true, OptionValue.md5Password)
            }
        }
        peer.holdTime = reader.read("hold_time", &diagnostics, OptionValue.holdTime) ?? peer.holdTime
        peer.port = reader.read("port", &diagnostics, OptionValue.port) ?? peer.port
        peer.families =
            BGPSettings.readFamilies(&reader, &diagnostics, enableRTC: enableRTC) ?? peer.families
        if let entry = reader.entry("description") {
            peer.description = entry.value.isEmpty ? nil : entry.value
        }
        if listen == false, peer.passive, !reader.failed.contains("passive"), let entry = reader.entry("passive") {
            diagnostics.error(
                reader.conflict(entry, "a passive peer needs [BGP] listen = true (nothing would open the session)"))
        }
        reader.warnUnknownKeys(&diagnostics, known: keys)
        return peer
    }
}
