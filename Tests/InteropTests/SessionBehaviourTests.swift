import BGPSession
import BGPSpeaker
import BGPWire
import Foundation
import Testing

/// Session events with live peers: route refresh both ways, hold timer expiry when a peer stops answering, a peer
/// restart, connection collision, TCP MD5, and graceful restart of a peer.
@Suite("Interop: session behaviour", .interopLab, .timeLimit(.minutes(5)))
struct SessionBehaviourTests {
    static let ourRoute = LabRoute.vpnv4(
        rd: "64512:1", prefix: "192.168.110.0/24", label: 110, routeTargets: ["64512:110"])
    static let theirRoute = LabRoute.vpnv4(
        rd: "64513:2", prefix: "192.168.120.0/24", label: 120, routeTargets: ["64512:120"])

    static func counters(_ pair: Pair) async throws -> SessionCounters {
        try #require(await pair.speaker.status(pair.them)).counters
    }

    // MARK: - Route refresh

    /// GoBGP 3 never sends a ROUTE-REFRESH (`softresetin` re-applies policy to its own Adj-RIB-In).
    @Test("The peer asks for a route refresh; we send our routes again", arguments: [PeerKind.frr, .bird, .exabgp])
    func routeRefreshFromPeer(kind: PeerKind) async throws {
        try await Lab.with("refresh-from-\(kind)") { lab in
            let pair = try await Pair.start(kind, lab: lab, theirAS: 64513)
            try await pair.speaker.announce(Self.ourRoute)
            try await pair.peer.waitForRoutes([Self.ourRoute])
            let before = try await Self.counters(pair)
            try await pair.peer.requestRouteRefresh(.vpnv4)
            _ = try await poll("speaker: ROUTE-REFRESH from \(kind) answered", timeout: .seconds(10)) { () -> Bool? in
                let now = try await Self.counters(pair)
                return now.received(.routeRefresh) > before.received(.routeRefresh)
                    && now.sent(.update) > before.sent(.update) ? true : nil
            }
            try await pair.peer.waitForRoutes([Self.ourRoute])
            #expect(await pair.speaker.state(pair.them) == .established)
        }
    }

    @Test("We ask the peer for a route refresh; it sends its routes again", arguments: PeerKind.allCases)
    func routeRefreshToPeer(kind: PeerKind) async throws {
        try await Lab.with("refresh-to-\(kind)") { lab in
            let pair = try await Pair.start(kind, lab: lab, theirAS: 64513)
            try await pair.peer.announce(Self.theirRoute)
            try await pair.speaker.waitForRoutes([Self.theirRoute], from: pair.them)
            let before = try await Self.counters(pair)
            let peerBefore = try await pair.peer.routeRefreshesReceived()
            try await pair.speaker.speaker.requestRouteRefresh(peer: IPAddress(pair.them)!, family: .vpnIPv4)
            _ = try await poll("\(kind) answers our ROUTE-REFRESH", timeout: .seconds(10)) { () -> Bool? in
                let now = try await Self.counters(pair)
                return now.sent(.routeRefresh) > before.sent(.routeRefresh)
                    && now.received(.update) > before.received(.update) ? true : nil
            }
            if let peerBefore {
                // The daemon may answer before its own log (ExaBGP: its API process) records the request.
                let peerNow = try? await poll("\(kind) counts the ROUTE-REFRESH", timeout: .seconds(10)) {
                    () -> Int? in
                    let n = try await pair.peer.routeRefreshesReceived() ?? 0
                    return n > peerBefore ? n : nil
                }
                #expect(peerNow == peerBefore + 1, "\(kind) counted the ROUTE-REFRESH")
            }
            try await pair.speaker.waitForRoutes([Self.theirRoute], from: pair.them)
        }
    }

    // MARK: - Hold timer

    @Test(
        "A peer that stops answering: our hold timer expires (NOTIFICATION 4/0), its routes go",
        arguments: PeerKind.allCases)
    func holdTimerExpiry(kind: PeerKind) async throws {
        try await Lab.with("hold-\(kind)") { lab in
            let pair = try await Pair.start(kind, lab: lab, theirAS: 64513, holdTime: 3)
            #expect(await pair.speaker.status(pair.them)?.negotiated?.holdTime.seconds == 3)
            try await pair.peer.announce(Self.theirRoute)
            try await pair.speaker.waitForRoutes([Self.theirRoute], from: pair.them)

            pair.peer.freeze()
            let frozen = ContinuousClock.now
            try await pair.speaker.waitNotEstablished(pair.them, timeout: .seconds(8))
            let elapsed = ContinuousClock.now - frozen
            #expect(elapsed >= .seconds(1.5) && elapsed <= .seconds(6), "hold timer fired after \(elapsed)")
            let reason = try await pair.speaker.waitForDownReasons(pair.them).last
            guard case .errorSent(let notification) = reason else {
                Issue.record("session went down with \(String(describing: reason)), not a hold timer NOTIFICATION")
                return
            }
            #expect(notification.errorCode == NotificationMessage.ErrorCode.holdTimerExpired.rawValue)
            #expect(await pair.speaker.routes(.vpnv4, from: pair.them).isEmpty)

            pair.peer.thaw()
            try await pair.waitEstablished()
            if kind == .gobgp || kind == .exabgp { try await pair.peer.announce(Self.theirRoute) }
            try await pair.speaker.waitForRoutes([Self.theirRoute], from: pair.them)
        }
    }

    // MARK: - Restart

    /// GoBGP, FRR and BIRD send a Cease when they stop; ExaBGP 4.2 just closes the connection. Either way the
    /// speaker reports the session down with the reason, drops the routes, and takes the new session.
    @Test("The peer restarts, reconnects, and its routes come back", arguments: PeerKind.allCases)
    func peerRestart(kind: PeerKind) async throws {
        try await Lab.with("restart-\(kind)") { lab in
            let pair = try await Pair.start(kind, lab: lab, theirAS: 64513)
            try await pair.speaker.announce(Self.ourRoute)
            try await pair.peer.announce(Self.theirRoute)
            try await pair.speaker.waitForRoutes([Self.theirRoute], from: pair.them)
            let sessions = try await Self.counters(pair).establishedTransitions

            try await pair.peer.restart()
            _ = try await poll("speaker: a new session with \(kind)", timeout: .seconds(30)) { () -> Bool? in
                let status = await pair.speaker.status(pair.them)
                return status?.state == .established && status?.counters.establishedTransitions == sessions + 1
                    ? true : nil
            }
            try await pair.peer.waitEstablished()
            let down = try await pair.speaker.waitForDownReasons(pair.them).first
            if kind == .exabgp {
                #expect(down == .connectionFailed)
            } else if case .notificationReceived(let notification) = down {
                #expect(notification.errorCode == NotificationMessage.ErrorCode.cease.rawValue, "\(notification)")
            } else {
                Issue.record("\(kind) stopped without a NOTIFICATION: \(String(describing: down))")
            }
            if kind == .gobgp || kind == .exabgp { try await pair.peer.announce(Self.theirRoute) }
            try await pair.speaker.waitForRoutes([Self.theirRoute], from: pair.them)
            try await pair.peer.waitForRoutes([Self.ourRoute])
        }
    }

    // MARK: - Collision

    /// Both sides connect and listen: the daemon is frozen while our connection to it is accepted by its kernel
    /// and its own connect timer runs out, so that on thaw it also connects to us. Whoever resolves the collision
    /// (RFC 4271 §6.8; the daemons all do it on their side first here, before our speaker has two connections in
    /// OpenConfirm, which Tests/BGPSpeakerTests/CollisionTests covers with a hand-driven peer), one session ends up
    /// Established, stays, and carries routes. `weAreHigher` puts our BGP Identifier above or below the daemon's.
    @Test("Connection collision: one stable session", arguments: PeerKind.allCases, [false, true])
    func connectionCollision(kind: PeerKind, weAreHigher: Bool) async throws {
        try await Lab.with("collision-\(kind)-\(weAreHigher)") { lab in
            let netns = try await lab.makeNamespace(kind.rawValue.lowercased())
            let link = try await lab.connectToHost(netns)
            let peer = try makePeer(kind, lab: lab, netns: netns)
            try await peer.start(
                PeerConfig(
                    localAS: 64513, localAddress: link.b.address, peerAddress: link.a.address, peerAS: 64512,
                    passive: false, families: [.vpnv4], holdTime: 9))
            peer.freeze()
            let routerID = weAreHigher ? "10.255.255.254" : "10.0.0.1"
            let speaker = try await LabSpeaker.start(
                lab: lab, local: link.a.address, as: 64512,
                peers: [SpeakerPeer(address: link.b.address, peerAS: 64513, passive: false)],
                bgp: ["router_id = \(routerID)"], listen: true)
            // Our connection to the frozen daemon is accepted by its kernel: we sit in OpenSent.
            _ = try await poll("speaker in OpenSent", timeout: .seconds(10)) {
                await speaker.state(link.b.address) == .openSent ? true : nil
            }
            try await Task.sleep(for: .seconds(1.5))  // the daemon's connect timer runs out meanwhile
            peer.thaw()
            try await speaker.waitEstablished(link.b.address)
            try await peer.waitEstablished()
            try await peer.announce(Self.theirRoute)
            try await speaker.waitForRoutes([Self.theirRoute], from: link.b.address)
            // The race may cost one extra session (a side that resolved the collision closed a connection the
            // other side had just taken to Established); after that, the session must stay.
            let settled = try #require(await speaker.status(link.b.address)).counters.establishedTransitions
            #expect(settled <= 2, "\(settled) sessions during the collision")
            try await Task.sleep(for: .seconds(3))
            let status = try #require(await speaker.status(link.b.address))
            #expect(status.state == .established)
            #expect(status.counters.establishedTransitions == settled, "the session flapped: \(speaker.eventSummary())")
            #expect(try await peer.isEstablished())
            try await speaker.waitForRoutes([Self.theirRoute], from: link.b.address)
        }
    }

    // MARK: - TCP MD5

    @Test(
        "TCP MD5: the session comes up with the right key and not with a wrong one", arguments: [PeerKind.gobgp, .frr])
    func md5(kind: PeerKind) async throws {
        try await Lab.with("md5-\(kind)") { lab in
            let pair = try await Pair.start(kind, lab: lab, theirAS: 64513, md5: "bagpipe-interop")
            try await pair.speaker.announce(Self.ourRoute)
            try await pair.peer.waitForRoutes([Self.ourRoute])
        }
        try await Lab.with("md5-wrong-\(kind)") { lab in
            let pair = try await Pair.start(
                kind, lab: lab, theirAS: 64513, md5: "bagpipe-interop", waitEstablished: false
            ) { config in config.md5 = "not-the-key" }
            try await Task.sleep(for: .seconds(6))
            #expect(await pair.speaker.state(pair.them) != .established)
            #expect(try await pair.peer.isEstablished() == false)
        }
    }

    // MARK: - Graceful restart

    /// The peer advertises graceful restart, then dies without a NOTIFICATION: we keep its routes, marked stale
    /// (RFC 4724 §4.2); it comes back with one of its two routes; after its End-of-RIB the other one is swept.
    @Test("Graceful restart of the peer: its routes stay, then are swept", arguments: [PeerKind.gobgp, .frr, .bird])
    func gracefulRestart(kind: PeerKind) async throws {
        try await Lab.with("gr-\(kind)") { lab in
            let pair = try await Pair.start(
                kind, lab: lab, theirAS: 64513, bgp: ["graceful_restart_time = 60"]
            ) { config in config.gracefulRestart = 60 }
            let kept = Self.theirRoute
            let dropped = LabRoute.vpnv4(
                rd: "64513:3", prefix: "192.168.130.0/24", label: 130, routeTargets: ["64512:130"])
            try await pair.peer.announce(kept)
            try await pair.peer.announce(dropped)
            try await pair.speaker.waitForRoutes([kept, dropped], from: pair.them)
            #expect(await pair.speaker.status(pair.them)?.negotiated?.gracefulRestart != nil)

            if let bird = pair.peer as? BIRDPeer {
                try await bird.gracefulShutdown()
            } else {
                await pair.peer.crash()
            }
            try await pair.speaker.waitNotEstablished(pair.them, timeout: .seconds(10))
            var staleKept = kept
            staleKept.stale = true
            var staleDropped = dropped
            staleDropped.stale = true
            try await pair.speaker.waitForRoutes([staleKept, staleDropped], from: pair.them, timeout: .seconds(5))

            pair.peer.forget(dropped)
            try await pair.peer.startAgain(restarting: true)
            if kind == .gobgp { try await pair.peer.announce(kept) }
            try await pair.waitEstablished()
            var fresh = kept
            fresh.stale = false
            try await pair.speaker.waitForRoutes([fresh], from: pair.them)
            try await pair.speaker.waitForWithdrawal([dropped], from: pair.them)
        }
    }

    /// The peer dies and does not come back: its stale routes go when its restart time is over.
    @Test("Graceful restart: a peer that does not come back loses its routes after its restart time")
    func gracefulRestartTimeout() async throws {
        try await Lab.with("gr-timeout") { lab in
            let pair = try await Pair.start(
                .gobgp, lab: lab, theirAS: 64513, bgp: ["graceful_restart_time = 60"]
            ) { config in config.gracefulRestart = 4 }
            try await pair.peer.announce(Self.theirRoute)
            try await pair.speaker.waitForRoutes([Self.theirRoute], from: pair.them)
            await pair.peer.crash()
            let crashed = ContinuousClock.now
            var stale = Self.theirRoute
            stale.stale = true
            try await pair.speaker.waitForRoutes([stale], from: pair.them, timeout: .seconds(3))
            try await pair.speaker.waitForWithdrawal([Self.theirRoute], from: pair.them, timeout: .seconds(15))
            let elapsed = ContinuousClock.now - crashed
            #expect(elapsed >= .seconds(3), "stale routes dropped after \(elapsed), before the 4 s restart time")
        }
    }
}
