/// A BGP message (RFC 4271 §4).
public enum BGPMessage: Hashable, Sendable {
    case open(OpenMessage)
    case update(UpdateMessage)
    case notification(NotificationMessage)
    case keepalive
    case routeRefresh(RouteRefreshMessage)

    /// Message type codes (RFC 4271 §4.1, RFC 2918 §3).
    public enum MessageType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case open = 1
        case update = 2
        case notification = 3
        case keepalive = 4
        case routeRefresh = 5

        /// RFC 4271 §6.1, RFC 2918: smallest valid length of each type, header included.
        public var minimumLength: Int {
            switch self {
            case .open: 29
            case .update: 23
            case .notification: 21
            case .keepalive: 19
            case .routeRefresh: 23
            }
        }

        public var description: String {
            switch self {
            case .open: "OPEN"
            case .update: "UPDATE"
            case .notification: "NOTIFICATION"
            case .keepalive: "KEEPALIVE"
            case .routeRefresh: "ROUTE-REFRESH"
            }
        }
    }

    public var type: MessageType {
        switch self {
        case .open: .open
        case .update: .update
        case .notification: .notification
        case .keepalive: .keepalive
        case .routeRefresh: .routeRefresh
        }
    }

    // MARK: - Encoding

    /// The whole message, header included.
    public func encode(options: EncodingOptions = .default) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        encode(into: &w, options: options)
        return w.bytes
    }

    /// Appends the whole message to `w`.
    public func encode(into w: inout ByteWriter, options: EncodingOptions = .default) {
        let start = w.count
        for _ in 0..<4 { w.write(UInt32.max) }
        let lengthAt = w.reserveLength(width: 2)
        w.write(type.rawValue)
        switch self {
        case .open(let m): m.writeBody(to: &w)
        case .update(let m): m.writeBody(to: &w, options: options)
        case .notification(let m):
            w.write(m.errorCode)
            w.write(m.errorSubcode)
            w.write(m.data)
        case .keepalive: break
        case .routeRefresh(let m): m.writeBody(to: &w)
        }
        let length = w.count - start
        w.bytes[lengthAt] = UInt8(truncatingIfNeeded: length >> 8)
        w.bytes[lengthAt + 1] = UInt8(truncatingIfNeeded: length)
    }

    // MARK: - Decoding

    /// Decodes exactly one whole message (header included).
    ///
    /// Throws for errors that reset the session (with the NOTIFICATION to send). Errors with a milder
    /// RFC 7606 action come back in ``DecodedMessage/errors`` beside the message.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, options: DecodingOptions = .default
    )
        throws(BGPWireError) -> DecodedMessage
    {
        guard let length = try BGPFraming.frameLength(bytes, maximumLength: options.maximumMessageLength) else {
            throw .header(.badMessageLength, "truncated: \(bytes.count) octet(s), a message needs at least 19")
        }
        guard length == bytes.count else {
            throw .header(
                .badMessageLength, data: [UInt8(length >> 8), UInt8(length & 0xFF)],
                length > bytes.count
                    ? "truncated: header says \(length) octets, \(bytes.count) present"
                    : "\(bytes.count - length) octet(s) after the \(length)-octet message")
        }
        var r = ByteReader(base: bytes, index: BGPFraming.headerLength, endIndex: length)
        switch MessageType(rawValue: bytes[18])! {
        case .open: return DecodedMessage(.open(try OpenMessage.decode(body: &r)))
        case .update:
            let (update, errors) = try UpdateMessage.decode(body: &r, options: options)
            return DecodedMessage(.update(update), errors: errors)
        case .notification:
            return DecodedMessage(
                .notification(
                    NotificationMessage(errorCode: bytes[19], errorSubcode: bytes[20], data: Array(bytes[21..<length])))
            )
        case .keepalive: return DecodedMessage(.keepalive)
        case .routeRefresh: return DecodedMessage(.routeRefresh(try RouteRefreshMessage.decode(body: &r)))
        }
    }

    public static func decode(
        _ bytes: [UInt8], options: DecodingOptions = .default
    ) throws(BGPWireError)
        -> DecodedMessage
    {
        let result: Result<DecodedMessage, BGPWireError> = bytes.withUnsafeBytes { raw in
            do throws(BGPWireError) { return .success(try decode(raw, options: options)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A decoded message and the RFC 7606 errors that did not reset the session.
public struct DecodedMessage: Hashable, Sendable {
    public var message: BGPMessage
    /// Treat-as-withdraw, attribute-discard and AFI/SAFI-disable errors, in the order found.
    public var errors: [BGPWireError]

    public init(_ message: BGPMessage, errors: [BGPWireError] = []) {
        self.message = message
        self.errors = errors
    }

    /// The strongest action called for (RFC 7606 §3.h), nil when the message is clean.
    public var action: BGPWireError.Action? { errors.max(by: { $0.action.strength < $1.action.strength })?.action }

    /// The error with the strongest action.
    public var strongestError: BGPWireError? { errors.max(by: { $0.action.strength < $1.action.strength }) }

    /// What a receiver acts on: for treat-as-withdraw, the UPDATE turned into withdrawals.
    public var effectiveMessage: BGPMessage {
        if case .update(let u) = message, errors.contains(where: { $0.action == .treatAsWithdraw }) {
            return .update(u.asWithdrawal())
        }
        return message
    }
}
