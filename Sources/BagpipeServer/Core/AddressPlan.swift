/// Subnet arithmetic for Neutron's IPAM: default gateway, default allocation pools, next free address (pure).
public enum AddressPlan {
    /// Neutron's default gateway: the first address after the network address.
    public static func defaultGateway(_ cidr: IPNetwork) -> IPAddress? {
        cidr.hostBits >= 2 || cidr.address.version == 6 ? cidr.first.adding(1) : nil
    }

    /// The usable range: IPv4 excludes the network and broadcast addresses (except /31 and /32); IPv6 excludes
    /// the subnet-router anycast address.
    static func usable(_ cidr: IPNetwork) -> (IPAddress, IPAddress)? {
        if cidr.address.version == 4 {
            if cidr.hostBits <= 1 { return (cidr.first, cidr.last) }
            return (cidr.first.adding(1), IPAddress(version: 4, value: cidr.last.value - 1))
        }
        if cidr.hostBits == 0 { return (cidr.first, cidr.last) }
        return (cidr.first.adding(1), cidr.last)
    }

    /// The usable range minus the gateway, as one or two pools.
    public static func defaultPools(_ cidr: IPNetwork, gateway: IPAddress?) -> [(IPAddress, IPAddress)] {
        guard let (lo, hi) = usable(cidr) else { return [] }
        guard let g = gateway, g >= lo, g <= hi else { return [(lo, hi)] }
        var pools: [(IPAddress, IPAddress)] = []
        if g > lo { pools.append((lo, IPAddress(version: g.version, value: g.value - 1))) }
        if g < hi { pools.append((g.adding(1), hi)) }
        return pools
    }

    /// The lowest address of the pools that is not allocated.
    public static func firstFree(pools: [(IPAddress, IPAddress)], allocated: Set<String>) -> IPAddress? {
        for (lo, hi) in pools {
            var v = lo.value
            while v <= hi.value {
                let ip = IPAddress(version: lo.version, value: v)
                if !allocated.contains(ip.description) { return ip }
                if v == UInt128.max { break }
                v += 1
            }
        }
        return nil
    }

    public static func poolsJSON(_ pools: [(IPAddress, IPAddress)]) -> JSON {
        .array(pools.map { ["start": .string($0.0.description), "end": .string($0.1.description)] })
    }

    public static func parsePools(_ v: JSON?) -> [(IPAddress, IPAddress)] {
        (v?.arrayValue ?? []).compactMap { p in
            guard let s = p["start"]?.stringValue.flatMap(IPAddress.init),
                let e = p["end"]?.stringValue.flatMap(IPAddress.init)
            else { return nil }
            return (s, e)
        }
    }
}
