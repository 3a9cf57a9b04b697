public import BGPWire

/// Why the speaker could not start or do what it was asked.
public enum BGPSpeakerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `local_address` names an interface: the daemon resolves it before building the speaker.
    case unresolvedLocalAddress(String)
    /// No usable BGP Identifier (RFC 6286 §2.1: non-zero, IPv4).
    case invalidRouterID(String)
    /// A peer's settings cannot make a session (e.g. AS_TRANS as its AS).
    case invalidPeer(IPAddress, String)
    /// A peer has an `md5_password` but the kernel has no TCP MD5 signatures (RFC 2385): `setsockopt(TCP_MD5SIG)`
    /// failed with ENOPROTOOPT or ENOENT (a kernel built without CONFIG_TCP_MD5SIG).
    case tcpMD5Unsupported(peer: String, reason: String)
    /// Setting a peer's TCP MD5 key failed for another reason.
    case tcpMD5Failed(peer: String, reason: String)
    /// The listening socket could not be opened.
    case listenFailed(address: String, reason: String)
    /// ``BGPSpeaker/start()`` on a speaker already started or shut down.
    case alreadyStarted
    case notRunning
    case unknownPeer(IPAddress)
    case duplicatePeer(IPAddress)

    public var description: String {
        switch self {
        case .unresolvedLocalAddress(let name):
            "local_address \(name) is an interface name; resolve it to its IPv4 address first"
        case .invalidRouterID(let why): "no usable BGP identifier: \(why)"
        case .invalidPeer(let peer, let why): "peer \(peer): \(why)"
        case .tcpMD5Unsupported(let peer, let reason):
            "peer \(peer): md5_password is set, but this kernel does not support TCP MD5 signatures (RFC 2385; "
                + "setsockopt TCP_MD5SIG: \(reason)); use a kernel with CONFIG_TCP_MD5SIG or remove the password"
        case .tcpMD5Failed(let peer, let reason): "peer \(peer): cannot set the TCP MD5 key: \(reason)"
        case .listenFailed(let address, let reason): "cannot listen on \(address): \(reason)"
        case .alreadyStarted: "the speaker was already started"
        case .notRunning: "the speaker is not running"
        case .unknownPeer(let peer): "no peer \(peer)"
        case .duplicatePeer(let peer): "peer \(peer) already exists"
        }
    }
}
