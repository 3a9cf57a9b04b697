import BGPWire
import NIOCore
import NIOPosix
import Synchronization

/// A BGP speaker driven by hand over a plain TCP connection: it sends exactly what a test says, and records every
/// message it receives.
final class RawPeer: Sendable {
    let channel: any Channel
    private let inbox: Inbox

    init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Connects from `local` to `host:port`.
    static func connect(to host: String, port: Int, from local: String) async throws -> RawPeer {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: local, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox: inbox))
                }
            }
            .connect(host: host, port: port).get()
        return RawPeer(channel: channel, inbox: inbox)
    }

    func send(_ message: BGPMessage) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: message.encode())).get()
    }

    /// OPEN, as a 4-octet AS speaker with multiprotocol capabilities for `families`, and `extra` capabilities.
    func sendOpen(
        asn: UInt32 = 64512, holdTime: UInt16 = 180, identifier: String,
        families: [AddressFamily] = [.vpnIPv4, .evpn], extra: [Capability] = []
    ) async throws {
        let capabilities = families.map(Capability.multiprotocol) + [.fourOctetAS(asn)] + extra
        try await send(
            .open(
                OpenMessage(
                    asn: asn, holdTime: holdTime, bgpIdentifier: IPv4Address(identifier)!, capabilities: capabilities)))
    }

    var messages: [BGPMessage] { inbox.messages }
    var isClosed: Bool { inbox.isClosed }

    /// The first message received that matches, waiting up to `timeout`.
    func waitFor(
        _ timeout: Duration = .seconds(10), _ matches: (BGPMessage) -> Bool
    ) async -> BGPMessage? {
        var found: BGPMessage?
        _ = await eventually(timeout) {
            found = messages.first(where: matches)
            return found != nil
        }
        return found
    }

    func waitForNotification(_ timeout: Duration = .seconds(10)) async -> NotificationMessage? {
        let message = await waitFor(timeout) { if case .notification = $0 { true } else { false } }
        if case .notification(let n) = message { return n }
        return nil
    }

    func close() async { try? await channel.close() }
}

/// Accepts connections as ``RawPeer``s.
final class RawListener: Sendable {
    let channel: any Channel
    private let peers: AcceptedPeers

    static func listen(on host: String) async throws -> RawListener {
        let accepted = AcceptedPeers()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let inbox = Inbox()
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox: inbox))
                    accepted.append(RawPeer(channel: channel, inbox: inbox))
                }
            }
            .bind(host: host, port: 0).get()
        return RawListener(channel: channel, peers: accepted)
    }

    private init(channel: any Channel, peers: AcceptedPeers) {
        self.channel = channel
        self.peers = peers
    }

    var port: Int { channel.localAddress!.port! }
    var connections: [RawPeer] { peers.all }

    func close() async {
        for peer in connections { await peer.close() }
        try? await channel.close()
    }
}

final class AcceptedPeers: Sendable {
    private let peers = Mutex<[RawPeer]>([])
    func append(_ peer: RawPeer) { peers.withLock { $0.append(peer) } }
    var all: [RawPeer] { peers.withLock { $0 } }
}

/// What a raw connection received.
final class Inbox: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var messages: [BGPMessage] = []
        var closed = false
    }

    private let state = Mutex(State())

    var messages: [BGPMessage] { state.withLock { $0.messages } }
    var isClosed: Bool { state.withLock { $0.closed } }

    func received(_ bytes: [UInt8]) {
        state.withLock { s in
            s.bytes += bytes
            while let length = try? BGPFraming.frameLength(s.bytes), s.bytes.count >= length {
                let frame = Array(s.bytes[0..<length])
                s.bytes.removeFirst(length)
                if let decoded = try? BGPMessage.decode(frame) { s.messages.append(decoded.message) }
            }
        }
    }

    func closed() { state.withLock { $0.closed = true } }
}

final class InboxHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let inbox: Inbox

    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        inbox.received(Array(buffer.readableBytesView))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
