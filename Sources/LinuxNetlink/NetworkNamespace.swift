#if canImport(Glibc)
import Glibc
#endif

/// An open network-namespace file (`/run/netns/<name>` as `ip netns add` makes them, or `/proc/<pid>/ns/net`).
/// Holding it keeps the namespace reference valid; the descriptor closes when the last reference goes.
public final class NetworkNamespace: Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let fileDescriptor: Int32

    public init(path: String) throws(NetlinkError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(call: "open(\(path))", errno: errno) }
        self.path = path
        self.fileDescriptor = fd
    }

    /// A namespace created with `ip netns add <name>`.
    public convenience init(named name: String) throws(NetlinkError) {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw .invalidArgument("invalid network namespace name '\(name)'")
        }
        try self.init(path: "/run/netns/\(name)")
    }

    deinit { close(fileDescriptor) }

    public var description: String { path }

    public static func == (lhs: NetworkNamespace, rhs: NetworkNamespace) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
