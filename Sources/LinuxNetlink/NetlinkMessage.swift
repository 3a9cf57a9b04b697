/// struct nlmsghdr: 16 bytes, host order.
public struct NetlinkMessageHeader: Hashable, Sendable {
    public static let size = 16
    public var length: UInt32
    public var type: UInt16
    public var flags: NetlinkFlags
    public var sequence: UInt32
    public var portID: UInt32

    public init(length: UInt32, type: UInt16, flags: NetlinkFlags, sequence: UInt32, portID: UInt32 = 0) {
        self.length = length
        self.type = type
        self.flags = flags
        self.sequence = sequence
        self.portID = portID
    }
}

/// One netlink message: header plus the family header and attributes that follow it.
public struct NetlinkMessage: Hashable, Sendable {
    public var header: NetlinkMessageHeader
    public var payload: [UInt8]

    public init(header: NetlinkMessageHeader, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }

    /// Appends this message (length recomputed) to `writer`, padded to NLMSG_ALIGNTO.
    public func encode(into writer: inout NetlinkWriter) {
        writer.append(UInt32(NetlinkMessageHeader.size + payload.count))
        writer.append(header.type)
        writer.append(header.flags.rawValue)
        writer.append(header.sequence)
        writer.append(header.portID)
        writer.append(contentsOf: payload)
        writer.alignTo4()
    }

    /// Splits a datagram into messages. A length that runs past the buffer is an error (never a silent cut).
    public static func parseAll(_ bytes: ArraySlice<UInt8>) throws(NetlinkDecodingError) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= NetlinkMessageHeader.size {
            let length = Int(bytes.loadU32(at: offset))
            guard length >= NetlinkMessageHeader.size, offset + length <= bytes.endIndex else {
                throw .badMessageLength(length: length, available: bytes.endIndex - offset)
            }
            let header = NetlinkMessageHeader(
                length: UInt32(length), type: bytes.loadU16(at: offset + 4),
                flags: NetlinkFlags(rawValue: bytes.loadU16(at: offset + 6)),
                sequence: bytes.loadU32(at: offset + 8), portID: bytes.loadU32(at: offset + 12))
            messages.append(NetlinkMessage(header: header, payload: Array(bytes[(offset + 16)..<(offset + length)])))
            offset += (length + 3) & ~3
        }
        guard offset >= bytes.endIndex else {
            throw .badMessageLength(length: bytes.endIndex - offset, available: bytes.endIndex - offset)
        }
        return messages
    }

    /// The fixed family header (ifinfomsg, ndmsg, ...) must be present before the attributes.
    func familyHeader(size: Int, for what: String) throws(NetlinkDecodingError) -> ArraySlice<UInt8> {
        guard payload.count >= size else { throw .shortFamilyHeader(what, length: payload.count, expected: size) }
        return payload[0..<size]
    }

    func attributes(after size: Int) throws(NetlinkDecodingError) -> [NetlinkAttribute] {
        try NetlinkAttribute.parse(payload[min(size, payload.count)...])
    }
}

/// NLMSG_ERROR payload (struct nlmsgerr): a negative errno (0 = ACK), the offending request's header, and with
/// NETLINK_EXT_ACK the extended-ack TLVs (NLMSGERR_ATTR_MSG: the kernel's human-readable reason).
public struct NetlinkAcknowledgement: Hashable, Sendable {
    /// Positive errno, or 0 for success.
    public var errno: Int32
    public var requestHeader: NetlinkMessageHeader
    public var extendedMessage: String?

    public init(errno: Int32, requestHeader: NetlinkMessageHeader, extendedMessage: String? = nil) {
        self.errno = errno
        self.requestHeader = requestHeader
        self.extendedMessage = extendedMessage
    }

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let payload = message.payload[...]
        guard payload.count >= 4 + NetlinkMessageHeader.size else {
            throw .shortFamilyHeader("nlmsgerr", length: payload.count, expected: 4 + NetlinkMessageHeader.size)
        }
        let error = payload.loadI32(at: payload.startIndex)
        // A negative errno, or 0; INT32_MIN has no positive counterpart (found by the netlink fuzz target).
        guard error != .min else { throw .badValue("nlmsgerr error", value: Int64(error)) }
        errno = -error
        let base = payload.startIndex + 4
        let requestLength = payload.loadU32(at: base)
        requestHeader = NetlinkMessageHeader(
            length: requestLength, type: payload.loadU16(at: base + 4),
            flags: NetlinkFlags(rawValue: payload.loadU16(at: base + 6)),
            sequence: payload.loadU32(at: base + 8), portID: payload.loadU32(at: base + 12))
        extendedMessage = nil
        guard message.header.flags.contains(.ackTLVs) else { return }
        // Without NLM_F_CAPPED the whole request is echoed before the TLVs.
        var tlvStart = base + NetlinkMessageHeader.size
        if !message.header.flags.contains(.capped) {
            tlvStart = base + ((Int(requestLength) + 3) & ~3)
        }
        guard tlvStart <= payload.endIndex else { return }
        let attributes = try NetlinkAttribute.parse(payload[tlvStart...])
        if let text = attributes.first(1)?.string, !text.isEmpty { extendedMessage = text }
    }
}
