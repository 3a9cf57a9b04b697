import BGPSession
import BGPWire
import BGPWireNIO
import NIOCore

/// The channel handler of one BGP connection: cuts the byte stream into messages (RFC 4271 §4.1), decodes them
/// with what the session negotiated, and hands them to the speaker, which drives the session's state machine and
/// writes its answers on the channel.
///
/// It runs on the speaker's event loop, which is also the speaker actor's executor, so it reaches the speaker
/// synchronously with `assumeIsolated`: no hop, no copy, and messages are handled in the order they arrived.
/// Reads and activation come from the event loop's I/O and are handled at once; channel closure and errors can
/// also be triggered by the speaker itself (closing a channel fires `channelInactive` inside the close call), so
/// they are queued behind the speaker's current work instead.
final class BGPSessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let speaker: BGPSpeaker
    private let connection: ConnectionID
    private var buffer: ByteBuffer?
    /// After a framing error (or once the speaker dropped the connection) the rest of the stream means nothing.
    private var discarding = false
    private var reportedClosed = false

    init(speaker: BGPSpeaker, connection: ConnectionID) {
        self.speaker = speaker
        self.connection = connection
    }

    func channelActive(context: ChannelHandlerContext) {
        let (speaker, id, channel) = (speaker, connection, context.channel)
        speaker.assumeIsolated { $0.connectionActive(id, channel: channel) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !discarding else { return }
        if buffer == nil || buffer!.readableBytes == 0 {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        processFrames()
        if let b = buffer, b.readableBytes == 0 {
            buffer = nil
        } else if buffer != nil, buffer!.readerIndex > 65536 {
            buffer!.discardReadBytes()
        }
    }

    /// Hands every whole message in the buffer to the speaker, each decoded with the options in force when it is
    /// reached: an OPEN changes them for what follows (4-octet AS, ADD-PATH, extended messages).
    private func processFrames() {
        let (speaker, id) = (speaker, connection)
        while !discarding, buffer != nil {
            guard let (options, maximumLength) = speaker.assumeIsolated({ $0.decodingParameters(id) }) else {
                discarding = true
                break
            }
            let event: SessionEvent
            do throws(BGPWireError) {
                guard let frame = try BGPFrameDecoder.nextFrame(&buffer!, maximumLength: maximumLength) else { break }
                event = Self.decode(frame, options: options)
            } catch {
                // RFC 4271 §6.1: a bad header ends the session with the NOTIFICATION the error carries.
                let header = Array(buffer!.readableBytesView.prefix(BGPFraming.headerLength))
                event = .decodeFailed(error, bytes: header)
                discarding = true
            }
            speaker.assumeIsolated { $0.received(event, on: id) }
        }
    }

    static func decode(_ frame: ByteBuffer, options: DecodingOptions) -> SessionEvent {
        do throws(BGPWireError) {
            let decoded = try BGPMessage.decode(frame, options: options)
            // The bytes only serve error reports; UPDATEs and KEEPALIVEs, the bulk of the traffic, are not
            // copied unless something is wrong with them.
            switch decoded.message {
            case .update, .keepalive:
                if decoded.errors.isEmpty { return .received(decoded) }
            default:
                break
            }
            return .received(decoded, bytes: Array(frame.readableBytesView))
        } catch {
            return .decodeFailed(error, bytes: Array(frame.readableBytesView))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportClosed(context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        reportClosed(context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset by the peer, a write failure: the connection is gone, which the close reports.
        discarding = true
        context.close(promise: nil)
    }

    private func reportClosed(_ context: ChannelHandlerContext) {
        guard !reportedClosed else { return }
        reportedClosed = true
        discarding = true
        let (speaker, id) = (speaker, connection)
        context.eventLoop.execute { speaker.assumeIsolated { $0.connectionClosed(id) } }
    }
}

/// Refuses a connection from an address that is not a peer: RFC 4486 §4, "If a BGP speaker decides to disallow a
/// BGP connection (e.g., the peer is not configured locally) after the speaker accepts a transport protocol
/// connection, then the BGP speaker SHOULD send a NOTIFICATION message with the Error Code Cease and the Error
/// Subcode 'Connection Rejected'".
final class ConnectionRejector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let subcode: NotificationMessage.CeaseSubcode

    init(subcode: NotificationMessage.CeaseSubcode = .connectionRejected) { self.subcode = subcode }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 21)
        buffer.writeBytes(BGPMessage.notification(.cease(subcode)).encode())
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Whatever the refused side sends is not read.
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
