public import BGPWire
public import LinuxNetlink

/// Conversions between the BGP codec's address types and the netlink library's.
extension InetAddress {
    public init(_ address: IPAddress) {
        switch address {
        case .v4(let a):
            self = .v4(withUnsafeBytes(of: a.value.bigEndian) { Array($0) })
        case .v6(let a):
            self = .v6(
                withUnsafeBytes(of: a.high.bigEndian) { Array($0) } + withUnsafeBytes(of: a.low.bigEndian) { Array($0) }
            )
        }
    }
}

extension InetPrefix {
    public init(_ prefix: IPPrefix) {
        switch prefix {
        case .v4(let p): self.init(address: InetAddress(.v4(p.address)), length: p.length)!
        case .v6(let p): self.init(address: InetAddress(.v6(p.address)), length: p.length)!
        }
    }
}

extension EthernetAddress {
    public init(_ mac: MACAddress) {
        self.init(bytes: (0..<6).map { UInt8(truncatingIfNeeded: mac.value >> UInt64(40 - 8 * $0)) })!
    }
}

/// Host address of a prefix as a /32 or /128 (`ip` of an attached port).
func hostPrefix(_ prefix: IPPrefix) -> InetPrefix {
    switch prefix {
    case .v4(let p): InetPrefix(address: InetAddress(.v4(p.address)), length: 32)!
    case .v6(let p): InetPrefix(address: InetAddress(.v6(p.address)), length: 128)!
    }
}

/// An interface name the kernel accepts (IFNAMSIZ 16 with the NUL): the original truncates to 15 (§5.6).
func interfaceName(_ prefix: String, _ suffix: String) -> String {
    String((prefix + suffix).utf8.prefix(15))!
}
