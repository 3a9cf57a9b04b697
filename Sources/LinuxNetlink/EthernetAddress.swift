/// A 48-bit MAC address (NDA_LLADDR, IFLA_ADDRESS).
public struct EthernetAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// `52:54:00:00:02:01` (also accepts `-` separators).
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count <= 2, let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    /// 00:00:00:00:00:00: the VXLAN FDB's flood (BUM head-end replication) entry, §5.6 of the bagpipe spec.
    public static let zero = EthernetAddress(bytes: [0, 0, 0, 0, 0, 0])!

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
