/// One rtattr/nlattr TLV as received. `type` has the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits removed.
public struct NetlinkAttribute: Hashable, Sendable {
    public var type: UInt16
    public var payload: [UInt8]

    public init(type: UInt16, payload: [UInt8]) {
        self.type = type
        self.payload = payload
    }

    /// Parses a run of attributes (the tail of a message, or a nested attribute's payload).
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(NetlinkDecodingError) -> [NetlinkAttribute] {
        var attributes: [NetlinkAttribute] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 4 {
            let length = Int(bytes.loadU16(at: offset))
            let rawType = bytes.loadU16(at: offset + 2)
            guard length >= 4, offset + length <= bytes.endIndex else {
                throw .badAttributeLength(type: rawType & 0x3FFF, length: length, available: bytes.endIndex - offset)
            }
            attributes.append(
                NetlinkAttribute(type: rawType & 0x3FFF, payload: Array(bytes[(offset + 4)..<(offset + length)])))
            offset += (length + 3) & ~3
        }
        return attributes
    }

    public var u8: UInt8? { payload.count >= 1 ? payload[0] : nil }
    public var u16: UInt16? { payload.count >= 2 ? payload[...].loadU16(at: 0) : nil }
    public var u32: UInt32? { payload.count >= 4 ? payload[...].loadU32(at: 0) : nil }
    public var bigEndianU16: UInt16? { payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil }

    /// A NUL-terminated string (trailing NULs dropped).
    public var string: String {
        String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
    }

    public func nested() throws(NetlinkDecodingError) -> [NetlinkAttribute] {
        try NetlinkAttribute.parse(payload[...])
    }
}

extension [NetlinkAttribute] {
    /// The first attribute of `type`; the kernel sends each at most once in the messages decoded here.
    public func first(_ type: UInt16) -> NetlinkAttribute? { first { $0.type == type } }
}

extension ArraySlice<UInt8> {
    /// Host-order loads at an absolute index (netlink is host-endian).
    func loadU16(at index: Int) -> UInt16 {
        var value: UInt16 = 0
        Swift.withUnsafeMutableBytes(of: &value) { raw in
            raw[0] = self[index]
            raw[1] = self[index + 1]
        }
        return value
    }

    func loadU32(at index: Int) -> UInt32 {
        var value: UInt32 = 0
        Swift.withUnsafeMutableBytes(of: &value) { raw in
            for offset in 0..<4 { raw[offset] = self[index + offset] }
        }
        return value
    }

    func loadI32(at index: Int) -> Int32 { Int32(bitPattern: loadU32(at: index)) }
}
