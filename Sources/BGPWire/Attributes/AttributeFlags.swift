/// Path attribute flags octet (RFC 4271 §4.3).
///
///      0   1   2   3   4   5   6   7
///     +---+---+---+---+---+---+---+---+
///     | O | T | P | E |    unused     |
///     +---+---+---+---+---+---+---+---+
///
/// O optional, T transitive, P partial, E extended length (2-octet length field).
public struct AttributeFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let optional = AttributeFlags(rawValue: 0x80)
    public static let transitive = AttributeFlags(rawValue: 0x40)
    public static let partial = AttributeFlags(rawValue: 0x20)
    public static let extendedLength = AttributeFlags(rawValue: 0x10)

    /// Well-known attributes: not optional, transitive.
    public static let wellKnown: AttributeFlags = [.transitive]
    public static let optionalTransitive: AttributeFlags = [.optional, .transitive]
    public static let optionalNonTransitive: AttributeFlags = [.optional]

    /// The O and T bits only, which the attribute's definition fixes.
    public var category: AttributeFlags { intersection([.optional, .transitive]) }
}
