public import BGPWire

/// Counters kept by a session, for the looking glass and metrics.
public struct SessionCounters: Hashable, Sendable {
    /// Messages received, per type.
    public var messagesReceived: [BGPMessage.MessageType: Int] = [:]
    /// Messages sent (handed to the owner in ``SessionAction/send(_:)``), per type.
    public var messagesSent: [BGPMessage.MessageType: Int] = [:]
    /// Errors caused by the peer, by what was done about them (RFC 7606 §2 actions, session resets, ignored).
    public var errors: [SessionErrorReport.Kind: Int] = [:]
    /// RFC 4271 §8: ConnectRetryCounter, the number of times the session failed since it was last started or
    /// stopped by hand.
    public var connectRetryCounter = 0
    /// How many times the session reached Established.
    public var establishedTransitions = 0

    public init() {}

    public func received(_ type: BGPMessage.MessageType) -> Int { messagesReceived[type, default: 0] }
    public func sent(_ type: BGPMessage.MessageType) -> Int { messagesSent[type, default: 0] }
    public func errors(_ kind: SessionErrorReport.Kind) -> Int { errors[kind, default: 0] }
}
