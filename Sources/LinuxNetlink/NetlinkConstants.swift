/// Message types (linux/netlink.h, linux/rtnetlink.h). Kept as Swift constants so the pure codec needs no C
/// import; LinuxNetlinkTests checks each against the kernel headers.
public enum NetlinkMessageType {
    public static let noop: UInt16 = 1
    public static let error: UInt16 = 2
    public static let done: UInt16 = 3
    public static let overrun: UInt16 = 4

    public static let newLink: UInt16 = 16
    public static let delLink: UInt16 = 17
    public static let getLink: UInt16 = 18
    public static let setLink: UInt16 = 19
    public static let newAddr: UInt16 = 20
    public static let delAddr: UInt16 = 21
    public static let getAddr: UInt16 = 22
    public static let newRoute: UInt16 = 24
    public static let delRoute: UInt16 = 25
    public static let getRoute: UInt16 = 26
    public static let newNeigh: UInt16 = 28
    public static let delNeigh: UInt16 = 29
    public static let getNeigh: UInt16 = 30
    public static let newRule: UInt16 = 32
    public static let delRule: UInt16 = 33
    public static let getRule: UInt16 = 34
    public static let newNetconf: UInt16 = 80
    public static let getNetconf: UInt16 = 82

    /// The kernel's name for a type, for error messages.
    public static func name(_ type: UInt16) -> String {
        switch type {
        case noop: "NLMSG_NOOP"
        case error: "NLMSG_ERROR"
        case done: "NLMSG_DONE"
        case overrun: "NLMSG_OVERRUN"
        case newLink: "RTM_NEWLINK"
        case delLink: "RTM_DELLINK"
        case getLink: "RTM_GETLINK"
        case setLink: "RTM_SETLINK"
        case newAddr: "RTM_NEWADDR"
        case delAddr: "RTM_DELADDR"
        case getAddr: "RTM_GETADDR"
        case newRoute: "RTM_NEWROUTE"
        case delRoute: "RTM_DELROUTE"
        case getRoute: "RTM_GETROUTE"
        case newNeigh: "RTM_NEWNEIGH"
        case delNeigh: "RTM_DELNEIGH"
        case getNeigh: "RTM_GETNEIGH"
        case newRule: "RTM_NEWRULE"
        case delRule: "RTM_DELRULE"
        case getRule: "RTM_GETRULE"
        case newNetconf: "RTM_NEWNETCONF"
        case getNetconf: "RTM_GETNETCONF"
        default: "type \(type)"
        }
    }
}

/// nlmsg_flags. The high byte means different things for NEW (replace/excl/create/append) and GET (root/match).
public struct NetlinkFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let request = NetlinkFlags(rawValue: 0x01)
    public static let multi = NetlinkFlags(rawValue: 0x02)
    public static let ack = NetlinkFlags(rawValue: 0x04)
    public static let echo = NetlinkFlags(rawValue: 0x08)
    public static let dumpInterrupted = NetlinkFlags(rawValue: 0x10)
    public static let dumpFiltered = NetlinkFlags(rawValue: 0x20)
    // GET requests
    public static let root = NetlinkFlags(rawValue: 0x100)
    public static let match = NetlinkFlags(rawValue: 0x200)
    public static let dump: NetlinkFlags = [.root, .match]
    // NEW requests
    public static let replace = NetlinkFlags(rawValue: 0x100)
    public static let exclusive = NetlinkFlags(rawValue: 0x200)
    public static let create = NetlinkFlags(rawValue: 0x400)
    public static let append = NetlinkFlags(rawValue: 0x800)
    // NLMSG_ERROR acknowledgements
    public static let capped = NetlinkFlags(rawValue: 0x100)
    public static let ackTLVs = NetlinkFlags(rawValue: 0x200)
}

/// Address families as the rtnetlink headers carry them (linux/socket.h).
public enum AddressFamily {
    public static let unspec: UInt8 = 0
    public static let inet: UInt8 = 2
    public static let bridge: UInt8 = 7
    public static let inet6: UInt8 = 10
}
