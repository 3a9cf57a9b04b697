import BGPSession
import BGPWire
import NIOCore

/// One thing the routing engine asked to send to a peer, waiting in the peer's outbox until the end of the
/// event-loop turn (``BGPSpeaker/flushOutput()``).
enum OutboxItem {
    /// UPDATEs built by the engine, each within the peer's maximum message length.
    case updates(UpdateBatch)
    /// The family's initial table is out: End-of-RIB follows (RFC 4724 §2), sent by the session.
    case endOfRIB(AddressFamily)
    /// A family re-sent on the peer's request is out: with enhanced route refresh the session sends the End of
    /// RIB ROUTE-REFRESH (RFC 7313 §4).
    case endOfRouteRefresh(AddressFamily)
}

/// The UPDATEs one engine event built for one peer, shared by every peer that got the same ones (a route
/// reflector's clients mostly do), so that they are encoded once per AS number size rather than once per peer.
/// Owned by the speaker's event loop, like the outboxes that hold it.
final class UpdateBatch {
    let messages: [UpdateMessage]
    /// The families the messages carry.
    let families: Set<AddressFamily>
    /// One message with a few routes: worth joining with its neighbours (``UpdateCoalescer``); larger ones are
    /// already packed by the engine and go out as they are.
    let isSmall: Bool
    /// The encoded messages, per `fourOctetAS` (RFC 6793 changes AS_PATH), filled by the first peer that sends.
    private var encoded: [Bool: ByteBuffer] = [:]

    static let smallRouteCount = 16

    init(_ messages: [UpdateMessage]) {
        self.messages = messages
        var families: Set<AddressFamily> = []
        for m in messages {
            if !m.nlri.isEmpty || !m.withdrawnRoutes.isEmpty { families.insert(.ipv4Unicast) }
            if let reach = m.mpReach { families.insert(reach.family) }
            if let unreach = m.mpUnreach { families.insert(unreach.family) }
        }
        self.families = families
        if messages.count == 1, let m = messages.first {
            let routes =
                m.nlri.count + m.withdrawnRoutes.count + (m.mpReach?.nlri.count ?? 0)
                + (m.mpUnreach?.withdrawnRoutes.count ?? 0)
            isSmall = routes <= Self.smallRouteCount
        } else {
            isSmall = false
        }
    }

    /// The messages as a peer with `fourOctetAS` gets them, AS_PATH adapted as the session would
    /// (RFC 6793 §4.2.2).
    func bytes(fourOctetAS: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        if let done = encoded[fourOctetAS] { return done }
        let options = EncodingOptions(fourOctetAS: fourOctetAS)
        var buffer = allocator.buffer(capacity: 0)
        for m in messages {
            var mapped = m
            mapped.pathAttributes =
                fourOctetAS
                ? ASPathTranslation.toFourOctetPeer(m.pathAttributes)
                : ASPathTranslation.toTwoOctetPeer(m.pathAttributes)
            buffer.writeBytes(BGPMessage.update(mapped).encode(options: options))
        }
        encoded[fourOctetAS] = buffer
        return buffer
    }
}
