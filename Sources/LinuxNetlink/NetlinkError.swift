#if canImport(Glibc)
import Glibc
#endif

/// Bytes from the kernel that do not parse. The reply is dropped; nothing is applied on its basis.
public enum NetlinkDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    case badMessageLength(length: Int, available: Int)
    case badAttributeLength(type: UInt16, length: Int, available: Int)
    case shortFamilyHeader(String, length: Int, expected: Int)
    case badAddressLength(String, length: Int)
    /// A field whose value no kernel sends (e.g. an nlmsgerr error of INT32_MIN, which has no positive errno).
    case badValue(String, value: Int64)

    public var description: String {
        switch self {
        case .badMessageLength(let length, let available):
            "netlink message length \(length) does not fit the \(available) bytes left"
        case .badAttributeLength(let type, let length, let available):
            "attribute type \(type) has length \(length) with \(available) bytes left"
        case .shortFamilyHeader(let what, let length, let expected):
            "\(what) header is \(length) bytes, expected \(expected)"
        case .badAddressLength(let what, let length):
            "\(what) has \(length) bytes"
        case .badValue(let what, let value):
            "\(what) is \(value)"
        }
    }
}

/// The kernel refused one request: which request (its summary, e.g. `RTM_DELNEIGH fdb 52:54:00:00:02:01 dev 7
/// dst 10.0.0.12`), where it was in its batch, the errno and the kernel's extended-ack text if it gave one.
public struct NetlinkRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public var request: String
    public var errno: Int32
    public var kernelMessage: String?

    public init(index: Int, request: String, errno: Int32, kernelMessage: String? = nil) {
        self.index = index
        self.request = request
        self.errno = errno
        self.kernelMessage = kernelMessage
    }

    public var errnoName: String { ErrnoName.name(errno) }

    public var description: String {
        var text = "\(request): \(errnoName) (\(ErrnoName.message(errno)))"
        if let kernelMessage { text += ": \(kernelMessage)" }
        return text
    }
}

/// Everything the netlink layer can throw.
public enum NetlinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The errno of a failed request or system call, if that is what this is.
    public var errno: Int32? {
        switch self {
        case .request(let failure): failure.errno
        case .system(_, let code): code
        default: nil
        }
    }

    /// A single request failed.
    case request(NetlinkRequestError)
    /// Some requests of a batch failed; the others were applied.
    case batch(failures: [NetlinkRequestError], total: Int)
    /// A system call on the socket or namespace failed.
    case system(call: String, errno: Int32)
    case decoding(NetlinkDecodingError)
    /// The kernel answered with something that is not an answer to what we asked.
    case protocolViolation(String)
    case linkNotFound(String)
    /// A link with this name exists but is not what the caller wanted (e.g. not a bridge), and was left alone.
    case linkConflict(name: String, reason: String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .request(let error): error.description
        case .batch(let failures, let total):
            "\(failures.count) of \(total) netlink requests failed: "
                + failures.prefix(5).map { "#\($0.index) \($0)" }.joined(separator: "; ")
                + (failures.count > 5 ? "; ..." : "")
        case .system(let call, let errno): "\(call): \(ErrnoName.name(errno)) (\(ErrnoName.message(errno)))"
        case .decoding(let error): "bad netlink reply: \(error)"
        case .protocolViolation(let text): "netlink protocol violation: \(text)"
        case .linkNotFound(let name): "no link named \(name)"
        case .linkConflict(let name, let reason): "link \(name): \(reason)"
        case .invalidArgument(let text): text
        }
    }

    /// The errno, for a single failed request (lets callers tolerate e.g. EEXIST on their own terms).
    public var requestErrno: Int32? {
        if case .request(let error) = self { return error.errno }
        return nil
    }
}

/// Symbolic errno names: "ENOENT" says more in a log than "2".
public enum ErrnoName {
    public static func name(_ code: Int32) -> String {
        switch code {
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        case ESRCH: "ESRCH"
        case EINTR: "EINTR"
        case EBADF: "EBADF"
        case EAGAIN: "EAGAIN"
        case ENOMEM: "ENOMEM"
        case EACCES: "EACCES"
        case EBUSY: "EBUSY"
        case EEXIST: "EEXIST"
        case ENODEV: "ENODEV"
        case EINVAL: "EINVAL"
        case ENOSPC: "ENOSPC"
        case ERANGE: "ERANGE"
        case EMSGSIZE: "EMSGSIZE"
        case EPROTONOSUPPORT: "EPROTONOSUPPORT"
        case EOPNOTSUPP: "EOPNOTSUPP"
        case EAFNOSUPPORT: "EAFNOSUPPORT"
        case EADDRINUSE: "EADDRINUSE"
        case EADDRNOTAVAIL: "EADDRNOTAVAIL"
        case ENETDOWN: "ENETDOWN"
        case ENETUNREACH: "ENETUNREACH"
        case ENOBUFS: "ENOBUFS"
        case EHOSTUNREACH: "EHOSTUNREACH"
        default: "errno \(code)"
        }
    }

    public static func message(_ code: Int32) -> String {
        #if canImport(Glibc)
        if let text = strerror(code) { return String(cString: text) }
        #endif
        return "error \(code)"
    }
}
