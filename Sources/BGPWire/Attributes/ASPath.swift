/// AS_PATH / AS4_PATH value (RFC 4271 §4.3, RFC 5065 §3, RFC 6793 §3): a sequence of segments.
///
///     +-----------------+-----------------+----------------------------+
///     | segment type 1o | segment length  | ASNs (2 or 4 octets each)  |
///     +-----------------+-----------------+----------------------------+
public struct ASPath: Hashable, Sendable, CustomStringConvertible {
    public var segments: [Segment]

    public init(_ segments: [Segment] = []) { self.segments = segments }

    /// A path of one AS_SEQUENCE.
    public init(sequence: [UInt32]) { segments = sequence.isEmpty ? [] : [Segment(.sequence, sequence)] }

    public struct Segment: Hashable, Sendable {
        public var type: SegmentType
        public var asns: [UInt32]

        public init(_ type: SegmentType, _ asns: [UInt32]) {
            self.type = type
            self.asns = asns
        }
    }

    /// Segment types: 1 AS_SET, 2 AS_SEQUENCE (RFC 4271), 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET (RFC 5065).
    public enum SegmentType: UInt8, Hashable, Sendable, CaseIterable {
        case set = 1
        case sequence = 2
        case confedSequence = 3
        case confedSet = 4

        public var name: String {
            switch self {
            case .set: "AS_SET"
            case .sequence: "AS_SEQUENCE"
            case .confedSequence: "AS_CONFED_SEQUENCE"
            case .confedSet: "AS_CONFED_SET"
            }
        }
    }

    /// RFC 4271 §9.1.2.2 a: a set counts as one, confederation segments do not count (RFC 5065 §5.3).
    public var length: Int {
        segments.reduce(0) { n, s in
            switch s.type {
            case .sequence: n + s.asns.count
            case .set: n + 1
            case .confedSequence, .confedSet: n
            }
        }
    }

    /// The AS the route came from: first ASN of the first AS_SEQUENCE.
    public var firstAS: UInt32? { segments.first(where: { $0.type == .sequence })?.asns.first }

    /// `65001 65002 {65003,65004} (65010)`.
    public var description: String {
        segments.map { s in
            let list = s.asns.map(String.init)
            switch s.type {
            case .sequence: return list.joined(separator: " ")
            case .set: return "{" + list.joined(separator: ",") + "}"
            case .confedSequence: return "(" + list.joined(separator: " ") + ")"
            case .confedSet: return "[" + list.joined(separator: ",") + "]"
            }
        }.joined(separator: " ")
    }

    /// Reads the whole attribute value with ASNs of `width` octets (2 or 4).
    static func read(_ r: inout ByteReader, width: Int) throws(DecodeFailure) -> ASPath {
        var segments: [Segment] = []
        while !r.isAtEnd {
            let rawType = try r.readUInt8("segment type")
            guard let type = SegmentType(rawValue: rawType) else {
                throw DecodeFailure("segment type \(rawType) is not 1..4")
            }
            let count = Int(try r.readUInt8("segment length"))
            // RFC 7606 §7.2: a segment length of zero is malformed.
            guard count > 0 else { throw DecodeFailure("\(type.name) segment of length 0") }
            try r.require(count * width, "\(type.name) of \(count) ASNs")
            var asns: [UInt32] = []
            asns.reserveCapacity(count)
            for _ in 0..<count {
                asns.append(width == 4 ? try r.readUInt32() : UInt32(try r.readUInt16()))
            }
            segments.append(Segment(type, asns))
        }
        return ASPath(segments)
    }

    /// Writes segments with `width`-octet ASNs; segments over 255 ASNs are split (RFC 4271 §9.2.2.1 style).
    /// A 4-octet ASN written in 2 octets becomes AS_TRANS (RFC 6793 §4.2.2).
    func write(to w: inout ByteWriter, width: Int) {
        for s in segments {
            var rest = s.asns[...]
            repeat {
                let chunk = rest.prefix(255)
                rest = rest.dropFirst(chunk.count)
                w.write(s.type.rawValue)
                w.write(UInt8(chunk.count))
                for asn in chunk {
                    if width == 4 { w.write(asn) } else { w.write(asn > 0xFFFF ? UInt16(23456) : UInt16(asn)) }
                }
            } while !rest.isEmpty
        }
    }
}

/// AGGREGATOR / AS4_AGGREGATOR value (RFC 4271 §5.1.7, RFC 6793 §3): last AS that aggregated and its BGP ID.
public struct Aggregator: Hashable, Sendable, CustomStringConvertible {
    public var asn: UInt32
    public var address: IPv4Address

    public init(asn: UInt32, address: IPv4Address) {
        self.asn = asn
        self.address = address
    }

    public var description: String { "\(asn) \(address)" }
}

/// A standard community (RFC 1997): 32 bits, usually shown as `asn:value`.
public struct Community: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ asn: UInt16, _ value: UInt16) { rawValue = UInt32(asn) << 16 | UInt32(value) }

    public static let noExport = Community(rawValue: 0xFFFF_FF01)
    public static let noAdvertise = Community(rawValue: 0xFFFF_FF02)
    public static let noExportSubconfed = Community(rawValue: 0xFFFF_FF03)

    public var description: String { "\(rawValue >> 16):\(rawValue & 0xFFFF)" }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let a = UInt16(parts[0]), let v = UInt16(parts[1]) else { return nil }
        self.init(a, v)
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A large community (RFC 8092): global administrator, local data 1, local data 2.
public struct LargeCommunity: Hashable, Sendable, CustomStringConvertible {
    public var globalAdministrator: UInt32
    public var localData1: UInt32
    public var localData2: UInt32

    public init(_ globalAdministrator: UInt32, _ localData1: UInt32, _ localData2: UInt32) {
        self.globalAdministrator = globalAdministrator
        self.localData1 = localData1
        self.localData2 = localData2
    }

    public var description: String { "\(globalAdministrator):\(localData1):\(localData2)" }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let a = UInt32(parts[0]), let b = UInt32(parts[1]), let c = UInt32(parts[2]) else {
            return nil
        }
        self.init(a, b, c)
    }
}
