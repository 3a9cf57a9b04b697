import BGPWire
import NIOCore

extension IPPrefix {
    /// Whether `address` is inside the prefix (same address family, same leading `length` bits).
    func contains(_ address: IPAddress) -> Bool {
        switch (self, address) {
        case (.v4(let p), .v4(let a)):
            let mask: UInt32 = p.length == 0 ? 0 : ~0 << (32 - UInt32(p.length))
            return a.value & mask == p.address.value & mask
        case (.v6(let p), .v6(let a)):
            func masked(_ high: UInt64, _ low: UInt64) -> (UInt64, UInt64) {
                let bits = Int(p.length)
                let highMask: UInt64 = bits >= 64 ? ~0 : (bits == 0 ? 0 : ~0 << UInt64(64 - bits))
                let lowMask: UInt64 = bits <= 64 ? 0 : (bits >= 128 ? ~0 : ~0 << UInt64(128 - bits))
                return (high & highMask, low & lowMask)
            }
            return masked(a.high, a.low) == masked(p.address.high, p.address.low)
        default:
            return false
        }
    }
}

extension SocketAddress {
    /// The IP address of an IPv4 or IPv6 socket address; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
    /// dual-stack listener sees) is given as the IPv4 address.
    var bgpAddress: IPAddress? {
        guard let text = ipAddress, let address = IPAddress(text) else { return nil }
        if case .v6(let v6) = address, v6.high == 0, v6.low >> 32 == 0xFFFF {
            return .v4(BGPWire.IPv4Address(UInt32(truncatingIfNeeded: v6.low)))
        }
        return address
    }

    /// `address:port`, `[address]:port` for IPv6.
    var endpointText: String {
        let host = ipAddress ?? "?"
        let port = port.map(String.init) ?? "?"
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
