public import BGPWire

#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with errno's text.
public struct SystemError: Error, CustomStringConvertible {
    public var description: String

    public init(_ what: String, errno code: Int32 = errno) {
        description = "\(what): \(String(cString: strerror(code)))"
    }

    public init(message: String) { description = message }
}

/// Nanoseconds on the system-wide monotonic clock: comparable between the processes of one machine, whatever
/// their network namespace.
@inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Nanoseconds of CPU time the calling thread used: unlike the wall clock, it does not count the time other
/// processes of a shared machine had the core.
@inline(__always)
public func threadCPUNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

func socketAddress(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_port = port.bigEndian
    a.sin_addr.s_addr = address.value.bigEndian
    return a
}

/// One blocking TCP connection.
public final class TCPConnection: @unchecked Sendable {
    public let fd: Int32
    public let peer: String

    init(fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Connects from `local` (port chosen by the kernel) to `remote`, retrying refused or unreachable attempts
    /// until `timeout` seconds have passed: the device under test may still be starting.
    public static func connect(
        to remote: IPv4Address, port: UInt16, from local: IPv4Address?, timeout: Double = 30
    ) throws -> TCPConnection {
        let deadline = monotonicNanoseconds() + UInt64(timeout * 1e9)
        while true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SystemError("socket") }
            if let local {
                var one: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                var a = socketAddress(local, 0)
                let r = withUnsafePointer(to: &a) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                guard r == 0 else {
                    let e = errno
                    Glibc.close(fd)
                    throw SystemError("bind \(local)", errno: e)
                }
            }
            var a = socketAddress(remote, port)
            let r = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if r == 0 { return TCPConnection(fd: fd, peer: "\(remote):\(port)") }
            let e = errno
            Glibc.close(fd)
            guard monotonicNanoseconds() < deadline else {
                throw SystemError("connect \(remote):\(port) from \(local.map(\.description) ?? "any")", errno: e)
            }
            usleep(100_000)
        }
    }

    /// Writes every byte (blocking until the kernel took them all).
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write to \(peer)")
            }
            offset += n
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Reads what is there (blocking until something is); 0 at end of stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return 0 }
            throw SystemError("read from \(peer)")
        }
    }

    public func close() { Glibc.close(fd) }
}

/// A listening TCP socket.
public final class TCPListener: @unchecked Sendable {
    public let fd: Int32

    public init(address: IPv4Address, port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var a = socketAddress(address, port)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard r == 0 else { throw SystemError("bind \(address):\(port)") }
        guard listen(fd, 128) == 0 else { throw SystemError("listen") }
    }

    public func accept() throws -> TCPConnection {
        while true {
            var a = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let c = withUnsafeMutablePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) }
            }
            if c >= 0 {
                let address = IPv4Address(UInt32(bigEndian: a.sin_addr.s_addr))
                return TCPConnection(fd: c, peer: "\(address):\(UInt16(bigEndian: a.sin_port))")
            }
            if errno == EINTR { continue }
            throw SystemError("accept")
        }
    }
}

/// Runs `body` on a new POSIX thread.
public final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    private init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    @discardableResult
    public static func start(_ body: @escaping @Sendable () -> Void) -> WorkerThread {
        let t = WorkerThread(body)
        let context = Unmanaged.passRetained(t).toOpaque()
        let r = pthread_create(
            &t.thread, nil,
            { raw in
                let t = Unmanaged<WorkerThread>.fromOpaque(raw!).takeRetainedValue()
                t.body()
                return nil
            }, context)
        precondition(r == 0, "pthread_create failed: \(r)")
        return t
    }

    public func join() { pthread_join(thread, nil) }
}

/// Sleeps for `seconds`.
public func sleep(seconds: Double) {
    var t = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var rest = timespec()
    while nanosleep(&t, &rest) != 0 && errno == EINTR { t = rest }
}

/// Writes `text` to `path` atomically (a temporary file renamed over it), so that a reader polling the file never
/// sees half of it.
public func writeFileAtomically(_ path: String, _ text: String) throws {
    let temporary = path + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw SystemError("open \(temporary)") }
    var bytes = Array(text.utf8)
    let ok = bytes.withUnsafeMutableBytes { b in Glibc.write(fd, b.baseAddress!, b.count) == b.count }
    Glibc.close(fd)
    guard ok else { throw SystemError("write \(temporary)") }
    guard rename(temporary, path) == 0 else { throw SystemError("rename \(temporary)") }
}

/// Prints to standard error (unbuffered) with the tool's name.
public func log(_ text: String) {
    let line = "bgp-blaster: \(text)\n"
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { b in _ = Glibc.write(2, b.baseAddress!, b.count) }
}

/// Process resource figures from /proc/self/status, in octets.
public enum ProcessMemory {
    /// `VmRSS` (resident now) and `VmHWM` (resident peak) of this process.
    public static func current() -> (rss: Int, peak: Int) {
        var rss = 0
        var peak = 0
        guard let f = fopen("/proc/self/status", "r") else { return (0, 0) }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let length = line.firstIndex(of: 0) ?? line.count
            let text = String(decoding: line[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            func value() -> Int {
                Int(text.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
            }
            if text.hasPrefix("VmRSS:") { rss = value() * 1024 }
            if text.hasPrefix("VmHWM:") { peak = value() * 1024 }
        }
        return (rss, peak)
    }

    /// CPU seconds (user + system) this process used so far.
    public static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
            + Double(u.ru_stime.tv_usec) / 1e6
    }
}
