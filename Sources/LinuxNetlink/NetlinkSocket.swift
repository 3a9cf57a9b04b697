import CBagpipeLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A NETLINK_ROUTE socket, optionally in another network namespace, with batched requests.
///
/// Blocking and synchronous: a driver calls it from its own serial executor. Every call holds the socket's lock
/// from the first send to the last reply, so concurrent callers are serialised rather than interleaved, and the
/// type is Sendable. Requests are sent many per `send(2)` with NLM_F_ACK; the kernel answers each one with an
/// NLMSG_ERROR (errno 0 = done) carrying its sequence number, which maps every failure back to its request.
public final class NetlinkSocket: Sendable {
    /// The namespace the socket was opened in (nil: the caller's).
    public let namespace: NetworkNamespace?
    private let fd: Int32
    /// How many requests go in one send: their acks must all fit in the receive buffer before we read them,
    /// or the kernel drops acks (ENOBUFS) and we could no longer tell which request failed.
    private let requestsPerSend: Int
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var nextSequence: UInt32
        var buffer: [UInt8]
    }

    /// The largest datagram a dump sends is about 32 KiB; the rest of the buffer is headroom.
    private static let receiveBufferBytes = 256 * 1024
    private static let sendBytesLimit = 128 * 1024

    public init(namespace: NetworkNamespace? = nil, socketReceiveBuffer: Int = 8 << 20) throws(NetlinkError) {
        let type = Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        var fd: Int32
        if let namespace {
            var error: Int32 = 0
            fd = cbagpipe_socket_in_namespace(namespace.fileDescriptor, AF_NETLINK, type, NETLINK_ROUTE, &error)
            if fd < 0 { throw .system(call: "socket(AF_NETLINK) in \(namespace)", errno: error) }
        } else {
            fd = socket(AF_NETLINK, type, NETLINK_ROUTE)
            if fd < 0 { throw .system(call: "socket(AF_NETLINK)", errno: errno) }
        }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        if bound != 0 {
            let code = errno
            close(fd)
            throw .system(call: "bind(AF_NETLINK)", errno: code)
        }
        // Extended acks carry the kernel's reason text; capped acks do not echo our request back.
        Self.setOption(fd, level: SOL_NETLINK, name: NETLINK_EXT_ACK, value: 1)
        Self.setOption(fd, level: SOL_NETLINK, name: NETLINK_CAP_ACK, value: 1)
        // RCVBUFFORCE needs CAP_NET_ADMIN (which programming routes needs anyway); fall back to the capped size.
        if !Self.setOption(fd, level: SOL_SOCKET, name: SO_RCVBUFFORCE, value: Int32(socketReceiveBuffer)) {
            Self.setOption(fd, level: SOL_SOCKET, name: SO_RCVBUF, value: Int32(socketReceiveBuffer))
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var actual: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &actual, &length)
        // An ack skb costs about 1 KiB of receive-buffer truesize; keep a factor 2 of margin.
        self.requestsPerSend = max(8, min(1024, Int(actual) / 2048))
        self.fd = fd
        self.namespace = namespace
        self.state = Mutex(State(nextSequence: 1, buffer: [UInt8](repeating: 0, count: Self.receiveBufferBytes)))
    }

    /// Opens a socket in the namespace `ip netns add <name>` created.
    public convenience init(namespaceNamed name: String) throws(NetlinkError) {
        try self.init(namespace: NetworkNamespace(named: name))
    }

    deinit { close(fd) }

    @discardableResult
    private static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    // MARK: - Requests

    /// Sends one request and waits for its ack; a kernel refusal throws `.request` naming it.
    public func execute(_ request: NetlinkRequest) throws(NetlinkError) {
        if let failure = try executeBatch([request]).first { throw .request(failure) }
    }

    /// Sends all requests (many per send) and returns the ones the kernel refused, each with its index in
    /// `requests`. The others were applied: the kernel handles each message of a send on its own.
    public func executeBatch(_ requests: [NetlinkRequest]) throws(NetlinkError) -> [NetlinkRequestError] {
        try state.withLock { (state: inout State) throws(NetlinkError) -> [NetlinkRequestError] in
            var failures: [NetlinkRequestError] = []
            var start = 0
            while start < requests.count {
                var writer = NetlinkWriter(capacity: 16 * 1024)
                let firstSequence = state.nextSequence
                var end = start
                while end < requests.count, end - start < requestsPerSend,
                    end == start || writer.count + 16 + requests[end].body.count <= Self.sendBytesLimit
                {
                    requests[end].message(sequence: firstSequence &+ UInt32(end - start)).encode(into: &writer)
                    end += 1
                }
                state.nextSequence = firstSequence &+ UInt32(end - start)
                try send(writer.bytes)
                var pending = Set(0..<(end - start))
                while !pending.isEmpty {
                    for message in try receive(&state.buffer) where message.header.type == NetlinkMessageType.error {
                        let offset = Int(message.header.sequence &- firstSequence)
                        guard pending.remove(offset) != nil else { continue }  // a stale reply from an earlier call
                        let ack = try decodeAck(message)
                        if ack.errno != 0 {
                            let index = start + offset
                            failures.append(
                                NetlinkRequestError(
                                    index: index, request: requests[index].summary, errno: ack.errno,
                                    kernelMessage: ack.extendedMessage))
                        }
                    }
                }
                withExtendedLifetime(requests[start..<end]) {}  // namespaces referenced by fd stay open until here
                start = end
            }
            return failures.sorted { $0.index < $1.index }
        }
    }

    /// Like `executeBatch`, but throws `.batch` listing every failure if any request failed.
    public func apply(_ requests: [NetlinkRequest]) throws(NetlinkError) {
        let failures = try executeBatch(requests)
        if failures.count == 1, requests.count == 1 { throw .request(failures[0]) }
        if !failures.isEmpty { throw .batch(failures: failures, total: requests.count) }
    }

    /// A GET for one object: the reply messages that precede the ack. A refusal (e.g. ENODEV for an unknown link)
    /// throws `.request`; callers that treat "absent" as a normal answer catch that errno.
    public func query(_ request: NetlinkRequest) throws(NetlinkError) -> [NetlinkMessage] {
        try state.withLock { (state: inout State) throws(NetlinkError) -> [NetlinkMessage] in
            let sequence = state.nextSequence
            state.nextSequence &+= 1
            try send(request.encoded(sequence: sequence))
            var replies: [NetlinkMessage] = []
            while true {
                for message in try receive(&state.buffer) where message.header.sequence == sequence {
                    if message.header.type == NetlinkMessageType.error {
                        let ack = try decodeAck(message)
                        if ack.errno != 0 {
                            throw .request(
                                NetlinkRequestError(
                                    index: 0, request: request.summary, errno: ack.errno,
                                    kernelMessage: ack.extendedMessage))
                        }
                        return replies
                    }
                    replies.append(message)
                }
            }
        }
    }

    /// A dump (NLM_F_DUMP): every object message up to NLMSG_DONE. Restarted if the kernel flags it as
    /// interrupted (the table changed while it was being dumped), so the result is one consistent snapshot.
    public func dump(_ request: NetlinkRequest) throws(NetlinkError) -> [NetlinkMessage] {
        var attempts = 0
        while true {
            attempts += 1
            let (messages, interrupted) = try dumpOnce(request)
            if !interrupted || attempts >= 5 { return messages }
        }
    }

    private func dumpOnce(_ request: NetlinkRequest) throws(NetlinkError) -> ([NetlinkMessage], Bool) {
        try state.withLock { (state: inout State) throws(NetlinkError) -> ([NetlinkMessage], Bool) in
            let sequence = state.nextSequence
            state.nextSequence &+= 1
            var dumpRequest = request
            dumpRequest.flags.formUnion(.dump)
            try send(dumpRequest.encoded(sequence: sequence, acknowledged: false))
            var messages: [NetlinkMessage] = []
            var interrupted = false
            while true {
                for message in try receive(&state.buffer) where message.header.sequence == sequence {
                    if message.header.flags.contains(.dumpInterrupted) { interrupted = true }
                    switch message.header.type {
                    case NetlinkMessageType.done:
                        return (messages, interrupted)
                    case NetlinkMessageType.error:
                        let ack = try decodeAck(message)
                        throw .request(
                            NetlinkRequestError(
                                index: 0, request: request.summary, errno: ack.errno,
                                kernelMessage: ack.extendedMessage))
                    case NetlinkMessageType.noop, NetlinkMessageType.overrun:
                        continue
                    default:
                        messages.append(message)
                    }
                }
            }
        }
    }

    // MARK: - I/O

    private func send(_ bytes: [UInt8]) throws(NetlinkError) {
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        while true {
            let sent = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                    }
                }
            }
            if sent == bytes.count { return }
            if sent < 0, errno == EINTR { continue }
            if sent < 0 { throw .system(call: "sendto(AF_NETLINK)", errno: errno) }
            throw .protocolViolation("short send: \(sent) of \(bytes.count) bytes")
        }
    }

    private func receive(_ buffer: inout [UInt8]) throws(NetlinkError) -> [NetlinkMessage] {
        while true {
            let received = buffer.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress, raw.count, Int32(MSG_TRUNC))
            }
            if received < 0 {
                let code = errno
                if code == EINTR { continue }
                // ENOBUFS: the kernel dropped replies because our receive buffer was full.
                throw .system(call: code == EAGAIN ? "recv(AF_NETLINK) timed out" : "recv(AF_NETLINK)", errno: code)
            }
            guard received <= buffer.count else {
                throw .protocolViolation("datagram of \(received) bytes exceeds the \(buffer.count)-byte buffer")
            }
            do throws(NetlinkDecodingError) {
                return try NetlinkMessage.parseAll(buffer[0..<received])
            } catch {
                throw .decoding(error)
            }
        }
    }

    private func decodeAck(_ message: NetlinkMessage) throws(NetlinkError) -> NetlinkAcknowledgement {
        do throws(NetlinkDecodingError) {
            return try NetlinkAcknowledgement(decoding: message)
        } catch {
            throw .decoding(error)
        }
    }
}
