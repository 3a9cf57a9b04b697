@_exported import BagpipeJSON

/// The agent's JSON is `BagpipeJSON.JSONValue`, as the server sends it and as bagpipe-bgp receives it: a value
/// type, so that desired and applied attachments compare by content (a changed attachment is re-sent, an
/// unchanged one is not).
public typealias JSON = JSONValue

extension JSON {
    /// An object from a dictionary (attachment bodies are built as dictionaries; member order does not matter
    /// to bagpipe-bgp, and `serialized()` sorts the keys).
    public static func object(_ members: [String: JSON]) -> JSON { .object(JSONObject(members.map { ($0, $1) })) }

    /// The object's members as a dictionary, or nil for another kind.
    public var dictionaryValue: [String: JSON]? {
        objectValue.map { Dictionary($0.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }) }
    }

    /// Lone surrogates are refused, as Foundation's decoder (which the agent used before) refuses them.
    static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSON {
        try JSON(parsing: bytes, options: JSONParseOptions(replacesLoneSurrogates: false))
    }

    /// Compact, with sorted keys, so that the same value always gives the same bytes (logs, tests).
    func serialized() -> String { text(Self.agentFormat) }

    static let agentFormat = JSONFormat(sortedKeys: true)
}
