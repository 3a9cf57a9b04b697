@_exported import BagpipeJSON

/// The shared JSON value (`BagpipeJSON`): ordered object members (so output follows RFC field order) and exact
/// integers (64-bit values such as route distinguishers must not go through Double).
public typealias JSON = JSONValue

extension JSON {
    /// An object from members in RFC field order.
    public static func object(_ members: [(String, JSON)]) -> JSON { .object(JSONObject(members)) }
}

/// Why a JSON document does not describe a valid message: the path to the bad member and the problem.
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

// MARK: - Reading members with precise errors

/// A cursor into a JSON object that knows its path, so every error names the member at fault.
public struct JSONReader {
    public let members: JSONObject
    public let path: String

    public init(_ json: JSON, path: String = "") throws(JSONError) {
        guard case .object(let m) = json else { throw JSONError(path, "expected an object") }
        members = m
        self.path = path
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func optional(_ key: String) -> JSON? {
        guard let v = members[key], v != .null else { return nil }
        return v
    }

    public func value(_ key: String) throws(JSONError) -> JSON {
        guard let v = optional(key) else { throw JSONError(childPath(key), "missing") }
        return v
    }

    public func integer<T: FixedWidthInteger>(_ key: String, as: T.Type = T.self) throws(JSONError) -> T {
        try JSON.integer(value(key), path: childPath(key))
    }

    public func optionalInteger<T: FixedWidthInteger>(_ key: String, as: T.Type = T.self) throws(JSONError) -> T? {
        guard let v = optional(key) else { return nil }
        return try JSON.integer(v, path: childPath(key)) as T
    }

    public func string(_ key: String) throws(JSONError) -> String {
        guard case .string(let s) = try value(key) else { throw JSONError(childPath(key), "expected a string") }
        return s
    }

    public func optionalString(_ key: String) throws(JSONError) -> String? {
        guard let v = optional(key) else { return nil }
        guard case .string(let s) = v else { throw JSONError(childPath(key), "expected a string") }
        return s
    }

    public func bool(_ key: String, default def: Bool = false) throws(JSONError) -> Bool {
        guard let v = optional(key) else { return def }
        guard case .bool(let b) = v else { throw JSONError(childPath(key), "expected true or false") }
        return b
    }

    public func array(_ key: String) throws(JSONError) -> [JSON] {
        guard case .array(let a) = try value(key) else { throw JSONError(childPath(key), "expected an array") }
        return a
    }

    public func optionalArray(_ key: String) throws(JSONError) -> [JSON]? {
        guard let v = optional(key) else { return nil }
        guard case .array(let a) = v else { throw JSONError(childPath(key), "expected an array") }
        return a
    }

    public func object(_ key: String) throws(JSONError) -> JSONReader {
        try JSONReader(value(key), path: childPath(key))
    }

    /// Parses a string member with `parse`, e.g. an address.
    public func parsed<T>(_ key: String, _ what: String, _ parse: (String) -> T?) throws(JSONError) -> T {
        let s = try string(key)
        guard let v = parse(s) else { throw JSONError(childPath(key), "\"\(s)\" is not \(what)") }
        return v
    }

    /// Hex string member (`"0a0b"`, any case, optional `0x`).
    public func hex(_ key: String) throws(JSONError) -> [UInt8] {
        let s = try string(key)
        guard let bytes = Hex.decode(s) else { throw JSONError(childPath(key), "\"\(s)\" is not hex") }
        return bytes
    }

    /// Maps each element of an array member, with its index in the error path.
    public func map<T>(_ key: String, _ transform: (JSON, String) throws(JSONError) -> T) throws(JSONError) -> [T] {
        var out: [T] = []
        for (i, e) in try array(key).enumerated() { out.append(try transform(e, "\(childPath(key))[\(i)]")) }
        return out
    }
}

extension JSON {
    public static func integer<T: FixedWidthInteger>(_ json: JSON, path: String) throws(JSONError) -> T {
        switch json {
        case .int(let i):
            guard let v = T(exactly: i) else { throw JSONError(path, "\(i) is out of range for \(T.self)") }
            return v
        case .uint(let u):
            guard let v = T(exactly: u) else { throw JSONError(path, "\(u) is out of range for \(T.self)") }
            return v
        default: throw JSONError(path, "expected an integer")
        }
    }
}

/// Hex text <-> bytes.
public enum Hex {
    public static func encode(_ bytes: some Sequence<UInt8>, uppercase: Bool = true) -> String {
        let digits: [UInt8] = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Accepts upper/lower case, an optional `0x`, and ignores spaces, colons and underscores.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var s = Substring(text)
        if s.hasPrefix("0x") || s.hasPrefix("0X") { s = s.dropFirst(2) }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count / 2)
        var high: UInt8? = nil
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: "\t"): continue
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return high == nil ? out : nil
    }
}
