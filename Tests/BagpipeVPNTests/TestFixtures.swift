import BGPRouting
import BGPWire
import BagpipeTestSupport
import BagpipeVPN

/// The shared in-memory network (Tests/BagpipeTestSupport) with recording dataplanes.
typealias SimulatedNetwork = VPNTestNetwork<RecordingDataplane, RecordingDataplane>

extension MACAddress {
    static func test(_ n: UInt64) -> MACAddress { MACAddress(0x02_00_00_00_00_00 | n) }
}

extension RouteTarget {
    static func test(_ n: UInt32) -> RouteTarget { .as2(64512, n) }
}

func evpnAttachment(
    _ instance: String, mac: UInt64, ip: String?, port: String, rt: UInt32, exportRT: UInt32? = nil, vni: UInt32? = nil
) -> Attachment {
    Attachment(
        instanceID: instance, type: .evpn, mac: .test(mac), ip: ip.flatMap { IPPrefixWithHost($0) },
        port: PortSpec(linuxInterface: port), importRouteTargets: [.test(rt)],
        exportRouteTargets: [.test(exportRT ?? rt)], vni: vni)
}

func ipvpnAttachment(
    _ instance: String, mac: UInt64, ip: String, port: String, rt: UInt32, subnet: Bool = false,
    localPref: UInt32? = nil
) -> Attachment {
    Attachment(
        instanceID: instance, type: .ipvpn, mac: .test(mac), ip: IPPrefixWithHost(ip), advertiseSubnet: subnet,
        gatewayIP: IPAddress("10.0.0.1"), port: PortSpec(linuxInterface: port), importRouteTargets: [.test(rt)],
        exportRouteTargets: [.test(rt)], localPreference: localPref)
}
