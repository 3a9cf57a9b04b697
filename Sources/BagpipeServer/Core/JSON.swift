@_exported import BagpipeJSON

/// The server's JSON is `BagpipeJSON.JSONValue`: it keeps object key order (Neutron error texts embed Python reprs
/// of request dicts, §3.2) and tells integers from floats and booleans, which validators such as `type:range`
/// care about.
public typealias JSON = JSONValue

extension JSONObject {
    public var pairs: [(key: String, value: JSON)] { map { $0 } }
    public func has(_ key: String) -> Bool { contains(key) }

    public func string(_ key: String) -> String? { self[key]?.stringValue }
    public func int(_ key: String) -> Int64? { self[key]?.intValue }
    public func bool(_ key: String) -> Bool? { self[key]?.boolValue }
    public func array(_ key: String) -> [JSON]? { self[key]?.arrayValue }
    public func strings(_ key: String) -> [String] { (self[key]?.arrayValue ?? []).compactMap(\.stringValue) }
}

extension JSON {
    public static func strings(_ values: [String]) -> JSON { .array(values.map { .string($0) }) }
    public static func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
}
