import BGPSession
import BGPWire
import Testing

/// RFC 4271 §6.8 and RFC 6286 §2.3.
@Suite("Connection collision resolution")
struct CollisionResolutionTests {
    let low = IPv4Address(10, 0, 0, 1)
    let high = IPv4Address(10, 0, 0, 200)

    @Test("With the higher BGP Identifier we keep the connection we opened")
    func weAreHigher() {
        let r = CollisionResolution.resolve(
            localIdentifier: high, remoteIdentifier: low, localAS: 65001, remoteAS: 65001)
        #expect(r.survivor == .local)
        #expect(r.dropped == .remote)
        #expect(r.drops(connectionOpenedBy: .remote))
        #expect(!r.drops(connectionOpenedBy: .local))
        #expect(r.notification == NotificationMessage(.cease, subcode: 7))
    }

    @Test("With the lower BGP Identifier we keep the connection the peer opened")
    func weAreLower() {
        let r = CollisionResolution.resolve(
            localIdentifier: low, remoteIdentifier: high, localAS: 65001, remoteAS: 65001)
        #expect(r.survivor == .remote)
        #expect(r.drops(connectionOpenedBy: .local))
    }

    @Test("Identifiers compare as unsigned integers, not as text")
    func unsignedComparison() {
        let r = CollisionResolution.resolve(
            localIdentifier: IPv4Address(9, 0, 0, 1), remoteIdentifier: IPv4Address(10, 0, 0, 1), localAS: 1,
            remoteAS: 1)
        #expect(r.survivor == .remote)
        let top = CollisionResolution.resolve(
            localIdentifier: IPv4Address(200, 0, 0, 1), remoteIdentifier: IPv4Address(100, 0, 0, 1), localAS: 1,
            remoteAS: 1)
        #expect(top.survivor == .local)
    }

    @Test("Equal identifiers between ASes: the larger AS keeps its connection (RFC 6286 §2.3)")
    func equalIdentifiers() {
        #expect(
            CollisionResolution.resolve(localIdentifier: low, remoteIdentifier: low, localAS: 65001, remoteAS: 65002)
                .survivor == .remote)
        #expect(
            CollisionResolution.resolve(localIdentifier: low, remoteIdentifier: low, localAS: 65002, remoteAS: 65001)
                .survivor == .local)
    }

    @Test("An Established connection always stays")
    func establishedStays() {
        let r = CollisionResolution.resolve(
            localIdentifier: high, remoteIdentifier: low, localAS: 65001, remoteAS: 65001,
            establishedConnection: .remote)
        #expect(r.survivor == .remote)
    }

    @Test("The losing machine sends the Cease before closing")
    func loserSendsCease() {
        let r = CollisionResolution.resolve(
            localIdentifier: localIdentifier, remoteIdentifier: peerIdentifier, localAS: 65001, remoteAS: 65001)
        #expect(r.survivor == .remote, "192.0.2.1 < 192.0.2.2")
        var outgoing = openConfirmMachine()
        let actions = outgoing.handle(.openCollisionDump)
        #expect(actions.prefix(2) == [.send(.notification(r.notification)), .closeConnection(.collision)])
    }
}
