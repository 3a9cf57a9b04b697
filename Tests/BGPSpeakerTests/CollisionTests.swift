import BGPSession
import BGPSpeaker
import BGPWire
import BagpipeConfig
import Testing

/// RFC 4271 §6.8: both sides open a connection at the same time; the one opened by the higher BGP Identifier stays.
@Suite("Connection collisions", .timeLimit(.minutes(1)))
struct CollisionTests {
    @Test(
        "A collision keeps the connection opened by the higher BGP Identifier and closes the other with Cease 6/7",
        arguments: [
            // The peer's identifier is above ours (127.0.0.2): its connection wins.
            (identifier: "127.0.0.9", peerConnectionWins: true),
            // Below ours: our connection wins.
            (identifier: "127.0.0.1", peerConnectionWins: false),
        ])
    func collision(identifier: String, peerConnectionWins: Bool) async throws {
        let remote = try await RawListener.listen(on: "127.0.0.1")
        let speaker = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.2", listen: true, peers: [("127.0.0.1", ["port = \(remote.port)"])]),
            options: testOptions)
        try await speaker.start()
        let port = try #require(await speaker.listeningPort)

        // Our connection (opened by the speaker), with its OPEN.
        #expect(await eventually { remote.connections.count == 1 })
        let ours = try #require(remote.connections.first)
        #expect(await ours.waitFor { if case .open = $0 { true } else { false } } != nil)
        // The peer's connection, opened meanwhile: the speaker answers with an OPEN on it too.
        let theirs = try await RawPeer.connect(to: "127.0.0.2", port: port, from: "127.0.0.1")
        #expect(await theirs.waitFor { if case .open = $0 { true } else { false } } != nil)

        try await ours.sendOpen(identifier: identifier)
        try await theirs.sendOpen(identifier: identifier)

        let (winner, loser) = peerConnectionWins ? (theirs, ours) : (ours, theirs)
        let notification = await loser.waitForNotification()
        #expect(notification?.errorCode == 6)
        #expect(notification?.errorSubcode == NotificationMessage.CeaseSubcode.connectionCollisionResolution.rawValue)
        #expect(await eventually { loser.isClosed })

        try await winner.send(.keepalive)
        #expect(await eventually { await speaker.state(of: "127.0.0.1") == .established })
        #expect(!winner.isClosed)
        #expect(!winner.messages.contains { if case .notification = $0 { true } else { false } })

        await speaker.shutdown()
        await theirs.close()
        await remote.close()
    }

    @Test("Two speakers that both connect and listen end up with one Established session")
    func bothActiveAndPassive() async throws {
        let a = BGPSpeaker(configuration: try configuration(local: "127.0.0.1", listen: true), options: testOptions)
        let b = BGPSpeaker(configuration: try configuration(local: "127.0.0.2", listen: true), options: testOptions)
        try await a.start()
        try await b.start()
        let portA = try #require(await a.listeningPort)
        let portB = try #require(await b.listeningPort)
        let settings = try configuration(local: "127.0.0.1").bgp
        var toB = settings.defaultPeer(ip("127.0.0.2"))
        toB.port = UInt16(portB)
        var toA = settings.defaultPeer(ip("127.0.0.1"))
        toA.port = UInt16(portA)
        async let addA: Void = a.addPeer(toB)
        async let addB: Void = b.addPeer(toA)
        _ = try await (addA, addB)

        #expect(await eventually { await a.state(of: "127.0.0.2") == .established })
        #expect(await eventually { await b.state(of: "127.0.0.1") == .established })
        await a.originate(vpnRoute(host: 9, nextHop: "127.0.0.1"))
        #expect(await eventually { await b.adjRIBIn(peer: ip("127.0.0.1")).count == 1 })
        // Still one session each, and it stays up.
        try await Task.sleep(for: .milliseconds(300))
        #expect(await a.peers().count == 1)
        #expect(await a.state(of: "127.0.0.2") == .established)
        #expect(await b.state(of: "127.0.0.1") == .established)

        await a.shutdown()
        await b.shutdown()
    }
}

/// RFC 2385 TCP MD5 signatures on loopback.
@Suite("TCP MD5", .timeLimit(.minutes(1)), .enabled(if: TCPMD5Support.available, "the kernel has no TCP_MD5SIG"))
struct TCPMD5Tests {
    func pair(passwordA: String, passwordB: String) async throws -> (BGPSpeaker, BGPSpeaker) {
        let b = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.2", listen: true,
                peers: [("127.0.0.1", ["passive = true", "md5_password = \(passwordB)"])]),
            options: testOptions)
        try await b.start()
        let port = try #require(await b.listeningPort)
        let a = BGPSpeaker(
            configuration: try configuration(
                local: "127.0.0.1", peers: [("127.0.0.2", ["port = \(port)", "md5_password = \(passwordA)"])]),
            options: testOptions)
        try await a.start()
        return (a, b)
    }

    @Test("Two speakers with the same MD5 password establish")
    func samePassword() async throws {
        let (a, b) = try await pair(passwordA: "s3cret", passwordB: "s3cret")
        #expect(await eventually { await b.state(of: "127.0.0.1") == .established })
        #expect(await eventually { await a.state(of: "127.0.0.2") == .established })
        await a.shutdown()
        await b.shutdown()
    }

    @Test("Two speakers with different MD5 passwords never establish")
    func wrongPassword() async throws {
        let (a, b) = try await pair(passwordA: "s3cret", passwordB: "other")
        // The kernel drops the unsigned-for-it SYNs: no connection, whatever the retries.
        let established = await eventually(.seconds(3)) {
            let atB = await b.state(of: "127.0.0.1")
            let atA = await a.state(of: "127.0.0.2")
            return atB == .established || atA == .established
        }
        #expect(!established)
        #expect(await b.peer(ip("127.0.0.1"))?.counters.received(.open) == 0)
        await a.shutdown()
        await b.shutdown()
    }
}
