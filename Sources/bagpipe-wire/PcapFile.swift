/// Reads packets from a libpcap (`.pcap`, both byte orders, micro/nanosecond) or pcapng file.
struct PcapFile {
    struct Packet {
        var seconds: Double
        var linkType: UInt32
        var data: ArraySlice<UInt8>
    }

    enum Failure: Error, CustomStringConvertible {
        case format(String)
        var description: String {
            switch self {
            case .format(let s): s
            }
        }
    }

    let packets: [Packet]

    init(bytes: [UInt8]) throws(Failure) {
        guard bytes.count >= 4 else { throw .format("file too short for a capture header") }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: packets = try Self.readPcap(bytes, magic: magic)
        case 0x0A0D_0D0A: packets = try Self.readPcapng(bytes)
        default: throw .format("not a pcap or pcapng file (magic 0x\(String(magic, radix: 16)))")
        }
    }

    private static func u32(_ b: [UInt8], _ at: Int, little: Bool) -> UInt32 {
        let v = UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
        return little ? v : v.byteSwapped
    }

    private static func u16(_ b: [UInt8], _ at: Int, little: Bool) -> UInt16 {
        let v = UInt16(b[at]) | UInt16(b[at + 1]) << 8
        return little ? v : v.byteSwapped
    }

    private static func readPcap(_ b: [UInt8], magic: UInt32) throws(Failure) -> [Packet] {
        // The magic as read big-endian tells the file's byte order.
        let little = magic == 0xD4C3_B2A1 || magic == 0x4D3C_B2A1
        let nano = magic == 0xA1B2_3C4D || magic == 0x4D3C_B2A1
        guard b.count >= 24 else { throw .format("pcap header truncated") }
        let linkType = u32(b, 20, little: little) & 0x0FFF_FFFF
        var out: [Packet] = []
        var at = 24
        while at + 16 <= b.count {
            let sec = Double(u32(b, at, little: little))
            let frac = Double(u32(b, at + 4, little: little))
            let length = Int(u32(b, at + 8, little: little))
            at += 16
            guard length <= b.count - at else {
                throw .format("packet at offset \(at - 16) runs past the end of the file")
            }
            out.append(Packet(seconds: sec + frac / (nano ? 1e9 : 1e6), linkType: linkType, data: b[at..<at + length]))
            at += length
        }
        return out
    }

    private static func readPcapng(_ b: [UInt8]) throws(Failure) -> [Packet] {
        var out: [Packet] = []
        var little = true
        var interfaces: [(linkType: UInt32, tsDivisor: Double)] = []
        var at = 0
        while at + 12 <= b.count {
            var type = u32(b, at, little: little)
            if type == 0x0A0D_0D0A {
                // Section Header Block: its byte-order magic decides the section's endianness.
                guard at + 12 <= b.count else { break }
                little = b[at + 8] == 0x4D
                interfaces = []
                type = 0x0A0D_0D0A
            }
            let length = Int(u32(b, at + 4, little: little))
            guard length >= 12, length % 4 == 0, length <= b.count - at else {
                throw .format("pcapng block at offset \(at) has bad length \(length)")
            }
            switch type {
            case 1:  // Interface Description Block
                let linkType = UInt32(u16(b, at + 8, little: little))
                var divisor = 1e6
                // Options: look for if_tsresol (9).
                var o = at + 16
                while o + 4 <= at + length - 4 {
                    let code = u16(b, o, little: little)
                    let olen = Int(u16(b, o + 2, little: little))
                    if code == 0 { break }
                    if code == 9, olen >= 1 {
                        let r = b[o + 4]
                        divisor = r & 0x80 != 0 ? Double(1 << Int(r & 0x7F)) : pow10(Int(r))
                    }
                    o += 4 + (olen + 3) / 4 * 4
                }
                interfaces.append((linkType, divisor))
            case 6:  // Enhanced Packet Block
                let iface = Int(u32(b, at + 8, little: little))
                let ts = UInt64(u32(b, at + 12, little: little)) << 32 | UInt64(u32(b, at + 16, little: little))
                let captured = Int(u32(b, at + 20, little: little))
                guard iface < interfaces.count, captured <= length - 32 else {
                    throw .format("pcapng packet at offset \(at) is inconsistent")
                }
                out.append(
                    Packet(
                        seconds: Double(ts) / interfaces[iface].tsDivisor, linkType: interfaces[iface].linkType,
                        data: b[(at + 28)..<(at + 28 + captured)]))
            case 3:  // Simple Packet Block
                guard let iface = interfaces.first else { throw .format("pcapng packet before any interface") }
                let captured = min(Int(u32(b, at + 8, little: little)), length - 16)
                out.append(Packet(seconds: 0, linkType: iface.linkType, data: b[(at + 12)..<(at + 12 + captured)]))
            default: break
            }
            at += length
        }
        return out
    }

    private static func pow10(_ n: Int) -> Double {
        var v = 1.0
        for _ in 0..<n { v *= 10 }
        return v
    }
}
