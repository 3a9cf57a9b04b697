/// Appends big-endian fields to a byte array. Encoders write into one buffer per message.
public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    @inlinable
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable public var count: Int { bytes.count }

    @inlinable public mutating func write(_ value: UInt8) { bytes.append(value) }

    @inlinable
    public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable
    public mutating func writeUInt24(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    @inlinable
    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func write(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    /// Writes the first `(bits + 7) / 8` octets of a left-aligned 128-bit value (RFC 4271 §4.3 prefix form).
    @inlinable
    public mutating func writePrefixBytes(_ hi: UInt64, _ lo: UInt64, bits: Int) {
        let count = (bits + 7) / 8
        var i = 0
        while i < count {
            let byte = i < 8 ? hi >> UInt64(56 - 8 * i) : lo >> UInt64(56 - 8 * (i - 8))
            bytes.append(UInt8(truncatingIfNeeded: byte))
            i += 1
        }
    }

    /// Appends `count` octets that `body` fills through a raw pointer (one capacity check for all of them).
    @inlinable
    public mutating func append(count: Int, _ body: (UnsafeMutableRawPointer) -> Void) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBytes { body($0.baseAddress! + start) }
    }

    /// Reserves a length field of `width` octets and returns its position, to be patched by ``patchLength``.
    @inlinable
    public mutating func reserveLength(width: Int) -> Int {
        let at = bytes.count
        for _ in 0..<width { bytes.append(0) }
        return at
    }

    /// Writes the number of bytes written since the reserved field (not counting the field itself).
    @inlinable
    public mutating func patchLength(at position: Int, width: Int) {
        let length = bytes.count - position - width
        if width == 1 {
            bytes[position] = UInt8(truncatingIfNeeded: length)
        } else {
            bytes[position] = UInt8(truncatingIfNeeded: length >> 8)
            bytes[position + 1] = UInt8(truncatingIfNeeded: length)
        }
    }
}
