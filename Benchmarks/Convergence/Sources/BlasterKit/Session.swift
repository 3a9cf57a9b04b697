public import BGPWire

#if canImport(Glibc)
import Glibc
#endif

/// Whole BGP messages cut from a connection's byte stream, read in large blocks.
public final class MessageStream: @unchecked Sendable {
    public let connection: TCPConnection
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Octets read from the socket so far.
    public private(set) var bytesRead = 0

    public init(_ connection: TCPConnection, capacity: Int = 1 << 20) {
        self.connection = connection
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 4 * 65536), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The next whole message, header included, valid until the next call; nil at end of stream.
    public func next() throws -> UnsafeRawBufferPointer? {
        while true {
            let available = end - start
            if available >= BGPFraming.headerLength {
                let length = Int(buffer[start + 16]) << 8 | Int(buffer[start + 17])
                guard length >= BGPFraming.headerLength else {
                    throw SystemError(message: "bad message length \(length) from \(connection.peer)")
                }
                if available >= length {
                    let message = UnsafeRawBufferPointer(rebasing: buffer[start..<start + length])
                    start += length
                    return message
                }
            }
            if start > 0, buffer.count - end < 65536 {
                // Move the partial message to the front.
                (buffer.baseAddress! + 0).copyMemory(from: buffer.baseAddress! + start, byteCount: available)
                start = 0
                end = available
            }
            let n = try connection.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<buffer.count]))
            if n == 0 { return nil }
            end += n
            bytesRead += n
        }
    }
}

/// What the OPEN exchange settled.
public struct Negotiated: Sendable {
    public var peerOpen: OpenMessage
    /// RFC 8654: both sides advertised Extended Message, so messages may be 65535 octets.
    public var extendedMessage: Bool
    /// RFC 6793: both sides advertised 4-octet AS numbers.
    public var fourOctetAS: Bool
    public var holdTime: UInt16

    public var maximumMessageLength: Int {
        extendedMessage ? BGPFraming.extendedMaximumLength : BGPFraming.maximumLength
    }

    public var decodingOptions: DecodingOptions {
        DecodingOptions(fourOctetAS: fourOctetAS, extendedMessage: extendedMessage, peer: .internal)
    }
}

/// Our side of a session's settings.
public struct SessionSettings: Sendable {
    public var asn: UInt32
    public var routerID: IPv4Address
    public var holdTime: UInt16
    public var families: [AddressFamily]
    public var extendedMessage: Bool

    public init(
        asn: UInt32, routerID: IPv4Address, holdTime: UInt16, families: [AddressFamily], extendedMessage: Bool
    ) {
        self.asn = asn
        self.routerID = routerID
        self.holdTime = holdTime
        self.families = families
        self.extendedMessage = extendedMessage
    }

    var open: OpenMessage {
        var capabilities = families.map { Capability.multiprotocol($0) }
        capabilities += [.routeRefresh, .fourOctetAS(asn)]
        if extendedMessage { capabilities.append(.extendedMessage) }
        return OpenMessage(asn: asn, holdTime: holdTime, bgpIdentifier: routerID, capabilities: capabilities)
    }
}

public let keepaliveBytes: [UInt8] = BGPMessage.keepalive.encode()

/// Opens the session on a connected socket (either side: both send their OPEN at once, RFC 4271 §8): OPEN out,
/// OPEN in, KEEPALIVE out, KEEPALIVE in. Throws on a NOTIFICATION or anything else.
public func openSession(
    _ connection: TCPConnection, _ stream: MessageStream, _ settings: SessionSettings
) throws -> Negotiated {
    try connection.writeAll(BGPMessage.open(settings.open).encode())
    var negotiated: Negotiated?
    while true {
        guard let message = try stream.next() else {
            throw SystemError(message: "\(connection.peer) closed the connection during the OPEN exchange")
        }
        let decoded: DecodedMessage
        do throws(BGPWireError) {
            decoded = try BGPMessage.decode(message, options: DecodingOptions(extendedMessage: true))
        } catch {
            throw SystemError(message: "\(connection.peer): undecodable message during the OPEN exchange: \(error)")
        }
        switch decoded.message {
        case .open(let open):
            let caps = open.capabilities
            let extended = settings.extendedMessage && caps.contains(.extendedMessage)
            let four = caps.contains { if case .fourOctetAS = $0 { return true } else { return false } }
            let hold = min(settings.holdTime, open.holdTime)
            negotiated = Negotiated(peerOpen: open, extendedMessage: extended, fourOctetAS: four, holdTime: hold)
            try connection.writeAll(keepaliveBytes)
        case .keepalive:
            if let negotiated { return negotiated }
        case .notification(let n):
            throw SystemError(
                message:
                    "\(connection.peer) sent NOTIFICATION \(n.errorCode)/\(n.errorSubcode) during the OPEN exchange")
        default:
            throw SystemError(message: "\(connection.peer) sent \(decoded.message.type) during the OPEN exchange")
        }
    }
}
