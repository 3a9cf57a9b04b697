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
        let fd = try openSysctl(key, O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw .system(call: "write(/proc/sys/net/\(key))", errno: written < 0 ? errno : EIO)
        }
        return true
    }

    /// The value of /proc/sys/net/`key`, without the trailing newline; nil when the knob does not exist.
    public func readSysctl(net key: String) throws(NetlinkError) -> String? {
        let fd = try openSysctl(key, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw .system(call: "read(/proc/sys/net/\(key))", errno: errno) }
        return String(decoding: buffer[..<count], as: UTF8.self).trimmingSuffix("\n")
    }

    /// An open descriptor, or -1 when the knob does not exist.
    private func openSysctl(_ key: String, _ flags: Int32) throws(NetlinkError) -> Int32 {
        guard !key.split(separator: "/").contains(where: { $0 == ".." || $0.isEmpty }) else {
            throw .invalidArgument("sysctl key \(key)")
        }
        let path = "/proc/sys/net/" + key
        var error: Int32 = 0
        let fd: Int32
        if let namespace = socket.namespace {
            fd = cbagpipe_open_in_namespace(namespace.fileDescriptor, path, flags, &error)
        } else {
            fd = open(path, flags | O_CLOEXEC)
            error = errno
        }
        if fd < 0, error != ENOENT { throw .system(call: "open(\(path))", errno: error) }
        return fd
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
