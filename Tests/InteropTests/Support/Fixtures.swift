import BGPSpeaker
import Foundation

/// A driver for `kind` in `netns`.
func makePeer(_ kind: PeerKind, lab: Lab, netns: Netns) throws -> any PeerDriver {
    switch kind {
    case .gobgp: try GoBGPPeer(lab: lab, netns: netns)
    case .frr: try FRRPeer(lab: lab, netns: netns)
    case .bird: try BIRDPeer(lab: lab, netns: netns)
    case .exabgp: try ExaBGPPeer(lab: lab, netns: netns)
    }
}

/// Our speaker (root namespace, host side of a veth) and one daemon (its own namespace, other side).
struct Pair: Sendable {
    let lab: Lab
    let link: Link
    let peer: any PeerDriver
    let speaker: LabSpeaker

    /// Our address.
    var us: String { link.a.address }
    /// The daemon's address.
    var them: String { link.b.address }

    /// Sets up the lab, starts both sides (the passive one first) and waits until both see the session
    /// Established.
    ///
    /// - Parameters:
    ///   - speakerConnects: our speaker connects and the daemon only listens; otherwise the other way round.
    ///   - bgp: extra `[BGP]` lines for our speaker.
    ///   - configure: changes to the daemon's `PeerConfig` (graceful restart, families, ...).
    static func start(
        _ kind: PeerKind, lab: Lab, ourAS: UInt32 = 64512, theirAS: UInt32 = 64512, speakerConnects: Bool = true,
        families: Set<LabFamily> = [.vpnv4], holdTime: Int = 9, md5: String? = nil, bgp: [String] = [],
        speakerOptions: BGPSpeaker.Options = LabSpeaker.options, waitEstablished: Bool = true,
        configure: (inout PeerConfig) -> Void = { _ in }
    ) async throws -> Pair {
        let netns = try await lab.makeNamespace(kind.rawValue.lowercased())
        let link = try await lab.connectToHost(netns)
        let peer = try makePeer(kind, lab: lab, netns: netns)
        var config = PeerConfig(
            localAS: theirAS, localAddress: link.b.address, peerAddress: link.a.address, peerAS: ourAS,
            passive: speakerConnects, md5: md5, families: families, holdTime: holdTime)
        configure(&config)
        let speakerPeer = SpeakerPeer(
            address: link.b.address, peerAS: theirAS, passive: !speakerConnects, md5: md5, holdTime: holdTime,
            families: families)
        let speaker: LabSpeaker
        if speakerConnects {
            try await peer.start(config)
            speaker = try await LabSpeaker.start(
                lab: lab, local: link.a.address, as: ourAS, peers: [speakerPeer], bgp: bgp, options: speakerOptions)
        } else {
            speaker = try await LabSpeaker.start(
                lab: lab, local: link.a.address, as: ourAS, peers: [speakerPeer], bgp: bgp, options: speakerOptions)
            try await peer.start(config)
        }
        let pair = Pair(lab: lab, link: link, peer: peer, speaker: speaker)
        if waitEstablished { try await pair.waitEstablished() }
        return pair
    }

    /// Both sides Established.
    func waitEstablished(timeout: Duration = .seconds(40)) async throws {
        try await speaker.waitEstablished(them, timeout: timeout)
        try await peer.waitEstablished(timeout: timeout)
    }
}

/// AS numbers of the matrix.
enum ASNumbers {
    static let twoOctetOurs: UInt32 = 64512
    static let twoOctetTheirs: UInt32 = 64513
    static let fourOctetOurs: UInt32 = 4_200_000_001
    static let fourOctetTheirs: UInt32 = 4_200_000_002
}
