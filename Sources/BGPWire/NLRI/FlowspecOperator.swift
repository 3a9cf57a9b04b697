/// The size of an operator's value: the 2-bit `len` field of RFC 8955 §4.2.1, meaning `1 << len` octets.
///
/// All four codes are defined, so no length code is invalid in itself; only types 9, 11 and 12 narrow the choice
/// (see ``FlowspecComponent``).
public enum FlowspecValueLength: UInt8, Hashable, Sendable, CaseIterable {
    case one = 0
    case two = 1
    case four = 2
    case eight = 3

    /// 1, 2, 4 or 8.
    public var octets: Int { 1 << Int(rawValue) }

    public init?(octets: Int) {
        switch octets {
        case 1: self = .one
        case 2: self = .two
        case 4: self = .four
        case 8: self = .eight
        default: return nil
        }
    }

    /// The shortest length that holds `value`.
    public init(fitting value: UInt64) {
        self = value <= 0xFF ? .one : value <= 0xFFFF ? .two : value <= 0xFFFF_FFFF ? .four : .eight
    }

    /// The largest value this length holds.
    public var maxValue: UInt64 { self == .eight ? .max : (1 << UInt64(8 * octets)) - 1 }
}

/// One `{numeric_op, value}` pair (RFC 8955 §4.2.1.1): compares a packet field with `value`.
///
///       0   1   2   3   4   5   6   7
///     +---+---+---+---+---+---+---+---+
///     | e | a |  len  | 0 |lt |gt |eq |
///     +---+---+---+---+---+---+---+---+
///     followed by a value of 1 << len octets
///
/// `e` (end of list) is not stored: the writer sets it on the last operator of a component, the only place a decoded
/// list can have it. Every other bit is kept, including the reserved bit and an `a` bit on the first operator (both
/// ignored in meaning, RFC 8955 §4.2.1.1), so a received operator re-encodes to the same octet.
public struct NumericOperator: Hashable, Sendable, CustomStringConvertible {
    /// `a`: AND with the previous pair instead of OR. Meaningless on the first pair of a list.
    public var and: Bool
    public var lessThan: Bool
    public var greaterThan: Bool
    public var equal: Bool
    public var length: FlowspecValueLength
    /// Only the low `length.octets` octets are written.
    public var value: UInt64
    /// The reserved bit as received (0x08 or 0), written back as is: "MUST be set to 0 on NLRI encoding"
    /// (RFC 8955 §4.2.1.1), so clear it before originating a received rule.
    public var reservedBits: UInt8

    /// Where the reserved bit sits in the operator octet.
    public static let reservedMask: UInt8 = 0x08

    public init(
        and: Bool = false, lessThan: Bool = false, greaterThan: Bool = false, equal: Bool = false,
        value: UInt64, length: FlowspecValueLength? = nil, reservedBits: UInt8 = 0
    ) {
        self.and = and
        self.lessThan = lessThan
        self.greaterThan = greaterThan
        self.equal = equal
        self.length = length ?? FlowspecValueLength(fitting: value)
        self.value = value
        self.reservedBits = reservedBits & Self.reservedMask
    }

    /// `=`, `>`, `>=`, `<`, `<=`, `!=`, `true` (all three bits) or `false` (none).
    public var comparison: String {
        switch (lessThan, greaterThan, equal) {
        case (false, false, false): "false"
        case (false, false, true): "="
        case (false, true, false): ">"
        case (false, true, true): ">="
        case (true, false, false): "<"
        case (true, false, true): "<="
        case (true, true, false): "!="
        case (true, true, true): "true"
        }
    }

    /// Sets the three comparison bits from ``comparison`` text; false for unknown text.
    public mutating func setComparison(_ text: String) -> Bool {
        let all = ["false", "=", ">", ">=", "<", "<=", "!=", "true"]
        guard let bits = all.firstIndex(of: text) else { return false }
        lessThan = bits & 4 != 0
        greaterThan = bits & 2 != 0
        equal = bits & 1 != 0
        return true
    }

    /// `>=80`; `true` and `false` match whatever the value.
    public var description: String {
        let c = comparison
        return c == "true" || c == "false" ? c : "\(c)\(value)"
    }

    static func read(_ r: inout ByteReader, _ what: @autoclosure () -> String) throws(DecodeFailure) -> (Self, Bool) {
        let op = try r.readUInt8("\(what()) operator")
        let length = FlowspecValueLength(rawValue: op >> 4 & 3)!
        let value = try readValue(&r, length, what())
        let result = NumericOperator(
            and: op & 0x40 != 0, lessThan: op & 4 != 0, greaterThan: op & 2 != 0, equal: op & 1 != 0,
            value: value, length: length, reservedBits: op)
        return (result, op & 0x80 != 0)
    }

    func write(to w: inout ByteWriter, endOfList: Bool) {
        var op: UInt8 =
            (endOfList ? 0x80 : 0) | (and ? 0x40 : 0) | length.rawValue << 4 | reservedBits & Self.reservedMask
        op |= (lessThan ? 4 : 0) | (greaterThan ? 2 : 0) | (equal ? 1 : 0)
        w.write(op)
        writeValue(value, length, to: &w)
    }
}

/// One `{bitmask_op, value}` pair (RFC 8955 §4.2.1.2): tests bits of a packet field against `value`.
///
///       0   1   2   3   4   5   6   7
///     +---+---+---+---+---+---+---+---+
///     | e | a |  len  | 0 | 0 |not| m |
///     +---+---+---+---+---+---+---+---+
///     followed by a value of 1 << len octets
///
/// With `m` clear the pair holds when any bit of `value` is set in the field, with `m` set when all are; `not`
/// negates the result. As for ``NumericOperator``, `e` is implied by position and every other bit is kept.
public struct BitmaskOperator: Hashable, Sendable {
    public var and: Bool
    public var not: Bool
    public var match: Bool
    public var length: FlowspecValueLength
    public var value: UInt64
    /// The two reserved bits as received (0x0C mask), written back as is: "MUST be set to 0 on NLRI encoding"
    /// (RFC 8955 §4.2.1.2), so clear them before originating a received rule.
    public var reservedBits: UInt8

    /// Where the reserved bits sit in the operator octet.
    public static let reservedMask: UInt8 = 0x0C

    public init(
        and: Bool = false, not: Bool = false, match: Bool = false, value: UInt64,
        length: FlowspecValueLength? = nil, reservedBits: UInt8 = 0
    ) {
        self.and = and
        self.not = not
        self.match = match
        self.length = length ?? FlowspecValueLength(fitting: value)
        self.value = value
        self.reservedBits = reservedBits & Self.reservedMask
    }

    /// `""` (any bit set), `=` (all set), `!` (none set) or `!=` (not all set).
    public var comparison: String { (not ? "!" : "") + (match ? "=" : "") }

    /// `=syn+ack` with `names` for the bits (TCP flags, fragment bits), else `=0x12`.
    func description(names: [String]) -> String {
        var parts: [String] = []
        var rest = value
        for (bit, name) in names.enumerated() where rest & 1 << UInt64(bit) != 0 {
            parts.append(name)
            rest &= ~(1 << UInt64(bit))
        }
        if rest != 0 || parts.isEmpty { parts = ["0x" + String(value, radix: 16)] }
        return comparison + parts.joined(separator: "+")
    }

    static func read(_ r: inout ByteReader, _ what: @autoclosure () -> String) throws(DecodeFailure) -> (Self, Bool) {
        let op = try r.readUInt8("\(what()) operator")
        let length = FlowspecValueLength(rawValue: op >> 4 & 3)!
        let value = try readValue(&r, length, what())
        let result = BitmaskOperator(
            and: op & 0x40 != 0, not: op & 2 != 0, match: op & 1 != 0, value: value, length: length,
            reservedBits: op)
        return (result, op & 0x80 != 0)
    }

    func write(to w: inout ByteWriter, endOfList: Bool) {
        var op: UInt8 =
            (endOfList ? 0x80 : 0) | (and ? 0x40 : 0) | length.rawValue << 4 | reservedBits & Self.reservedMask
        op |= (not ? 2 : 0) | (match ? 1 : 0)
        w.write(op)
        writeValue(value, length, to: &w)
    }
}

private func readValue(
    _ r: inout ByteReader, _ length: FlowspecValueLength, _ what: @autoclosure () -> String
)
    throws(DecodeFailure) -> UInt64
{
    switch length {
    case .one: UInt64(try r.readUInt8("\(what()) 1-octet value"))
    case .two: UInt64(try r.readUInt16("\(what()) 2-octet value"))
    case .four: UInt64(try r.readUInt32("\(what()) 4-octet value"))
    case .eight: try r.readUInt64("\(what()) 8-octet value")
    }
}

private func writeValue(_ value: UInt64, _ length: FlowspecValueLength, to w: inout ByteWriter) {
    switch length {
    case .one: w.write(UInt8(truncatingIfNeeded: value))
    case .two: w.write(UInt16(truncatingIfNeeded: value))
    case .four: w.write(UInt32(truncatingIfNeeded: value))
    case .eight: w.write(value)
    }
}

/// What ``NumericOperator`` and ``BitmaskOperator`` share for list reading and writing.
protocol FlowspecOperator: Hashable, Sendable {
    var length: FlowspecValueLength { get }
    /// Reads one pair; the flag is the end-of-list bit.
    static func read(_ r: inout ByteReader, _ what: @autoclosure () -> String) throws(DecodeFailure) -> (Self, Bool)
    func write(to w: inout ByteWriter, endOfList: Bool)
}

extension NumericOperator: FlowspecOperator {}
extension BitmaskOperator: FlowspecOperator {}

extension Array where Element: FlowspecOperator {
    /// Reads `{op, value}` pairs up to the one with the end-of-list bit (RFC 8955 §4.2.1). Each pair takes at least
    /// two octets of the bounded NLRI slice, so the list cannot outgrow the bytes received. A value longer than
    /// `maxLength` breaks the MUST quoted in `rule`.
    static func read(
        _ r: inout ByteReader, _ what: @autoclosure () -> String, maxLength: FlowspecValueLength = .eight,
        rule: String = ""
    )
        throws(DecodeFailure) -> Self
    {
        var ops: Self = []
        while true {
            // The list must close with `e` set inside this NLRI.
            guard !r.isAtEnd else {
                throw DecodeFailure("\(what()): NLRI ends before an operator with end-of-list set")
            }
            let number = ops.count + 1
            let (op, end) = try Element.read(&r, "\(what()) operator \(number)")
            guard op.length.rawValue <= maxLength.rawValue else {
                throw DecodeFailure("\(what()) operator \(number): \(op.length.octets)-octet value, but \(rule)")
            }
            ops.append(op)
            if end { return ops }
        }
    }

    /// Writes the pairs, setting end-of-list on the last one only.
    func write(to w: inout ByteWriter) {
        for (i, op) in enumerated() { op.write(to: &w, endOfList: i == count - 1) }
    }
}
