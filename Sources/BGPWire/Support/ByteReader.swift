/// A bounds-checked cursor over bytes being decoded.
///
/// Decoders run inside `withUnsafeBytes` on the caller's storage, so the reader never copies. Every read
/// checks the bytes present first and throws ``DecodeFailure`` when they run out: a length field is never
/// trusted before it is checked against what is really there (RFC 7606 §4, and the CVE list in
/// bgp-anchors §3.2).
@usableFromInline
struct ByteReader {
    @usableFromInline let base: UnsafeRawBufferPointer
    @usableFromInline var index: Int
    @usableFromInline let endIndex: Int

    @inlinable
    init(_ base: UnsafeRawBufferPointer) {
        self.base = base
        self.index = 0
        self.endIndex = base.count
    }

    @inlinable
    init(base: UnsafeRawBufferPointer, index: Int, endIndex: Int) {
        self.base = base
        self.index = index
        self.endIndex = endIndex
    }

    @inlinable var remaining: Int { endIndex - index }
    @inlinable var isAtEnd: Bool { index >= endIndex }

    @inlinable
    mutating func require(_ count: Int, _ what: @autoclosure () -> String) throws(DecodeFailure) {
        if count > remaining {
            throw DecodeFailure("\(what()): needs \(count) bytes, \(remaining) left")
        }
    }

    @inlinable
    mutating func readUInt8(_ what: @autoclosure () -> String = "octet") throws(DecodeFailure) -> UInt8 {
        guard index < endIndex else { throw DecodeFailure("\(what()): needs 1 byte, 0 left") }
        defer { index += 1 }
        return base[index]
    }

    @inlinable
    mutating func readUInt16(_ what: @autoclosure () -> String = "2-octet field") throws(DecodeFailure) -> UInt16 {
        try require(2, what())
        defer { index += 2 }
        return UInt16(bigEndian: base.loadUnaligned(fromByteOffset: index, as: UInt16.self))
    }

    @inlinable
    mutating func readUInt24(_ what: @autoclosure () -> String = "3-octet field") throws(DecodeFailure) -> UInt32 {
        try require(3, what())
        defer { index += 3 }
        return UInt32(base[index]) << 16 | UInt32(base[index + 1]) << 8 | UInt32(base[index + 2])
    }

    @inlinable
    mutating func readUInt32(_ what: @autoclosure () -> String = "4-octet field") throws(DecodeFailure) -> UInt32 {
        try require(4, what())
        defer { index += 4 }
        return UInt32(bigEndian: base.loadUnaligned(fromByteOffset: index, as: UInt32.self))
    }

    @inlinable
    mutating func readUInt64(_ what: @autoclosure () -> String = "8-octet field") throws(DecodeFailure) -> UInt64 {
        try require(8, what())
        defer { index += 8 }
        return UInt64(bigEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
    }

    /// Reads `count` bytes into a new array (one allocation; use only for opaque values).
    @inlinable
    mutating func readBytes(_ count: Int, _ what: @autoclosure () -> String = "value") throws(DecodeFailure) -> [UInt8]
    {
        try require(count, what())
        defer { index += count }
        return Array(UnsafeRawBufferPointer(rebasing: base[index..<index + count]))
    }

    /// Splits off the next `count` bytes as a reader of their own and moves past them.
    @inlinable
    mutating func readSlice(
        _ count: Int, _ what: @autoclosure () -> String = "value"
    ) throws(DecodeFailure)
        -> ByteReader
    {
        try require(count, what())
        defer { index += count }
        return ByteReader(base: base, index: index, endIndex: index + count)
    }

    /// Everything left, as an array.
    @inlinable
    mutating func readRest() -> [UInt8] {
        defer { index = endIndex }
        return Array(UnsafeRawBufferPointer(rebasing: base[index..<endIndex]))
    }

    @inlinable
    mutating func skip(_ count: Int, _ what: @autoclosure () -> String = "value") throws(DecodeFailure) {
        try require(count, what())
        index += count
    }

    @inlinable
    func peekUInt8(at offset: Int = 0) -> UInt8? {
        index + offset < endIndex ? base[index + offset] : nil
    }

    /// Reads a prefix of `bits` bits stored in the minimum number of octets (RFC 4271 §4.3), left-aligned
    /// into a big-endian UInt64 pair: used by every prefix-carrying NLRI.
    @inlinable
    mutating func readPrefixBytes(
        bits: Int, maxBytes: Int, _ what: @autoclosure () -> String
    ) throws(DecodeFailure)
        -> (UInt64, UInt64)
    {
        let count = (bits + 7) / 8
        guard count <= maxBytes else { throw DecodeFailure("\(what()): \(bits) bits is too long") }
        try require(count, what())
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        var i = 0
        while i < count {
            let byte = UInt64(base[index + i])
            if i < 8 { hi |= byte << UInt64(56 - 8 * i) } else { lo |= byte << UInt64(56 - 8 * (i - 8)) }
            i += 1
        }
        index += count
        return (hi, lo)
    }
}

/// A decoding failure below the message level. The caller knows the context (which attribute, which
/// family) and turns it into a ``BGPWireError`` with the right RFC 7606 action.
@usableFromInline
struct DecodeFailure: Error {
    @usableFromInline var reason: String
    @inlinable init(_ reason: String) { self.reason = reason }
}

extension Array where Element == UInt8 {
    /// Runs a decoder over the array's bytes.
    @inlinable
    func withReader<T>(_ body: (inout ByteReader) throws(DecodeFailure) -> T) throws(DecodeFailure) -> T {
        let result: Result<T, DecodeFailure> = withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            do throws(DecodeFailure) { return .success(try body(&reader)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
