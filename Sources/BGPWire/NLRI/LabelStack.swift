/// One 3-octet label field as carried in NLRI (RFC 8277 §2, RFC 3032 §2.1).
///
///      0                   1                   2
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                Label                  |  TC |S|
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The raw 24 bits are kept: with VXLAN the whole field is the VNI (RFC 8365 §5.1.3), with MPLS it is a
/// 20-bit label, traffic class and the bottom-of-stack bit.
public struct LabelField: Hashable, Sendable, CustomStringConvertible {
    /// The 24 bits, in the low bits.
    public var rawValue: UInt32

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue & 0xFF_FFFF }

    /// An MPLS label with the bottom-of-stack bit as given.
    public init(label: UInt32, bottomOfStack: Bool = true) {
        rawValue = (label & 0xF_FFFF) << 4 | (bottomOfStack ? 1 : 0)
    }

    /// A VXLAN Network Identifier carried in the whole field (RFC 8365 §5.1.3).
    public init(vni: UInt32) { rawValue = vni & 0xFF_FFFF }

    /// The 20-bit MPLS label.
    public var label: UInt32 { rawValue >> 4 }
    public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 1 & 0x7) }
    public var bottomOfStack: Bool { rawValue & 1 == 1 }
    /// The field read as a 24-bit VNI.
    public var vni: UInt32 { rawValue }

    /// RFC 8277 §2.4: the label field of a withdrawal, 0x800000 (RFC 3107 compatibility value).
    public static let withdrawCompatibility = LabelField(rawValue: 0x80_0000)

    public var description: String { "\(label)\(bottomOfStack ? "" : "+")" }
}

/// The labels of a labeled NLRI: one to three fields, stored inline so that an NLRI has no heap storage.
public struct LabelStack: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    /// Longest stack kept (RFC 8277 Multiple Labels allows up to 255; real deployments use one or two).
    public static let capacity = 3

    @usableFromInline var storage: (UInt32, UInt32, UInt32)
    @usableFromInline var _count: UInt8

    @inlinable
    public init() {
        storage = (0, 0, 0)
        _count = 0
    }

    public init(_ fields: [LabelField]) {
        precondition(fields.count <= Self.capacity, "at most \(Self.capacity) labels")
        self.init()
        for f in fields { append(f) }
    }

    public init(_ field: LabelField) {
        storage = (field.rawValue, 0, 0)
        _count = 1
    }

    @inlinable
    public mutating func append(_ field: LabelField) {
        switch _count {
        case 0: storage.0 = field.rawValue
        case 1: storage.1 = field.rawValue
        case 2: storage.2 = field.rawValue
        default: preconditionFailure("label stack is full")
        }
        _count += 1
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { Int(_count) }

    @inlinable
    public subscript(position: Int) -> LabelField {
        precondition(position >= 0 && position < Int(_count), "label index out of range")
        switch position {
        case 0: return LabelField(rawValue: storage.0)
        case 1: return LabelField(rawValue: storage.1)
        default: return LabelField(rawValue: storage.2)
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a._count == b._count && a.storage.0 == b.storage.0 && a.storage.1 == b.storage.1 && a.storage.2 == b.storage.2
    }

    public func hash(into h: inout Hasher) {
        h.combine(_count)
        h.combine(storage.0)
        h.combine(storage.1)
        h.combine(storage.2)
    }

    public var description: String { map(\.description).joined(separator: ",") }

    /// Reads label fields until one has the bottom-of-stack bit or `maximum` fields were read
    /// (RFC 8277 §2.2: without Multiple Labels, exactly one field; its S bit does not matter then, as
    /// in withdrawals carrying 0x800000).
    @inlinable
    static func read(_ r: inout ByteReader, maximum: Int) throws(DecodeFailure) -> LabelStack {
        var stack = LabelStack()
        let limit = Swift.min(maximum, capacity)
        while true {
            let field = LabelField(rawValue: try r.readUInt24("label"))
            stack.append(field)
            if field.bottomOfStack || stack.count >= limit { return stack }
        }
    }

    @inlinable
    func write(to w: inout ByteWriter) {
        for f in self { w.writeUInt24(f.rawValue) }
    }
}
