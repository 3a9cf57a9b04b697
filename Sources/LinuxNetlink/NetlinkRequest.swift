/// One request ready to send: its type and flags, the family header plus attributes, and a human summary
/// (used to name the request in errors). Sequence number and NLM_F_REQUEST|NLM_F_ACK are added by the socket.
public struct NetlinkRequest: Hashable, Sendable, CustomStringConvertible {
    public var type: UInt16
    public var flags: NetlinkFlags
    public var body: [UInt8]
    public var summary: String
    /// Namespaces whose fd numbers `body` refers to (IFLA_NET_NS_FD): kept open until the request is sent.
    public var namespaces: [NetworkNamespace]

    public init(type: UInt16, flags: NetlinkFlags, body: [UInt8], summary: String, namespaces: [NetworkNamespace] = [])
    {
        self.type = type
        self.flags = flags
        self.body = body
        self.summary = summary
        self.namespaces = namespaces
    }

    public var description: String { summary }

    /// The message as it goes on the wire.
    public func message(sequence: UInt32, acknowledged: Bool = true) -> NetlinkMessage {
        var flags = self.flags.union(.request)
        if acknowledged { flags.insert(.ack) }
        return NetlinkMessage(
            header: NetlinkMessageHeader(
                length: UInt32(NetlinkMessageHeader.size + body.count), type: type, flags: flags, sequence: sequence),
            payload: body)
    }

    public func encoded(sequence: UInt32, acknowledged: Bool = true) -> [UInt8] {
        var writer = NetlinkWriter(capacity: NetlinkMessageHeader.size + body.count)
        message(sequence: sequence, acknowledged: acknowledged).encode(into: &writer)
        return writer.bytes
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.type == rhs.type && lhs.flags == rhs.flags && lhs.body == rhs.body && lhs.summary == rhs.summary
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(flags)
        hasher.combine(body)
    }
}

/// What a NEW request does when the object already exists (nlmsg_flags, as `ip`/`bridge` use them).
public enum NetlinkWriteMode: Hashable, Sendable {
    /// NLM_F_CREATE|NLM_F_EXCL: fail with EEXIST if present (`ip route add`, `bridge fdb add`).
    case add
    /// NLM_F_CREATE|NLM_F_REPLACE: create or overwrite (`replace`).
    case replace
    /// NLM_F_CREATE|NLM_F_APPEND: add another entry beside existing ones (`bridge fdb append`: one more VTEP in
    /// the flood list; `ip route append`).
    case append

    var flags: NetlinkFlags {
        switch self {
        case .add: [.create, .exclusive]
        case .replace: [.create, .replace]
        case .append: [.create, .append]
        }
    }

    var verb: String {
        switch self {
        case .add: "add"
        case .replace: "replace"
        case .append: "append"
        }
    }
}
