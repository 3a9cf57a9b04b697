import BGPSession
import BGPSpeaker
import BGPWire
import BagpipeConfig
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Waits until `condition` holds, polling, for at most `timeout`; returns whether it held.
func eventually(
    _ timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Fast retries, so that tests do not wait on the daemon's backoff.
let testOptions = BGPSpeaker.Options(
    idleHold: IdleHoldBackoff(initial: 0.2, maximum: 1, stableTime: 60), closeTimeout: .seconds(2))

/// A `bgp.conf` for a speaker at `local`: `[BGP]` lines, then one `[BGP_PEER]` section per peer. With `rtc`, the
/// families include `ipv4/rtc` (RFC 4684).
func configuration(
    local: String, myAS: UInt32 = 64512, listen: Bool = false, rtc: Bool = false, bgp extra: [String] = [],
    peers: [(address: String, lines: [String])] = []
) throws -> BGPConfiguration {
    var text = """
        [BGP]
        local_address = \(local)
        my_as = \(myAS)
        enable_rtc = \(rtc)
        families = ipv4-vpn, evpn
        connect_retry_time = 1

        """
    if listen { text += "listen = true\n" }
    for line in extra { text += line + "\n" }
    for peer in peers {
        text += "\n[BGP_PEER \(peer.address)]\n"
        for line in peer.lines { text += line + "\n" }
    }
    var configuration = try BGPConfiguration(parsing: text)
    // An ephemeral port: bgp.conf itself only takes 1...65535.
    configuration.bgp.listenPort = 0
    return configuration
}

func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// A VPN-IPv4 route for 10.0.0.`host`/32 in RD 64512:1, next hop `nextHop`, with `routeTargets`.
func vpnRoute(host: UInt8, nextHop: String, label: UInt32 = 100, routeTargets: [RouteTarget] = []) -> UpdateMessage {
    vpnRoutes(hosts: [UInt32(host)], nextHop: nextHop, label: label, routeTargets: routeTargets)
}

/// One UPDATE announcing a VPN-IPv4 route per host number, 10.0.0.0/8 plus the number, /32, in RD 64512:1.
func vpnRoutes(hosts: [UInt32], nextHop: String, label: UInt32 = 100, routeTargets: [RouteTarget] = []) -> UpdateMessage
{
    let nlri = hosts.map { host in
        VPNIPv4NLRI(
            labels: LabelStack(LabelField(label: label)), routeDistinguisher: .as2(64512, 1),
            prefix: IPv4Prefix(IPv4Address(0x0A00_0000 | host), length: 32))
    }
    return UpdateMessage(
        pathAttributes: [
            PathAttribute(.origin(.igp)),
            PathAttribute(
                .mpReachNLRI(
                    MPReachNLRI(family: .vpnIPv4, nextHop: .vpnIPv4(IPv4Address(nextHop)!), nlri: .vpnIPv4(nlri)))),
        ] + targets(routeTargets))
}

/// An EVPN inclusive multicast route (type 3) for VNI `tag` from `origin`, with `routeTargets`.
func evpnRoute(tag: UInt32, origin: String, routeTargets: [RouteTarget] = []) -> UpdateMessage {
    let route = EVPNRoute.inclusiveMulticastEthernetTag(
        .init(routeDistinguisher: .as2(64512, 2), ethernetTagID: tag, originatingRouterIP: ip(origin)))
    return UpdateMessage(
        pathAttributes: [
            PathAttribute(.origin(.igp)),
            PathAttribute(
                .mpReachNLRI(
                    MPReachNLRI(
                        family: .evpn, nextHop: .ipv4(IPv4Address(origin)!), nlri: .evpn([EVPNNLRI(route: route)])))
            ),
        ] + targets(routeTargets))
}

/// EXTENDED_COMMUNITIES with the route targets, if any.
func targets(_ routeTargets: [RouteTarget]) -> [PathAttribute] {
    routeTargets.isEmpty
        ? [] : [PathAttribute(.extendedCommunities(routeTargets.map { ExtendedCommunity(.routeTarget($0)) }))]
}

extension BGPSpeaker {
    func state(of address: String) -> SessionState? { peer(ip(address))?.state }
}

/// Whether this kernel has TCP MD5 signatures (CONFIG_TCP_MD5SIG).
enum TCPMD5Support {
    static let available: Bool = {
        #if canImport(Glibc)
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var signature = tcp_md5sig()
        withUnsafeMutableBytes(of: &signature.tcpm_addr) { storage in
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            withUnsafeBytes(of: &sin) { storage.copyMemory(from: $0) }
        }
        signature.tcpm_keylen = 1
        let result = setsockopt(
            fd, CInt(IPPROTO_TCP), CInt(TCP_MD5SIG), &signature, socklen_t(MemoryLayout<tcp_md5sig>.size))
        if result != 0 { print("TCP MD5 tests skipped: setsockopt(TCP_MD5SIG) failed with errno \(errno)") }
        return result == 0
        #else
        return false
        #endif
    }()
}
