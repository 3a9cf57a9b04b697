#if canImport(Glibc)
import Glibc
#endif

/// `--name value` and `--flag` command-line options, read by name; anything unknown is an error.
public struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private var used: Set<String> = []
    public let command: String?

    public init(_ argv: [String], flagNames: Set<String>) throws {
        var rest = argv[...]
        command = rest.first.flatMap { $0.hasPrefix("--") ? nil : $0 }
        if command != nil { rest = rest.dropFirst() }
        while let name = rest.popFirst() {
            guard name.hasPrefix("--") else { throw SystemError(message: "unexpected argument \(name)") }
            let key = String(name.dropFirst(2))
            if flagNames.contains(key) {
                flags.insert(key)
            } else {
                guard let value = rest.popFirst() else { throw SystemError(message: "\(name) needs a value") }
                values[key] = value
            }
        }
    }

    public mutating func flag(_ name: String) -> Bool {
        used.insert(name)
        return flags.contains(name)
    }

    public mutating func string(_ name: String) -> String? {
        used.insert(name)
        return values[name]
    }

    public mutating func string(_ name: String, default value: String) -> String { string(name) ?? value }

    public mutating func int(_ name: String, default value: Int) throws -> Int {
        guard let text = string(name) else { return value }
        guard let n = Self.count(text) else { throw SystemError(message: "--\(name): \(text) is not a number") }
        return n
    }

    /// Numbers with an optional k / M suffix (10k, 1M).
    public static func count(_ text: String) -> Int? {
        if let n = Int(text) { return n }
        let multiplier: Int
        switch text.last {
        case "k", "K": multiplier = 1_000
        case "m", "M": multiplier = 1_000_000
        default: return nil
        }
        return Int(text.dropLast()).map { $0 * multiplier }
    }

    /// Fails on options given but never asked for (typos).
    public func checkAllUsed() throws {
        let unknown = Set(values.keys).union(flags).subtracting(used)
        if !unknown.isEmpty {
            throw SystemError(
                message: "unknown option(s): \(unknown.sorted().map { "--" + $0 }.joined(separator: " "))")
        }
    }
}

/// A flat JSON object, written by hand (no Foundation).
public struct JSONObject {
    private var fields: [String] = []

    public init() {}

    public mutating func set(_ key: String, _ value: Int) { fields.append("\"\(key)\": \(value)") }
    public mutating func set(_ key: String, _ value: UInt64) { fields.append("\"\(key)\": \(value)") }
    public mutating func set(_ key: String, _ value: Double) { fields.append("\"\(key)\": \(value)") }
    public mutating func set(_ key: String, _ value: Bool) { fields.append("\"\(key)\": \(value)") }
    public mutating func set(_ key: String, _ value: String) {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        fields.append("\"\(key)\": \"\(escaped)\"")
    }

    public var text: String { "{" + fields.joined(separator: ", ") + "}\n" }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
