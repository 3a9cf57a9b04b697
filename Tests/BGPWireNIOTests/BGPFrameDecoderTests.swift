import BGPWire
import BGPWireNIO
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("Stream framing in a SwiftNIO pipeline")
struct BGPFrameDecoderTests {
    static let messages: [[UInt8]] = [
        BGPMessage.keepalive.encode(),
        BGPMessage.open(
            OpenMessage(
                asn: 4_200_000_000, holdTime: 90, bgpIdentifier: IPv4Address(10, 0, 0, 1), capabilities: [.routeRefresh]
            )
        ).encode(),
        BGPMessage.update(.endOfRIB(.vpnIPv4)).encode(),
        BGPMessage.notification(.cease(.administrativeShutdown, shutdownCommunication: "bye")).encode(),
        BGPMessage.routeRefresh(RouteRefreshMessage(family: .evpn, subtype: .beginningOfRIB)).encode(),
    ]

    @Test("Drip-fed, coalesced and split reads all give the same messages (ByteToMessageDecoderVerifier)")
    func verifier() throws {
        let pairs = Self.messages.map { bytes -> (ByteBuffer, [ByteBuffer]) in
            (ByteBuffer(bytes: bytes), [ByteBuffer(bytes: bytes)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { BGPFrameDecoder() }
    }

    @Test("Several messages in one read, then one split across reads")
    func coalescedAndSplit() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(BGPFrameDecoder()))
        var all = ByteBuffer(bytes: Self.messages.joined())
        let tail = all.readSlice(length: all.readableBytes - 7)!
        try channel.writeInbound(tail)
        try channel.writeInbound(all)
        for expected in Self.messages {
            let frame = try #require(try channel.readInbound(as: ByteBuffer.self))
            #expect(Array(frame.readableBytesView) == expected)
            _ = try BGPMessage.decode(frame)
        }
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }

    @Test("A half header waits for more bytes")
    func halfHeader() throws {
        var buffer = ByteBuffer(bytes: Self.messages[0].prefix(10))
        #expect(try BGPFrameDecoder.nextFrame(&buffer, maximumLength: 4096) == nil)
        #expect(buffer.readableBytes == 10)
    }

    @Test("A bad marker is a Connection Not Synchronized error, even before the message is complete")
    func badMarker() {
        var bytes = Self.messages[1]
        bytes[3] = 0
        var buffer = ByteBuffer(bytes: bytes.prefix(25))
        do {
            _ = try BGPFrameDecoder.nextFrame(&buffer, maximumLength: 4096)
            Issue.record("no error")
        } catch {
            #expect(error.action == .sessionReset(NotificationMessage(.messageHeaderError, subcode: 1)))
        }
    }

    @Test("A message over 4096 octets is refused until Extended Message is negotiated")
    func extendedMessage() throws {
        let routes = (0..<1100).map { i in
            IPv4PrefixNLRI(prefix: IPv4Prefix(IPv4Address(UInt32(0x0A00_0000) + UInt32(i) << 8), length: 24))
        }
        let big = BGPMessage.update(UpdateMessage(withdrawnRoutes: routes)).encode()
        #expect(big.count > 4096)
        var buffer = ByteBuffer(bytes: big)
        #expect(throws: BGPWireError.self) { try BGPFrameDecoder.nextFrame(&buffer, maximumLength: 4096) }
        let frame = try #require(try BGPFrameDecoder.nextFrame(&buffer, maximumLength: 65535))
        let decoded = try BGPMessage.decode(frame, options: DecodingOptions(extendedMessage: true))
        #expect(decoded.message == .update(UpdateMessage(withdrawnRoutes: routes)))
    }

    @Test("The encoder writes what the decoder reads")
    func encoder() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(BGPMessageEncoder()))
        try channel.writeOutbound(BGPMessage.keepalive)
        let out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try BGPMessage.decode(out).message == .keepalive)
        _ = try channel.finish()
    }
}
