/// NOTIFICATION message (RFC 4271 §4.5).
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     | Error code    | Error subcode |   Data (variable)             |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public struct NotificationMessage: Hashable, Sendable, CustomStringConvertible {
    public var errorCode: UInt8
    public var errorSubcode: UInt8
    public var data: [UInt8]

    public init(errorCode: UInt8, errorSubcode: UInt8, data: [UInt8] = []) {
        self.errorCode = errorCode
        self.errorSubcode = errorSubcode
        self.data = data
    }

    public init(_ code: ErrorCode, subcode: UInt8 = 0, data: [UInt8] = []) {
        self.init(errorCode: code.rawValue, errorSubcode: subcode, data: data)
    }

    /// A Cease with an RFC 9003 shutdown communication (Administrative Shutdown or Reset). The text is cut
    /// at 255 octets, on a UTF-8 character boundary.
    public static func cease(_ subcode: CeaseSubcode, shutdownCommunication text: String = "") -> Self {
        var utf8 = Array(text.utf8)
        if utf8.count > 255 {
            utf8 = Array(utf8.prefix(255))
            // Drop continuation bytes of a cut character, then its lead byte.
            while let last = utf8.last, last & 0xC0 == 0x80 { utf8.removeLast() }
            if let last = utf8.last, last >= 0xC0 { utf8.removeLast() }
        }
        let data = subcode.carriesShutdownCommunication ? [UInt8(utf8.count)] + utf8 : []
        return Self(.cease, subcode: subcode.rawValue, data: data)
    }

    /// RFC 9003 §2: the shutdown communication of an Administrative Shutdown or Reset Cease, if the data holds
    /// a well-formed one (length octet matching the data, valid UTF-8).
    public var shutdownCommunication: String? {
        guard errorCode == ErrorCode.cease.rawValue,
            CeaseSubcode(rawValue: errorSubcode)?.carriesShutdownCommunication == true,
            let length = data.first, Int(length) == data.count - 1
        else { return nil }
        return String(validating: data[1...], as: UTF8.self)
    }

    /// "UPDATE Message Error / Malformed AS_PATH", or numbers for unknown codes.
    public var codeName: String { ErrorCode(rawValue: errorCode)?.description ?? "code \(errorCode)" }

    public var subcodeName: String {
        Self.subcodeName(code: errorCode, subcode: errorSubcode) ?? "subcode \(errorSubcode)"
    }

    public var description: String { "\(codeName) / \(subcodeName) (\(errorCode)/\(errorSubcode))" }

    /// Error codes (RFC 4271 §4.5; 7: RFC 7313; 8: RFC 9687).
    public enum ErrorCode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case messageHeaderError = 1
        case openMessageError = 2
        case updateMessageError = 3
        case holdTimerExpired = 4
        case finiteStateMachineError = 5
        case cease = 6
        case routeRefreshMessageError = 7
        case sendHoldTimerExpired = 8

        public var description: String {
            switch self {
            case .messageHeaderError: "Message Header Error"
            case .openMessageError: "OPEN Message Error"
            case .updateMessageError: "UPDATE Message Error"
            case .holdTimerExpired: "Hold Timer Expired"
            case .finiteStateMachineError: "Finite State Machine Error"
            case .cease: "Cease"
            case .routeRefreshMessageError: "ROUTE-REFRESH Message Error"
            case .sendHoldTimerExpired: "Send Hold Timer Expired"
            }
        }
    }

    /// Message Header Error subcodes (RFC 4271 §6.1).
    public enum MessageHeaderSubcode: UInt8, Sendable, CaseIterable {
        case connectionNotSynchronized = 1
        case badMessageLength = 2
        case badMessageType = 3
    }

    /// OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492 §5, RFC 9234 §4.2).
    public enum OpenSubcode: UInt8, Sendable, CaseIterable {
        case unspecific = 0
        case unsupportedVersionNumber = 1
        case badPeerAS = 2
        case badBGPIdentifier = 3
        case unsupportedOptionalParameter = 4
        case unacceptableHoldTime = 6
        case unsupportedCapability = 7
        case roleMismatch = 11
    }

    /// UPDATE Message Error subcodes (RFC 4271 §6.3).
    public enum UpdateSubcode: UInt8, Sendable, CaseIterable {
        case malformedAttributeList = 1
        case unrecognizedWellKnownAttribute = 2
        case missingWellKnownAttribute = 3
        case attributeFlagsError = 4
        case attributeLengthError = 5
        case invalidOriginAttribute = 6
        case invalidNextHopAttribute = 8
        case optionalAttributeError = 9
        case invalidNetworkField = 10
        case malformedASPath = 11
    }

    /// Finite State Machine Error subcodes (RFC 6608).
    public enum FSMSubcode: UInt8, Sendable, CaseIterable {
        case unspecified = 0
        case unexpectedMessageInOpenSent = 1
        case unexpectedMessageInOpenConfirm = 2
        case unexpectedMessageInEstablished = 3
    }

    /// Cease subcodes (RFC 4486, RFC 8538, RFC 9384).
    public enum CeaseSubcode: UInt8, Sendable, CaseIterable {
        case maximumNumberOfPrefixesReached = 1
        case administrativeShutdown = 2
        case peerDeconfigured = 3
        case administrativeReset = 4
        case connectionRejected = 5
        case otherConfigurationChange = 6
        case connectionCollisionResolution = 7
        case outOfResources = 8
        case hardReset = 9
        case bfdDown = 10

        /// RFC 9003 §2: subcodes 2 and 4 may carry a shutdown communication.
        public var carriesShutdownCommunication: Bool {
            self == .administrativeShutdown || self == .administrativeReset
        }
    }

    static func subcodeName(code: UInt8, subcode: UInt8) -> String? {
        switch ErrorCode(rawValue: code) {
        case .messageHeaderError:
            switch MessageHeaderSubcode(rawValue: subcode) {
            case .connectionNotSynchronized: "Connection Not Synchronized"
            case .badMessageLength: "Bad Message Length"
            case .badMessageType: "Bad Message Type"
            case nil: nil
            }
        case .openMessageError:
            switch OpenSubcode(rawValue: subcode) {
            case .unspecific: "Unspecific"
            case .unsupportedVersionNumber: "Unsupported Version Number"
            case .badPeerAS: "Bad Peer AS"
            case .badBGPIdentifier: "Bad BGP Identifier"
            case .unsupportedOptionalParameter: "Unsupported Optional Parameter"
            case .unacceptableHoldTime: "Unacceptable Hold Time"
            case .unsupportedCapability: "Unsupported Capability"
            case .roleMismatch: "Role Mismatch"
            case nil: nil
            }
        case .updateMessageError:
            switch UpdateSubcode(rawValue: subcode) {
            case .malformedAttributeList: "Malformed Attribute List"
            case .unrecognizedWellKnownAttribute: "Unrecognized Well-known Attribute"
            case .missingWellKnownAttribute: "Missing Well-known Attribute"
            case .attributeFlagsError: "Attribute Flags Error"
            case .attributeLengthError: "Attribute Length Error"
            case .invalidOriginAttribute: "Invalid ORIGIN Attribute"
            case .invalidNextHopAttribute: "Invalid NEXT_HOP Attribute"
            case .optionalAttributeError: "Optional Attribute Error"
            case .invalidNetworkField: "Invalid Network Field"
            case .malformedASPath: "Malformed AS_PATH"
            case nil: nil
            }
        case .finiteStateMachineError:
            switch FSMSubcode(rawValue: subcode) {
            case .unspecified: "Unspecified Error"
            case .unexpectedMessageInOpenSent: "Receive Unexpected Message in OpenSent State"
            case .unexpectedMessageInOpenConfirm: "Receive Unexpected Message in OpenConfirm State"
            case .unexpectedMessageInEstablished: "Receive Unexpected Message in Established State"
            case nil: nil
            }
        case .cease:
            switch CeaseSubcode(rawValue: subcode) {
            case .maximumNumberOfPrefixesReached: "Maximum Number of Prefixes Reached"
            case .administrativeShutdown: "Administrative Shutdown"
            case .peerDeconfigured: "Peer De-configured"
            case .administrativeReset: "Administrative Reset"
            case .connectionRejected: "Connection Rejected"
            case .otherConfigurationChange: "Other Configuration Change"
            case .connectionCollisionResolution: "Connection Collision Resolution"
            case .outOfResources: "Out of Resources"
            case .hardReset: "Hard Reset"
            case .bfdDown: "BFD Down"
            case nil: nil
            }
        case .routeRefreshMessageError: subcode == 1 ? "Invalid Message Length" : nil
        case .holdTimerExpired, .sendHoldTimerExpired: subcode == 0 ? "Unspecific" : nil
        case nil: nil
        }
    }
}
