import ArgumentParser
import BGPWire
import BGPWireJSON

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode, decode and re-encode a built-in set of VPN messages, printing each as hex and JSON.")

    func run() throws {
        var identical = 0
        for (title, message) in Self.samples {
            let bytes = message.encode()
            let decoded = try BGPMessage.decode(bytes)
            let again = decoded.message.encode()
            print("# \(title) (\(bytes.count) octets)")
            print(Hex.encode(bytes))
            print(decoded.message.json.text(pretty: true))
            if again == bytes && decoded.message == message && decoded.errors.isEmpty { identical += 1 }
        }
        print("\(identical) of \(Self.samples.count) sample messages decoded and re-encoded byte for byte")
        if identical != Self.samples.count { throw ExitCode(1) }
    }

    static var samples: [(String, BGPMessage)] {
        let rd = RouteDistinguisher.ipv4(IPv4Address(192, 0, 2, 1), 7)
        let rt = ExtendedCommunity(rawValue: 0x0002_FDE8_0000_0064)  // route target 65000:100
        let vxlan = ExtendedCommunity(rawValue: 0x030C_0000_0000_0008)  // encapsulation: VXLAN
        let base: [PathAttribute] = [
            PathAttribute(.origin(.igp)), PathAttribute(.asPath(ASPath())), PathAttribute(.localPref(100)),
        ]
        let open = OpenMessage(
            asn: 64512, holdTime: 180, bgpIdentifier: IPv4Address(192, 0, 2, 1),
            capabilities: [
                .multiprotocol(.vpnIPv4), .multiprotocol(.evpn), .multiprotocol(.routeTargetConstraint),
                .multiprotocol(.vpnIPv4Flowspec), .routeRefresh, .enhancedRouteRefresh,
                .gracefulRestart(.init(restartTime: 120, families: [.init(.vpnIPv4), .init(.evpn)])),
            ])
        let vpn = UpdateMessage(
            pathAttributes: [
                PathAttribute(
                    .mpReachNLRI(
                        MPReachNLRI(
                            family: .vpnIPv4, nextHop: .vpnIPv4(IPv4Address(192, 0, 2, 1)),
                            nlri: .vpnIPv4(
                                (1...3).map { i in
                                    VPNIPv4NLRI(
                                        labels: LabelStack(LabelField(label: 16 + UInt32(i))), routeDistinguisher: rd,
                                        prefix: IPv4Prefix(IPv4Address(10, 0, 0, UInt8(i)), length: 32))
                                }))))
            ] + base + [PathAttribute(.extendedCommunities([rt, vxlan]))])
        let rtc = UpdateMessage(
            pathAttributes: [
                PathAttribute(
                    .mpReachNLRI(
                        MPReachNLRI(
                            family: .routeTargetConstraint, nextHop: .ipv4(IPv4Address(192, 0, 2, 1)),
                            nlri: .rtc([RTCNLRI(originAS: 64512, routeTarget: rt)]))))
            ] + base)
        return [
            ("OPEN of a compute node", .open(open)),
            ("VPN-IPv4 routes of three ports", .update(vpn)),
            ("RT Constraint membership for 65000:100", .update(rtc)),
            ("End-of-RIB for l2vpn/evpn", .update(.endOfRIB(.evpn))),
            ("KEEPALIVE", .keepalive),
            (
                "Cease with a shutdown communication",
                .notification(.cease(.administrativeShutdown, shutdownCommunication: "maintenance"))
            ),
        ]
    }
}
