import BGPSession
import BGPSpeaker
import BGPWire
import BagpipeConfig
import Testing

/// Two in-process speakers, or a speaker and a hand-driven peer, over loopback (127.0.0.x, ephemeral ports).
@Suite("Sessions over loopback", .timeLimit(.minutes(1)))
struct SessionTests {
    /// B listens at 127.0.0.2 for its passive peer 127.0.0.1; A at 127.0.0.1 connects to it.
    static func pair(
        aAS: UInt32 = 64512, bAS: UInt32 = 64512, aLines: [String] = [], bLines: [String] = []
    ) async throws -> (a: BGPSpeaker, b: BGPSpeaker) {
        let b = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.2", myAS: bAS, listen: true,
                peers: [("127.0.0.1", ["passive = true", "peer_as = \(aAS)"] + bLines)]),
            options: testOptions)
        try await b.start()
        let port = try #require(await b.listeningPort)
        let a = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.1", myAS: aAS, peers: [("127.0.0.2", ["port = \(port)", "peer_as = \(bAS)"] + aLines)]),
            options: testOptions)
        return (a, b)
    }

    @Test("Two speakers reach Established, exchange VPN-IPv4 and EVPN routes with End-of-RIB, and withdraw them")
    func exchangeRoutes() async throws {
        let (a, b) = try await Self.pair()
        // One route before the session (initial table), one after (sent at once).
        await a.originate(vpnRoute(host: 1, nextHop: "127.0.0.1"))
        try await a.start()
        #expect(await eventually { await a.state(of: "127.0.0.2") == .established })
        #expect(await eventually { await b.state(of: "127.0.0.1") == .established })
        await a.originate(evpnRoute(tag: 10, origin: "127.0.0.1"))

        #expect(await eventually { await b.adjRIBIn(peer: ip("127.0.0.1")).count == 2 })
        let routes = await b.adjRIBIn(peer: ip("127.0.0.1"))
        #expect(Set(routes.map(\.family)) == [.vpnIPv4, .evpn])
        let vpn = try #require(routes.first { $0.family == .vpnIPv4 })
        #expect(vpn.nextHop == .vpnIPv4(IPv4Address(127, 0, 0, 1)))
        // iBGP: LOCAL_PREF added, AS_PATH empty (RFC 4271 §5.1).
        #expect(vpn.attributes.contains(PathAttribute(.localPref(100))))
        #expect(vpn.attributes.contains(PathAttribute(.asPath(ASPath()))))

        let status = try #require(await b.peer(ip("127.0.0.1")))
        #expect(status.endOfRIBReceived == [.vpnIPv4, .evpn])
        #expect(status.prefixesReceived == [.vpnIPv4: 1, .evpn: 1])
        #expect(status.negotiated?.families == [.vpnIPv4, .evpn])
        #expect(status.uptime != nil)
        #expect(await eventually { await a.peer(ip("127.0.0.2"))?.endOfRIBReceived == [.vpnIPv4, .evpn] })

        await a.withdraw(vpnRoute(host: 1, nextHop: "127.0.0.1"))
        await a.withdraw(evpnRoute(tag: 10, origin: "127.0.0.1"))
        #expect(await eventually { await b.adjRIBIn(peer: ip("127.0.0.1")).isEmpty })
        #expect(await a.originatedRoutes().isEmpty)

        await a.shutdown()
        await b.shutdown()
    }

    @Test("eBGP between a 2-octet and a 4-octet AS prepends each speaker's AS")
    func externalFourOctetAS() async throws {
        let (a, b) = try await Self.pair(aAS: 65001, bAS: 4_200_000_001)
        try await a.start()
        #expect(await eventually { await b.state(of: "127.0.0.1") == .established })
        await a.originate(vpnRoute(host: 2, nextHop: "127.0.0.1"))
        await b.originate(vpnRoute(host: 3, nextHop: "127.0.0.2"))

        #expect(await eventually { await b.adjRIBIn(peer: ip("127.0.0.1")).count == 1 })
        #expect(await eventually { await a.adjRIBIn(peer: ip("127.0.0.2")).count == 1 })
        let atB = try #require(await b.adjRIBIn(peer: ip("127.0.0.1")).first)
        let atA = try #require(await a.adjRIBIn(peer: ip("127.0.0.2")).first)
        #expect(atB.attributes.contains(PathAttribute(.asPath(ASPath(sequence: [65001])))))
        #expect(atA.attributes.contains(PathAttribute(.asPath(ASPath(sequence: [4_200_000_001])))))
        // RFC 4271 §5.1.5: no LOCAL_PREF towards an external peer.
        #expect(!atB.attributes.contains { $0.typeCode == PathAttribute.TypeCode.localPref })
        let negotiated = try #require(await b.peer(ip("127.0.0.1"))?.negotiated)
        #expect(negotiated.fourOctetAS)
        #expect(negotiated.peerAS == 65001)
        #expect(await a.peer(ip("127.0.0.2"))?.negotiated?.peerAS == 4_200_000_001)

        await a.shutdown()
        await b.shutdown()
    }

    @Test("Stopping a peer sends Cease 6/2 with its shutdown communication, and so does shutdown")
    func administrativeStop() async throws {
        let (a, b) = try await Self.pair()
        try await a.start()
        #expect(await eventually { await b.state(of: "127.0.0.1") == .established })

        try await a.stopPeer(ip("127.0.0.2"), communication: "maintenance window")
        #expect(await eventually { await b.state(of: "127.0.0.1") != .established })
        let reason = try #require(await b.peer(ip("127.0.0.1"))?.lastDownReason)
        guard case .notificationReceived(let notification) = reason else {
            Issue.record("expected a NOTIFICATION, got \(reason)")
            return
        }
        #expect(notification.errorCode == 6 && notification.errorSubcode == 2)
        #expect(notification.shutdownCommunication == "maintenance window")
        // Stopped by hand: it stays down.
        try await Task.sleep(for: .milliseconds(500))
        #expect(await a.state(of: "127.0.0.2") == .idle)

        try await a.startPeer(ip("127.0.0.2"))
        #expect(await eventually { await b.state(of: "127.0.0.1") == .established })
        await a.shutdown(communication: "bagpipe-bgp shutting down")
        #expect(await eventually { await b.state(of: "127.0.0.1") != .established })
        guard case .notificationReceived(let last) = await b.peer(ip("127.0.0.1"))?.lastDownReason else {
            Issue.record("expected a NOTIFICATION on shutdown")
            return
        }
        #expect(last.errorCode == 6 && last.errorSubcode == 2)
        #expect(last.shutdownCommunication == "bagpipe-bgp shutting down")
        await b.shutdown()
    }

    @Test("A connection from an address that is neither a peer nor in a listen range gets Cease 5 and is closed")
    func unknownPeerRefused() async throws {
        let speaker = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.2", listen: true, peers: [("127.0.0.1", ["passive = true"])]),
            options: testOptions)
        try await speaker.start()
        let port = try #require(await speaker.listeningPort)
        let stranger = try await RawPeer.connect(to: "127.0.0.2", port: port, from: "127.0.0.3")
        let notification = await stranger.waitForNotification()
        #expect(notification?.errorCode == 6)
        #expect(notification?.errorSubcode == NotificationMessage.CeaseSubcode.connectionRejected.rawValue)
        #expect(await eventually { stranger.isClosed })
        #expect(await speaker.peers().map(\.address) == [ip("127.0.0.1")])
        await stranger.close()
        await speaker.shutdown()
    }

    @Test("A speaker connecting from a listen range becomes a dynamic peer, removed when it leaves")
    func dynamicPeer() async throws {
        let server = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.2", listen: true,
                bgp: ["listen_ranges = 127.0.0.0/28", "listen_range_peer_as = 64512"]),
            options: testOptions)
        try await server.start()
        let port = try #require(await server.listeningPort)
        let client = BGPSpeaker(
            configuration: try configuration(local: "127.0.0.5", peers: [("127.0.0.2", ["port = \(port)"])]),
            options: testOptions)
        await client.originate(vpnRoute(host: 5, nextHop: "127.0.0.5"))
        try await client.start()

        #expect(await eventually { await server.state(of: "127.0.0.5") == .established })
        let status = try #require(await server.peer(ip("127.0.0.5")))
        #expect(status.isDynamic)
        #expect(status.isPassive)
        #expect(await eventually { await server.adjRIBIn(peer: ip("127.0.0.5")).count == 1 })

        await client.shutdown()
        #expect(await eventually { await server.peers().isEmpty })
        await server.shutdown()
    }

    @Test("Hold timer expiry sends NOTIFICATION 4/0 and drops the peer's routes")
    func holdTimerExpiry() async throws {
        let speaker = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.2", listen: true, peers: [("127.0.0.1", ["passive = true"])]),
            options: testOptions)
        try await speaker.start()
        let port = try #require(await speaker.listeningPort)
        let peer = try await RawPeer.connect(to: "127.0.0.2", port: port, from: "127.0.0.1")
        try await peer.sendOpen(holdTime: 3, identifier: "127.0.0.1")
        #expect(await peer.waitFor { if case .open = $0 { true } else { false } } != nil)
        // The KEEPALIVE and the UPDATE back to back: on a loaded machine, waiting for Established in between
        // could take longer than the 3 s hold time.
        // What an internal peer must send (RFC 4271 §5.1.2, §5.1.5): AS_PATH and LOCAL_PREF.
        var update = vpnRoute(host: 7, nextHop: "127.0.0.1")
        update.pathAttributes += [PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100))]
        try await peer.send(.keepalive)
        try await peer.send(.update(update))
        #expect(await eventually { await speaker.state(of: "127.0.0.1") == .established })
        #expect(await eventually { await speaker.adjRIBIn(peer: ip("127.0.0.1")).count == 1 })
        let negotiated = await speaker.peer(ip("127.0.0.1"))?.negotiated
        #expect(negotiated?.holdTime.seconds == 3)

        // Silence from now on: 3 s later the speaker gives up.
        let notification = await peer.waitForNotification(.seconds(8))
        #expect(notification?.errorCode == NotificationMessage.ErrorCode.holdTimerExpired.rawValue)
        #expect(notification?.errorSubcode == 0)
        #expect(await eventually { peer.isClosed })
        #expect(await speaker.adjRIBIn(peer: ip("127.0.0.1")).isEmpty)
        #expect(await speaker.state(of: "127.0.0.1") != .established)
        await peer.close()
        await speaker.shutdown()
    }
}
