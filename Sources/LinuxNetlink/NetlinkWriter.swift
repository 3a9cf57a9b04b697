/// Appends netlink wire data to a byte buffer. Netlink integers are in host byte order (netlink(7)), except
/// the few attributes the kernel defines as big-endian (ports), which have their own writer.
public struct NetlinkWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    public mutating func append(_ value: UInt8) { bytes.append(value) }

    public mutating func append(_ value: UInt16) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(_ value: UInt32) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(_ value: Int32) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    public mutating func appendBigEndian(_ value: UInt16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(contentsOf data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }

    /// Pads with zeros to the 4-byte boundary that NLMSG_ALIGN / RTA_ALIGN use.
    public mutating func alignTo4() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    /// Overwrites a host-order UInt16 already in the buffer (a length field written before its content).
    mutating func patch(_ value: UInt16, at offset: Int) {
        withUnsafeBytes(of: value) { raw in
            bytes[offset] = raw[0]
            bytes[offset + 1] = raw[1]
        }
    }

    mutating func patch(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value) { raw in
            for index in 0..<4 { bytes[offset + index] = raw[index] }
        }
    }

    // MARK: rtattr TLVs (struct rtattr / struct nlattr: u16 length including the 4-byte header, u16 type)

    /// Writes one attribute with a raw payload, padded to 4 bytes (the length field excludes the padding).
    public mutating func attribute(_ type: UInt16, _ payload: some Collection<UInt8>) {
        append(UInt16(4 + payload.count))
        append(type)
        append(contentsOf: payload)
        alignTo4()
    }

    public mutating func attribute(_ type: UInt16, u8 value: UInt8) { attribute(type, CollectionOfOne(value)) }

    public mutating func attribute(_ type: UInt16, u16 value: UInt16) {
        withUnsafeBytes(of: value) { attribute(type, Array($0)) }
    }

    public mutating func attribute(_ type: UInt16, u32 value: UInt32) {
        withUnsafeBytes(of: value) { attribute(type, Array($0)) }
    }

    public mutating func attribute(_ type: UInt16, i32 value: Int32) {
        withUnsafeBytes(of: value) { attribute(type, Array($0)) }
    }

    public mutating func attribute(_ type: UInt16, bigEndianU16 value: UInt16) {
        withUnsafeBytes(of: value.bigEndian) { attribute(type, Array($0)) }
    }

    /// A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND, FRA_IIFNAME...).
    public mutating func attribute(_ type: UInt16, string: String) {
        attribute(type, Array(string.utf8) + [0])
    }

    /// A string attribute without the NUL, as iproute2 sends IFLA_INFO_KIND (the kernel accepts both).
    public mutating func attribute(_ type: UInt16, unterminated string: String) {
        attribute(type, Array(string.utf8))
    }

    /// A nested attribute: `body` writes the inner attributes; the outer length is patched afterwards.
    public mutating func nested(_ type: UInt16, _ body: (inout NetlinkWriter) -> Void) {
        let start = bytes.count
        append(UInt16(0))
        append(type)
        body(&self)
        alignTo4()
        patch(UInt16(bytes.count - start), at: start)
    }
}
