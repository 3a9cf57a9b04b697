import CBagpipeLinux

#if canImport(Glibc)
import Glibc
#endif

/// `sysctl -w net.<key>=<value>` in the namespace of the netlink socket (not necessarily the caller's: /proc/sys/net
/// shows the namespace of whoever opens it). For the knobs rtnetlink cannot set, such as the IPv6 ones.
extension Netlink {
    /// Writes `value` to /proc/sys/net/`key` (`key` with slashes, e.g. `ipv6/conf/tap1/force_forwarding`).
    /// Returns false when the knob does not exist (ENOENT: an older kernel, or no such device).
    @discardableResult
    public func writeSysctl(net key: String, _ value: String) throws(NetlinkError) -> Bool {
        guard !key.split(separator: "/").contains(where: { $0 == ".." || $0.isEmpty }) else {
            throw .invalidArgument("sysctl key \(key)")
        }
        let path = "/proc/sys/net/" + key
        var error: Int32 = 0
        let fd: Int32
        if let namespace = socket.namespace {
            fd = cbagpipe_open_in_namespace(namespace.fileDescriptor, path, O_WRONLY, &error)
        } else {
            fd = open(path, O_WRONLY | O_CLOEXEC)
            error = errno
        }
        if fd < 0 {
            if error == ENOENT { return false }
            throw .system(call: "open(\(path))", errno: error)
        }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw .system(call: "write(\(path))", errno: errno) }
        return true
    }
}
