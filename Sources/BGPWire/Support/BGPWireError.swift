/// A decoding error, with what RFC 7606 says to do about it.
///
/// Errors are values: the session layer acts on ``action`` (send the NOTIFICATION, disable the family,
/// withdraw the routes, or drop the attribute) and logs ``reason``.
public struct BGPWireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// RFC 7606 §2 error-handling approaches, strongest first.
    public enum Action: Hashable, Sendable {
        /// Send this NOTIFICATION and close the session (RFC 4271 §6).
        case sessionReset(NotificationMessage)
        /// Stop using this family on the session (RFC 4760 §7, RFC 7606 §2 "AFI/SAFI disable").
        case afiSafiDisable(AddressFamily)
        /// Withdraw every route the UPDATE carries (RFC 7606 §2).
        case treatAsWithdraw
        /// Drop the attribute and carry on (RFC 7606 §2).
        case attributeDiscard

        /// Order of strength used to pick the action when an UPDATE has several errors (RFC 7606 §3.h).
        public var strength: Int {
            switch self {
            case .sessionReset: 3
            case .afiSafiDisable: 2
            case .treatAsWithdraw: 1
            case .attributeDiscard: 0
            }
        }

        /// `session-reset 3/1`, `afi-safi-disable`, `treat-as-withdraw`, `attribute-discard`.
        public var label: String {
            switch self {
            case .sessionReset(let n): "session-reset \(n.errorCode)/\(n.errorSubcode)"
            case .afiSafiDisable: "afi-safi-disable"
            case .treatAsWithdraw: "treat-as-withdraw"
            case .attributeDiscard: "attribute-discard"
            }
        }
    }

    public var action: Action
    /// What is wrong, for logs and error messages.
    public var reason: String
    /// The path attribute concerned, if any.
    public var attributeType: UInt8?

    public init(_ action: Action, _ reason: String, attributeType: UInt8? = nil) {
        self.action = action
        self.reason = reason
        self.attributeType = attributeType
    }

    /// A session reset with this NOTIFICATION code and subcode.
    static func reset(
        _ code: NotificationMessage.ErrorCode, _ subcode: UInt8, data: [UInt8] = [], _ reason: String,
        attributeType: UInt8? = nil
    ) -> BGPWireError {
        BGPWireError(
            .sessionReset(NotificationMessage(code, subcode: subcode, data: data)), reason, attributeType: attributeType
        )
    }

    static func header(
        _ subcode: NotificationMessage.MessageHeaderSubcode, data: [UInt8] = [], _ reason: String
    )
        -> BGPWireError
    {
        reset(.messageHeaderError, subcode.rawValue, data: data, reason)
    }

    static func open(_ subcode: NotificationMessage.OpenSubcode, data: [UInt8] = [], _ reason: String) -> BGPWireError {
        reset(.openMessageError, subcode.rawValue, data: data, reason)
    }

    static func update(
        _ subcode: NotificationMessage.UpdateSubcode, data: [UInt8] = [], _ reason: String, attributeType: UInt8? = nil
    ) -> BGPWireError {
        reset(.updateMessageError, subcode.rawValue, data: data, reason, attributeType: attributeType)
    }

    /// `<action>: <reason>`, as `bagpipe-wire` prints it.
    public var description: String { "\(action.label): \(reason)" }
}
