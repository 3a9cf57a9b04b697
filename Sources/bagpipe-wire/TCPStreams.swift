import BGPWire

/// Extracts TCP payloads to or from port 179 out of link-layer frames and reassembles each direction.
struct TCPStreams {
    struct Endpoint: Hashable, CustomStringConvertible {
        var address: IPAddress
        var port: UInt16
        var description: String {
            if case .v6 = address { return "[\(address)]:\(port)" }
            return "\(address):\(port)"
        }
    }

    struct Direction: Hashable {
        var source: Endpoint
        var destination: Endpoint
        var reversed: Direction { Direction(source: destination, destination: source) }
    }

    /// A run of in-order stream bytes, with the time of the segment that completed it.
    struct Chunk {
        var seconds: Double
        var direction: Direction
        var bytes: [UInt8]
    }

    private struct StreamState {
        var nextSequence: UInt32?
        var pending: [UInt32: [UInt8]] = [:]
    }

    private var streams: [Direction: StreamState] = [:]
    private(set) var chunks: [Chunk] = []

    let port: UInt16

    init(port: UInt16 = 179) { self.port = port }

    mutating func add(_ packet: PcapFile.Packet) {
        var d = packet.data
        // Link layer to the IP header.
        switch packet.linkType {
        case 1:  // Ethernet, with up to two VLAN tags.
            guard d.count >= 14 else { return }
            var etherType = UInt16(d[d.startIndex + 12]) << 8 | UInt16(d[d.startIndex + 13])
            d = d.dropFirst(14)
            while etherType == 0x8100 || etherType == 0x88A8, d.count >= 4 {
                etherType = UInt16(d[d.startIndex + 2]) << 8 | UInt16(d[d.startIndex + 3])
                d = d.dropFirst(4)
            }
        case 113:  // Linux cooked capture (SLL).
            d = d.dropFirst(16)
        case 276:  // Linux cooked capture v2 (SLL2).
            d = d.dropFirst(20)
        case 0, 108:  // BSD loopback / OpenBSD loopback: 4-octet family.
            d = d.dropFirst(4)
        case 101, 228, 229, 12:  // Raw IP.
            break
        default:
            return
        }
        guard let first = d.first else { return }
        let source: IPAddress
        let destination: IPAddress
        var segment: ArraySlice<UInt8>
        let b = Array(d)
        switch first >> 4 {
        case 4:
            guard b.count >= 20 else { return }
            let headerLength = Int(b[0] & 0xF) * 4
            let total = Int(b[2]) << 8 | Int(b[3])
            // Fragments other than the first carry no TCP header; BGP over fragmented IP is not followed.
            let fragmentOffset = (Int(b[6]) << 8 | Int(b[7])) & 0x1FFF
            guard b[9] == 6, fragmentOffset == 0, headerLength >= 20, total >= headerLength, total <= b.count else {
                return
            }
            source = .v4(IPv4Address(b[12], b[13], b[14], b[15]))
            destination = .v4(IPv4Address(b[16], b[17], b[18], b[19]))
            segment = b[headerLength..<total]
        case 6:
            guard b.count >= 40 else { return }
            var next = b[6]
            let payload = Int(b[4]) << 8 | Int(b[5])
            guard 40 + payload <= b.count else { return }
            func addr(_ at: Int) -> IPAddress {
                var hi: UInt64 = 0
                var lo: UInt64 = 0
                for i in 0..<8 { hi = hi << 8 | UInt64(b[at + i]) }
                for i in 8..<16 { lo = lo << 8 | UInt64(b[at + i]) }
                return .v6(IPv6Address(high: hi, low: lo))
            }
            source = addr(8)
            destination = addr(24)
            var at = 40
            // Skip hop-by-hop, routing and destination options headers.
            while next == 0 || next == 43 || next == 60 {
                guard at + 2 <= 40 + payload else { return }
                next = b[at]
                at += (Int(b[at + 1]) + 1) * 8
            }
            guard next == 6, at <= 40 + payload else { return }
            segment = b[at..<(40 + payload)]
        default:
            return
        }
        let s = Array(segment)
        guard s.count >= 20 else { return }
        let sport = UInt16(s[0]) << 8 | UInt16(s[1])
        let dport = UInt16(s[2]) << 8 | UInt16(s[3])
        guard sport == port || dport == port else { return }
        let sequence = UInt32(s[4]) << 24 | UInt32(s[5]) << 16 | UInt32(s[6]) << 8 | UInt32(s[7])
        let dataOffset = Int(s[12] >> 4) * 4
        let flags = s[13]
        guard dataOffset >= 20, dataOffset <= s.count else { return }
        let direction = Direction(
            source: Endpoint(address: source, port: sport), destination: Endpoint(address: destination, port: dport))
        var state = streams[direction] ?? StreamState()
        let syn = flags & 0x02 != 0
        var dataSequence = sequence
        if syn {
            state.nextSequence = sequence &+ 1
            state.pending = [:]
            dataSequence = sequence &+ 1
        }
        let payload = Array(s[dataOffset...])
        if !payload.isEmpty {
            if state.nextSequence == nil { state.nextSequence = dataSequence }  // capture started mid-stream
            state.pending[dataSequence] = payload
            flush(&state, direction: direction, seconds: packet.seconds)
        }
        streams[direction] = state
    }

    /// Moves every segment that is now in order into `chunks`, trimming retransmitted overlap.
    private mutating func flush(_ state: inout StreamState, direction: Direction, seconds: Double) {
        var out: [UInt8] = []
        while let next = state.nextSequence {
            if let data = state.pending.removeValue(forKey: next) {
                out += data
                state.nextSequence = next &+ UInt32(data.count)
                continue
            }
            // A segment starting before `next` (retransmission or overlap) contributes its new tail only.
            guard
                let (start, data) = state.pending.first(where: { key, value in
                    let behind = next &- key
                    return behind < 0x8000_0000 && behind > 0
                })
            else { break }
            state.pending.removeValue(forKey: start)
            let behind = Int(next &- start)
            if behind < data.count { state.pending[next] = Array(data[behind...]) }
        }
        if !out.isEmpty { chunks.append(Chunk(seconds: seconds, direction: direction, bytes: out)) }
    }
}
