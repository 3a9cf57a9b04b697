/// FIB rule attribute numbers (linux/fib_rules.h).
enum FRA {
    static let dst: UInt16 = 1
    static let src: UInt16 = 2
    static let iifname: UInt16 = 3
    static let priority: UInt16 = 6
    static let table: UInt16 = 15
    static let oifname: UInt16 = 17
}

/// fib_rule_hdr.action (FR_ACT_*).
public enum RuleAction: UInt8, Hashable, Sendable {
    case toTable = 1, goto = 2, nop = 3, blackhole = 6, unreachable = 7, prohibit = 8
}

/// A policy-routing rule, as `ip rule add iif <dev> lookup <table> pref <n>` (interop-lab §7.3; the original's
/// per-VRF rules, bagpipe §5.3).
public struct Rule: Hashable, Sendable, CustomStringConvertible {
    public var family: UInt8
    public var priority: UInt32?
    public var action: RuleAction
    public var table: UInt32?
    public var inputInterface: String?
    public var outputInterface: String?
    public var source: InetPrefix?
    public var destination: InetPrefix?

    public init(
        family: UInt8 = AddressFamily.inet, priority: UInt32? = nil, action: RuleAction = .toTable,
        table: UInt32? = nil, inputInterface: String? = nil, outputInterface: String? = nil,
        source: InetPrefix? = nil, destination: InetPrefix? = nil
    ) {
        self.family = family
        self.priority = priority
        self.action = action
        self.table = table
        self.inputInterface = inputInterface
        self.outputInterface = outputInterface
        self.source = source
        self.destination = destination
    }

    public var description: String {
        var text = "rule"
        if let priority { text += " pref \(priority)" }
        if let inputInterface { text += " iif \(inputInterface)" }
        if let outputInterface { text += " oif \(outputInterface)" }
        if let source { text += " from \(source)" }
        if let destination { text += " to \(destination)" }
        text += action == .toTable ? " lookup \(table ?? 0)" : " \(action)"
        return text
    }

    static let familyHeaderSize = 12

    func encode(into writer: inout NetlinkWriter) {
        writer.append(family)
        writer.append(destination?.length ?? 0)
        writer.append(source?.length ?? 0)
        writer.append(UInt8(0))  // tos
        writer.append(table.map { $0 < 256 ? UInt8($0) : 0 } ?? 0)
        writer.append(UInt8(0))  // res1
        writer.append(UInt8(0))  // res2
        writer.append(action.rawValue)
        writer.append(UInt32(0))  // flags
        if let destination { writer.attribute(FRA.dst, destination.address.bytes) }
        if let source { writer.attribute(FRA.src, source.address.bytes) }
        if let inputInterface { writer.attribute(FRA.iifname, string: inputInterface) }
        if let outputInterface { writer.attribute(FRA.oifname, string: outputInterface) }
        if let table { writer.attribute(FRA.table, u32: table) }
        if let priority { writer.attribute(FRA.priority, u32: priority) }
    }

    public init(decoding message: NetlinkMessage) throws(NetlinkDecodingError) {
        let header = try message.familyHeader(size: Self.familyHeaderSize, for: "fib_rule_hdr")
        let base = header.startIndex
        family = header[base]
        let attributes = try message.attributes(after: Self.familyHeaderSize)
        priority = attributes.first(FRA.priority)?.u32
        action = RuleAction(rawValue: header[base + 7]) ?? .nop
        let headerTable = header[base + 4]
        table = attributes.first(FRA.table)?.u32 ?? (headerTable == 0 ? nil : UInt32(headerTable))
        inputInterface = attributes.first(FRA.iifname)?.string
        outputInterface = attributes.first(FRA.oifname)?.string
        source = attributes.first(FRA.src).flatMap { InetAddress(bytes: $0.payload) }.flatMap {
            InetPrefix(address: $0, length: header[base + 2])
        }
        destination = attributes.first(FRA.dst).flatMap { InetAddress(bytes: $0.payload) }.flatMap {
            InetPrefix(address: $0, length: header[base + 1])
        }
    }
}

/// Builders for RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE.
public enum RuleRequest {
    /// `ip rule add ...` (rules have no replace semantics worth using: the kernel appends duplicates).
    public static func add(_ rule: Rule) throws(NetlinkError) -> NetlinkRequest {
        if let name = rule.inputInterface { try LinkRequest.validate(name: name) }
        if let name = rule.outputInterface { try LinkRequest.validate(name: name) }
        var writer = NetlinkWriter(capacity: 48)
        rule.encode(into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.newRule, flags: [.create, .exclusive], body: writer.bytes,
            summary: "RTM_NEWRULE \(rule)")
    }

    /// `ip rule del ...`: the kernel deletes the first rule matching every field given.
    public static func delete(_ rule: Rule) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 48)
        rule.encode(into: &writer)
        return NetlinkRequest(
            type: NetlinkMessageType.delRule, flags: [], body: writer.bytes, summary: "RTM_DELRULE \(rule)")
    }

    public static func dump(family: UInt8) -> NetlinkRequest {
        var writer = NetlinkWriter(capacity: 12)
        writer.append(family)
        writer.append(contentsOf: [UInt8](repeating: 0, count: 11))
        return NetlinkRequest(
            type: NetlinkMessageType.getRule, flags: .dump, body: writer.bytes,
            summary: "RTM_GETRULE dump family \(family)")
    }
}
