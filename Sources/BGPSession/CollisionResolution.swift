public import BGPWire

/// Connection collision resolution (RFC 4271 §6.8, RFC 6286 §2.3).
///
/// When both speakers open a connection at the same time, two connections to the same peer exist, each with
/// its own ``SessionStateMachine``. Once the remote BGP Identifier is known (the peer's OPEN), one of them is
/// closed: the one opened by the speaker with the lower BGP Identifier. The dropped connection gets a
/// NOTIFICATION Cease / Connection Collision Resolution (RFC 4486 subcode 7) first; its machine is told with
/// ``SessionEvent/openCollisionDump``, which sends exactly that.
///
/// A pure decision: it names the connections by who opened them, since in a collision one was opened by us
/// and the other by the peer.
public struct CollisionResolution: Hashable, Sendable {
    /// Which side opened a connection.
    public enum Initiator: Hashable, Sendable {
        /// We connected to the peer (outgoing connection).
        case local
        /// The peer connected to us (incoming connection).
        case remote
    }

    /// The side whose connection is kept.
    public var survivor: Initiator
    /// Cease / Connection Collision Resolution, to send on the dropped connection before closing it.
    public var notification: NotificationMessage

    /// The side whose connection is closed.
    public var dropped: Initiator { survivor == .local ? .remote : .local }

    /// Whether the connection opened by `initiator` is the one to close.
    public func drops(connectionOpenedBy initiator: Initiator) -> Bool { initiator == dropped }

    /// Decides which connection to keep.
    ///
    /// - Parameters:
    ///   - establishedConnection: if one of the two connections is already Established, who opened it.
    ///     RFC 4271 §6.8: a collision with an Established connection is resolved in its favour (we do not
    ///     implement the optional CollisionDetectEstablishedState).
    public static func resolve(
        localIdentifier: IPv4Address, remoteIdentifier: IPv4Address, localAS: UInt32, remoteAS: UInt32,
        establishedConnection: Initiator? = nil
    ) -> CollisionResolution {
        let survivor: Initiator
        if let established = establishedConnection {
            survivor = established
        } else if localIdentifier != remoteIdentifier {
            // RFC 4271 §6.8: identifiers compared as 4-octet unsigned integers in host order; the connection
            // opened by the higher one stays.
            survivor = localIdentifier.value > remoteIdentifier.value ? .local : .remote
        } else {
            // RFC 6286 §2.3: equal identifiers (possible between ASes) are broken by the AS number; the
            // connection opened by the speaker with the larger AS stays. Equal ASes too cannot happen (an
            // internal peer with our own identifier is refused with 2/3); keeping ours is as good as any.
            survivor = remoteAS > localAS ? .remote : .local
        }
        return CollisionResolution(
            survivor: survivor,
            notification: NotificationMessage(
                .cease, subcode: NotificationMessage.CeaseSubcode.connectionCollisionResolution.rawValue))
    }
}
