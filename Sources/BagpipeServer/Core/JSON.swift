/// A JSON value that keeps object key order (Neutron error texts embed Python reprs of request dicts, §3.2)
/// and tells integers from floats and booleans, which validators such as `type:range` care about.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }
    public var isNull: Bool { self == .null }

    public subscript(key: String) -> JSON? {
        objectValue?[key]
    }

    public subscript(index: Int) -> JSON? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

/// An insertion-ordered JSON object.
public struct JSONObject: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: JSON] = [:]

    public init() {}
    public init(_ pairs: [(String, JSON)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public subscript(key: String) -> JSON? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var pairs: [(key: String, value: JSON)] { keys.map { ($0, values[$0]!) } }
    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public func has(_ key: String) -> Bool { values[key] != nil }

    public func string(_ key: String) -> String? { values[key]?.stringValue }
    public func int(_ key: String) -> Int64? { values[key]?.intValue }
    public func bool(_ key: String) -> Bool? { values[key]?.boolValue }
    public func array(_ key: String) -> [JSON]? { values[key]?.arrayValue }
    public func strings(_ key: String) -> [String] { (values[key]?.arrayValue ?? []).compactMap(\.stringValue) }

    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.values == b.values }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
}

extension JSON {
    public static func strings(_ values: [String]) -> JSON { .array(values.map { .string($0) }) }
    public static func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
}
