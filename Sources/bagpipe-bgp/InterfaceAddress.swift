import BGPWire
import BagpipeConfig

#if canImport(Glibc)
import Glibc
#endif

/// `local_address` given as an interface name: its first IPv4 address, as the original looks it up
/// (bagpipe-bgp.md §7.2).
enum InterfaceAddress {
    struct LookupError: Error, CustomStringConvertible {
        var description: String
    }

    static func resolve(_ local: LocalAddress) throws -> IPv4Address {
        switch local {
        case .ipv4(let address): return address
        case .interface(let name): return try firstIPv4(of: name)
        }
    }

    static func firstIPv4(of name: String) throws -> IPv4Address {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else {
            throw LookupError(description: "cannot list the interfaces: \(TextFile.errnoText())")
        }
        defer { freeifaddrs(list) }
        var exists = false
        var entry: UnsafeMutablePointer<ifaddrs>? = first
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard String(cString: current.pointee.ifa_name) == name else { continue }
            exists = true
            guard let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else {
                continue
            }
            let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
            }
            return IPv4Address(value)
        }
        throw LookupError(
            description: exists
                ? "interface \(name) has no IPv4 address" : "no interface named \(name)")
    }
}
