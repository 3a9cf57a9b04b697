import BGPWire
import NIOCore

#if canImport(Glibc)
import CBagpipeLinux
import Glibc

/// TCP MD5 signatures (RFC 2385) through Linux's `TCP_MD5SIG` socket option.
///
/// A key is set per remote address (or, with `TCP_MD5SIG_EXT`, per prefix) on the socket: on an outgoing socket
/// before it connects, so that the SYN is signed; on the listening socket for every peer allowed to connect, and
/// accepted sockets inherit the keys. A kernel built without CONFIG_TCP_MD5SIG answers ENOPROTOOPT (or ENOENT).
enum TCPMD5 {
    /// `struct tcp_md5sig` for `key` on `address`, or on `address/prefixLength` (for `TCP_MD5SIG_EXT`).
    static func signature(address: IPAddress, prefixLength: UInt8? = nil, key: String) -> tcp_md5sig {
        var signature = tcp_md5sig()
        withUnsafeMutableBytes(of: &signature.tcpm_addr) { storage in
            switch address {
            case .v4(let a):
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_addr.s_addr = a.value.bigEndian
                withUnsafeBytes(of: &sin) { storage.copyMemory(from: $0) }
            case .v6(let a):
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                withUnsafeMutableBytes(of: &sin6.sin6_addr) { bytes in
                    bytes.storeBytes(of: a.high.bigEndian, toByteOffset: 0, as: UInt64.self)
                    bytes.storeBytes(of: a.low.bigEndian, toByteOffset: 8, as: UInt64.self)
                }
                withUnsafeBytes(of: &sin6) { storage.copyMemory(from: $0) }
            }
        }
        if let prefixLength {
            signature.tcpm_flags = UInt8(TCP_MD5SIG_FLAG_PREFIX)
            signature.tcpm_prefixlen = prefixLength
        }
        // The configuration refuses keys longer than TCP_MD5SIG_MAXKEYLEN (80).
        let bytes = Array(key.utf8.prefix(80))
        signature.tcpm_keylen = UInt16(bytes.count)
        withUnsafeMutableBytes(of: &signature.tcpm_key) { $0.copyBytes(from: bytes) }
        return signature
    }

    static func optionName(prefix: Bool) -> NIOBSDSocket.Option {
        NIOBSDSocket.Option(rawValue: prefix ? CInt(TCP_MD5SIG_EXT) : CInt(TCP_MD5SIG))
    }

    /// Sets the key on `channel`'s socket; the error names `peer`.
    static func set(
        on channel: any Channel, address: IPAddress, prefixLength: UInt8? = nil, key: String, peer: String
    ) -> EventLoopFuture<Void> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(
                BGPSpeakerError.tcpMD5Failed(peer: peer, reason: "the channel has no socket options"))
        }
        let value = signature(address: address, prefixLength: prefixLength, key: key)
        return provider.unsafeSetSocketOption(
            level: .tcp, name: optionName(prefix: prefixLength != nil), value: value
        ).flatMapErrorThrowing { error in
            throw speakerError(error, peer: peer)
        }
    }

    /// Checks that the kernel accepts the key on a throwaway socket, so that a missing kernel feature is reported
    /// at start-up, naming the peer, rather than as connections that never come up.
    static func probe(address: IPAddress, prefixLength: UInt8? = nil, key: String, peer: String) throws(BGPSpeakerError)
    {
        let domain: CInt
        switch address {
        case .v4: domain = AF_INET
        case .v6: domain = AF_INET6
        }
        let fd = socket(domain, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .tcpMD5Failed(peer: peer, reason: "socket: \(errnoText(errno))") }
        defer { close(fd) }
        var value = signature(address: address, prefixLength: prefixLength, key: key)
        let name = prefixLength != nil ? TCP_MD5SIG_EXT : TCP_MD5SIG
        let result = setsockopt(
            fd, CInt(IPPROTO_TCP), CInt(name), &value, socklen_t(MemoryLayout<tcp_md5sig>.size))
        if result != 0 { throw error(errno: errno, peer: peer) }
    }

    static func speakerError(_ error: any Error, peer: String) -> any Error {
        if let io = error as? IOError { return Self.error(errno: io.errnoCode, peer: peer) }
        return error
    }

    static func error(errno code: CInt, peer: String) -> BGPSpeakerError {
        if code == ENOPROTOOPT || code == ENOENT {
            return .tcpMD5Unsupported(peer: peer, reason: errnoText(code))
        }
        return .tcpMD5Failed(peer: peer, reason: errnoText(code))
    }

    static func errnoText(_ code: CInt) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
#else
/// TCP MD5 signatures need Linux's `TCP_MD5SIG`; elsewhere every attempt fails with a clear error.
enum TCPMD5 {
    static func set(
        on channel: any Channel, address: IPAddress, prefixLength: UInt8? = nil, key: String, peer: String
    ) -> EventLoopFuture<Void> {
        channel.eventLoop.makeFailedFuture(
            BGPSpeakerError.tcpMD5Unsupported(peer: peer, reason: "TCP_MD5SIG is Linux only"))
    }

    static func probe(address: IPAddress, prefixLength: UInt8? = nil, key: String, peer: String) throws(BGPSpeakerError)
    {
        throw .tcpMD5Unsupported(peer: peer, reason: "TCP_MD5SIG is Linux only")
    }
}
#endif
