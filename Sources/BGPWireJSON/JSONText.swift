/// JSON text: printing (compact or indented, keys in their given order) and a strict parser, both `BagpipeJSON`'s.
extension JSON {
    /// Compact text on one line (`pretty: false`), or indented by two spaces.
    public func text(pretty: Bool = false) -> String {
        text(pretty ? JSONFormat(indent: 2) : .compact)
    }

    /// Parses JSON text (RFC 8259). Integers stay exact; numbers with a fraction or exponent are refused,
    /// since no BGP field needs them.
    public static func parse(_ text: String) throws(JSONError) -> JSON {
        do throws(JSONSyntaxError) {
            return try JSON(parsing: text, options: wireOptions)
        } catch {
            throw JSONError("", "JSON syntax at offset \(error.offset): \(error.reason)")
        }
    }

    /// No BGP field needs a fraction, and the first of duplicate members is the one read.
    static let wireOptions = JSONParseOptions(
        maxDepth: 200, integersOnly: true, unsignedIntegers: true, replacesLoneSurrogates: false,
        skipsByteOrderMark: false, keepsFirstDuplicate: true)
}
