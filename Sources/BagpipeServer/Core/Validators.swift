/// Converters and validators of neutron-lib, with their message texts (bgpvpn-api.md §1.2, §2.2, §2.3).
/// A validator returns nil when the value is fine, else the "Reason" put after `Invalid input for <attr>.`.
public enum Validators {
    static func quoted(_ v: JSON) -> String {
        if case .string(let s) = v { return "'\(s)'" }
        return "'\(v.pythonRepr())'"
    }
    static func plain(_ v: JSON) -> String {
        if case .string(let s) = v { return s }
        return v.pythonRepr()
    }

    // MARK: Route targets and distinguishers (§2.3)

    /// Decimal without sign or leading zero, at most `max`.
    static func decimal(_ s: Substring, max: UInt64) -> UInt64? {
        guard !s.isEmpty, s.count <= 10, s.allSatisfy({ $0.isASCII && $0.isNumber }), s == "0" || s.first != "0",
            let v = UInt64(s), v <= max
        else { return nil }
        return v
    }

    /// RFC 4364 type 0 (`ASN2:NN4`), type 1 (`IPv4:NN2`) or type 2 (`ASN4:NN2`). Unlike Python's `re.match(..$)`,
    /// a trailing newline is rejected.
    public static func isRouteTargetOrDistinguisher(_ s: String) -> Bool {
        guard let colon = s.lastIndex(of: ":") else { return false }
        let left = s[..<colon]
        let right = s[s.index(after: colon)...]
        if left.contains(".") {
            return IPAddress.parseV4(String(left)) != nil && decimal(right, max: 65535) != nil
        }
        guard let admin = decimal(left, max: UInt64(UInt32.max)) else { return false }
        return admin <= 65535
            ? decimal(right, max: UInt64(UInt32.max)) != nil : decimal(right, max: 65535) != nil
    }

    /// `type:list_of_regex_or_none` with RTRD_REGEX: the first bad item or the first duplicate is reported.
    public static func routeTargetList(_ v: JSON) -> String? {
        guard case .array(let items) = v else { return "\(quoted(v)) is not a list" }
        var seen = Set<String>()
        for item in items {
            guard case .string(let s) = item, isRouteTargetOrDistinguisher(s) else {
                return "\(quoted(item)) is not a valid input"
            }
            if !seen.insert(s).inserted { return "Duplicate items in the list: '\(s)'" }
        }
        return nil
    }

    /// `convert_to_list`: null → [], a scalar → [scalar].
    public static func toList(_ v: JSON) -> JSON {
        switch v {
        case .null: return .array([])
        case .array: return v
        default: return .array([v])
        }
    }

    // MARK: Scalars

    public static func uuid(_ v: JSON) -> String? {
        guard case .string(let s) = v, isUUID(s) else { return "\(quoted(v)) is not a valid UUID" }
        return nil
    }

    public static func isUUID(_ s: String) -> Bool {
        let hex = s.utf8.filter { $0 != UInt8(ascii: "-") }
        guard hex.count == 32, hex.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) })
        else { return false }
        if s.utf8.count == 32 { return true }
        let groups = s.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        return groups == [8, 4, 4, 4, 12]
    }

    public static func string(maxLength: Int?) -> @Sendable (JSON) -> String? {
        { v in
            guard case .string(let s) = v else { return "\(quoted(v)) is not a valid string" }
            if let maxLength, s.count > maxLength { return "'\(s)' exceeds maximum length of \(maxLength)" }
            return nil
        }
    }

    public static func stringOrNone(maxLength: Int?) -> @Sendable (JSON) -> String? {
        { v in v.isNull ? nil : string(maxLength: maxLength)(v) }
    }

    /// `type:name_string`: printable, no leading/trailing whitespace, at most 255 characters.
    public static func nameString(_ v: JSON) -> String? {
        if let e = string(maxLength: 255)(v) { return e }
        let s = v.stringValue!
        let bad =
            s.unicodeScalars.contains { $0.properties.generalCategory == .control }
            || s.first.map { $0.isWhitespace } == true || s.last.map { $0.isWhitespace } == true
        return bad ? "'\(s)' is not a valid string" : nil
    }

    public static func values(_ allowed: [String]) -> @Sendable (JSON) -> String? {
        { v in
            if case .string(let s) = v, allowed.contains(s) { return nil }
            return "\(plain(v)) is not in valid_values"
        }
    }

    public static func range(_ lo: Int64, _ hi: Int64, orNone: Bool) -> @Sendable (JSON) -> String? {
        { v in
            if orNone, v.isNull { return nil }
            guard let i = integer(v) else { return "\(quoted(v)) is not an integer" }
            if i < lo { return "'\(i)' is too small - must be at least '\(lo)'" }
            if i > hi { return "'\(i)' is too large - must be no larger than '\(hi)'" }
            return nil
        }
    }

    /// Integer, or a string holding one (Neutron's range validator accepts `"100"`, §2.2).
    public static func integer(_ v: JSON) -> Int64? {
        switch v {
        case .int(let i): return i
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    public static func boolean(_ v: JSON) -> String? {
        if case .bool = v { return nil }
        return "\(quoted(v)) is not a valid boolean value"
    }

    public static func dict(_ v: JSON) -> String? {
        if case .object = v { return nil }
        return "\(quoted(v)) is not a dictionary"
    }

    public static func ipAddress(_ v: JSON) -> String? {
        guard case .string(let s) = v, IPAddress(s) != nil else { return "\(quoted(v)) is not a valid IP address" }
        return nil
    }

    public static func ipAddressOrNone(_ v: JSON) -> String? { v.isNull ? nil : ipAddress(v) }

    public static func subnet(_ v: JSON) -> String? {
        guard case .string(let s) = v, let n = IPNetwork(s) else { return "\(quoted(v)) is not a valid IP subnet" }
        if n.hasHostBits { return "'\(s)' isn't a recognized IP subnet cidr, '\(n.network)' is recommended" }
        return nil
    }

    public static func macAddress(_ v: JSON) -> String? {
        guard case .string(let s) = v, MACAddress(s) != nil else { return "\(quoted(v)) is not a valid MAC address" }
        return nil
    }

    // MARK: Converters (raise InvalidInput, §1.2 step 6)

    public static func convertBoolean(_ v: JSON) throws(NeutronError) -> JSON {
        switch v {
        case .bool: return v
        case .int(let i) where i == 0 || i == 1: return .bool(i == 1)
        case .string(let s):
            switch s.lowercased() {
            case "true", "1": return .bool(true)
            case "false", "0": return .bool(false)
            default: break
            }
        default: break
        }
        throw .invalidInput("\(quoted(v)) cannot be converted to boolean")
    }

    public static func convertIntOrNone(_ v: JSON) throws(NeutronError) -> JSON {
        if v.isNull { return v }
        guard let i = integer(v) else { throw .invalidInput("\(quoted(v)) is not an integer") }
        return .int(i)
    }
}

/// An Ethernet MAC address in the `aa:bb:cc:dd:ee:ff` form Neutron returns.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    public init?(_ text: String) {
        let parts = text.split(separator: text.contains("-") ? "-" : ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for p in parts {
            guard p.count == 2, let b = UInt8(p, radix: 16) else { return nil }
            v = v << 8 | UInt64(b)
        }
        value = v
    }

    public var description: String {
        (0..<6).map { i -> String in
            let b = UInt8(truncatingIfNeeded: value >> (40 - 8 * i))
            return b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16)
        }.joined(separator: ":")
    }
}
