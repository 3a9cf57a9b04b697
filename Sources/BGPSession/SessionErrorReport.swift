public import BGPWire

/// An error caused by the peer, for the log: who, what was done about it, why, and the offending bytes.
///
/// RFC 7606 §8 asks that errors handled without a session reset still be logged, since nothing else tells the
/// operator that routes were withdrawn or attributes dropped.
public struct SessionErrorReport: Hashable, Sendable, CustomStringConvertible {
    /// What was done about the error.
    public enum Handling: Hashable, Sendable {
        /// This NOTIFICATION was sent and the session closed (RFC 4271 §6, RFC 6608).
        case sessionReset(NotificationMessage)
        /// The family was dropped from the session and its routes withdrawn (RFC 7606 §2, RFC 4760 §7).
        case afiSafiDisable(AddressFamily)
        /// The UPDATE's routes were withdrawn (RFC 7606 §2).
        case treatAsWithdraw
        /// The attribute was dropped, the rest of the UPDATE used (RFC 7606 §2).
        case attributeDiscard
        /// The message, or part of it, was ignored (e.g. routes of a family not negotiated).
        case ignored

        public var kind: Kind {
            switch self {
            case .sessionReset: .sessionReset
            case .afiSafiDisable: .afiSafiDisable
            case .treatAsWithdraw: .treatAsWithdraw
            case .attributeDiscard: .attributeDiscard
            case .ignored: .ignored
            }
        }
    }

    /// ``Handling`` without its payload, for counters.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case sessionReset = "session-reset"
        case afiSafiDisable = "afi-safi-disable"
        case treatAsWithdraw = "treat-as-withdraw"
        case attributeDiscard = "attribute-discard"
        case ignored
    }

    public var peer: IPAddress
    /// The type of the offending message, when known.
    public var messageType: BGPMessage.MessageType?
    public var handling: Handling
    public var reason: String
    /// The path attribute concerned, if any.
    public var attributeType: UInt8?
    /// The offending attribute (flags, type, length and value) when it can be located in the message, else
    /// the whole message as received (empty if the owner did not pass the bytes).
    public var bytes: [UInt8]

    public init(
        peer: IPAddress, messageType: BGPMessage.MessageType?, handling: Handling, reason: String,
        attributeType: UInt8? = nil, bytes: [UInt8]
    ) {
        self.peer = peer
        self.messageType = messageType
        self.handling = handling
        self.reason = reason
        self.attributeType = attributeType
        self.bytes = bytes
    }

    /// `peer 192.0.2.2: UPDATE treat-as-withdraw: ORIGIN: value 5 is not 0, 1 or 2 [40 01 01 05]`.
    public var description: String {
        let what: String =
            switch handling {
            case .sessionReset(let n): "session-reset \(n.errorCode)/\(n.errorSubcode)"
            case .afiSafiDisable(let f): "afi-safi-disable \(f)"
            default: handling.kind.rawValue
            }
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        let type = messageType.map { "\($0) " } ?? ""
        return "peer \(peer): \(type)\(what): \(reason) [\(hex.joined(separator: " "))]"
    }

    /// The bytes of the last path attribute of type `typeCode` in a whole UPDATE message (header included),
    /// or nil if it cannot be found. The last one, because a repeated attribute is discarded after the first
    /// (RFC 7606 §3.g). Nothing is trusted: every length is checked against the bytes present.
    public static func attributeBytes(_ typeCode: UInt8, inUpdate message: [UInt8]) -> [UInt8]? {
        let header = 19
        guard message.count >= header + 4, message[18] == BGPMessage.MessageType.update.rawValue else { return nil }
        func length16(at i: Int) -> Int { Int(message[i]) << 8 | Int(message[i + 1]) }
        var i = header + 2 + length16(at: header)
        guard i + 2 <= message.count else { return nil }
        let end = min(i + 2 + length16(at: i), message.count)
        i += 2
        var found: Range<Int>?
        while i + 3 <= end {
            let extended = message[i] & 0x10 != 0
            let headerLength = extended ? 4 : 3
            guard i + headerLength <= end else { break }
            let length = extended ? length16(at: i + 2) : Int(message[i + 2])
            let next = i + headerLength + length
            let isMatch = message[i + 1] == typeCode
            if next > end {
                // An attribute running past the block: what is there is the offending part.
                if isMatch { found = i..<end }
                break
            }
            if isMatch { found = i..<next }
            i = next
        }
        return found.map { Array(message[$0]) }
    }
}
