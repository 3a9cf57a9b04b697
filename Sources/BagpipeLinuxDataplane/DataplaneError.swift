import BagpipeVPN

/// Why a Linux driver refused a call. Netlink failures are passed through as `NetlinkError`.
public enum LinuxDataplaneError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The call is not something this driver can do (e.g. a traffic classifier on the VXLAN IP VPN driver).
    case notSupported(driver: String, what: String)
    /// The kernel lacks a feature the driver needs (MPLS routing, VRF devices).
    case kernelUnsupported(driver: String, missing: [String])
    case notInitialized(instance: String)
    /// A port the caller named does not exist.
    case noSuchInterface(String)
    /// An IPv6 endpoint while `net.ipv6.conf.all.forwarding` is off on a kernel without per-device
    /// `force_forwarding`: a host-wide switch left to the operator.
    case ipv6ForwardingOff(endpoint: String, port: String)

    public var description: String {
        switch self {
        case .notSupported(let driver, let what): "\(what) is not supported by the \(driver) driver"
        case .kernelUnsupported(let driver, let missing):
            "the \(driver) driver cannot run on this kernel: missing " + missing.joined(separator: ", ")
        case .notInitialized(let instance): "instance \(instance) was not initialized on this driver"
        case .noSuchInterface(let name): "no interface named \(name)"
        case .ipv6ForwardingOff(let endpoint, let port):
            "IPv6 endpoint \(endpoint) on \(port): IPv6 forwarding is off in this network namespace "
                + "(net.ipv6.conf.all.forwarding = 0) and this kernel has no per-device force_forwarding "
                + "(Linux 6.17+); bagpipe-bgp leaves the host-wide setting to the operator: "
                + "sysctl -w net.ipv6.conf.all.forwarding=1"
        }
    }
}
