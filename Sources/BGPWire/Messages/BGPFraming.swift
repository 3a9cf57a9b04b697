/// Message framing on a byte stream (RFC 4271 §4.1).
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                                                               |
///     +                                                               +
///     |                           Marker                              |
///     +                                                               +
///     |                                                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |          Length               |      Type     |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public enum BGPFraming {
    public static let headerLength = 19
    /// RFC 4271 §4: the classic maximum message size.
    public static let maximumLength = 4096
    /// RFC 8654 §4: the maximum once Extended Message is negotiated.
    public static let extendedMaximumLength = 65535

    /// Looks at the start of a stream: nil when fewer than 19 octets are there, else the length of the first
    /// message (which may not be all there yet). Throws the RFC 4271 §6.1 header errors.
    public static func frameLength(
        _ bytes: UnsafeRawBufferPointer, maximumLength: Int = maximumLength
    )
        throws(BGPWireError) -> Int?
    {
        guard bytes.count >= headerLength else { return nil }
        // RFC 4271 §6.1: a marker that is not all ones is Connection Not Synchronized.
        let m0 = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let m1 = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        guard m0 == .max, m1 == .max else { throw .header(.connectionNotSynchronized, "marker is not all ones") }
        let length = Int(bytes[16]) << 8 | Int(bytes[17])
        guard length >= headerLength, length <= maximumLength else {
            throw .header(
                .badMessageLength, data: [bytes[16], bytes[17]], "length \(length) outside 19...\(maximumLength)")
        }
        guard let type = BGPMessage.MessageType(rawValue: bytes[18]) else {
            throw .header(.badMessageType, data: [bytes[18]], "unknown message type \(bytes[18])")
        }
        guard length >= type.minimumLength, type != .keepalive || length == headerLength else {
            throw .header(
                .badMessageLength, data: [bytes[16], bytes[17]],
                "\(type) of length \(length) (\(type == .keepalive ? "must be 19" : "minimum \(type.minimumLength)"))")
        }
        return length
    }

    public static func frameLength(_ bytes: [UInt8], maximumLength: Int = maximumLength) throws(BGPWireError) -> Int? {
        let result: Result<Int?, BGPWireError> = bytes.withUnsafeBytes { raw in
            do throws(BGPWireError) { return .success(try frameLength(raw, maximumLength: maximumLength)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
