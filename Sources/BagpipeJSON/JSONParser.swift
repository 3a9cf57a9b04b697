/// Why a byte string is not JSON, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at offset \(offset)" }
}

/// What a parse accepts where RFC 8259 leaves the choice to the implementation (§9), and the limits. The
/// defaults read what Python's `json` module reads (the reference implementations are Python), to 512 levels.
public struct JSONParseOptions: Sendable, Hashable {
    /// How many arrays and objects may nest, so hostile input cannot exhaust the stack.
    public var maxDepth: Int
    /// Refuse numbers with a fraction or an exponent.
    public var integersOnly: Bool
    /// Integers above Int64.max up to UInt64.max become `uint` (otherwise, like integers beyond 64 bits, `double`).
    public var unsignedIntegers: Bool
    /// A `\u` escape (4 hex digits) of a lone surrogate (§8.2) becomes U+FFFD, as Python's decoder keeps it; else an error.
    public var replacesLoneSurrogates: Bool
    /// A leading UTF-8 byte order mark is skipped (§8.1 allows ignoring it), as Python's decoder does for bytes.
    public var skipsByteOrderMark: Bool
    /// With duplicate member names (§4), keep the first value instead of the last.
    public var keepsFirstDuplicate: Bool

    public init(
        maxDepth: Int = 512, integersOnly: Bool = false, unsignedIntegers: Bool = false,
        replacesLoneSurrogates: Bool = true, skipsByteOrderMark: Bool = true, keepsFirstDuplicate: Bool = false
    ) {
        self.maxDepth = maxDepth
        self.integersOnly = integersOnly
        self.unsignedIntegers = unsignedIntegers
        self.replacesLoneSurrogates = replacesLoneSurrogates
        self.skipsByteOrderMark = skipsByteOrderMark
        self.keepsFirstDuplicate = keepsFirstDuplicate
    }
}

extension JSONValue {
    /// Parses one JSON text (RFC 8259) from UTF-8 bytes; anything but white space after the value is an error.
    public init(parsing bytes: some Collection<UInt8>, options: JSONParseOptions = .init()) throws(JSONSyntaxError) {
        var parser = JSONParser(Array(bytes), options)
        self = try parser.document()
    }

    /// Parses a string's UTF-8 bytes.
    public init(parsing text: String, options: JSONParseOptions = .init()) throws(JSONSyntaxError) {
        try self.init(parsing: Array(text.utf8), options: options)
    }
}

/// A recursive-descent parser over bytes, following the grammar of RFC 8259 §2–§7.
private struct JSONParser {
    let bytes: [UInt8]
    let options: JSONParseOptions
    var i = 0
    var depth = 0

    init(_ bytes: [UInt8], _ options: JSONParseOptions) {
        self.bytes = bytes
        self.options = options
    }

    func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: i, reason: reason) }

    mutating func document() throws(JSONSyntaxError) -> JSONValue {
        if options.skipsByteOrderMark, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipSpace()
        let v = try value()
        skipSpace()
        guard i == bytes.count else { throw fail("extra data after the JSON value") }
        return v
    }

    /// §2: ws = space, horizontal tab, line feed, carriage return.
    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard i < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n else { throw fail("invalid literal") }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += n
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= options.maxDepth else { throw fail("nesting deeper than \(options.maxDepth) levels") }
    }

    mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var o = JSONObject()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .object(o)
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            let v = try value()
            if !(options.keepsFirstDuplicate && o.contains(key)) { o[key] = v }
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
            } else if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .object(o)
            } else {
                throw fail("expected ',' or '}'")
            }
        }
    }

    mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var a: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return .array(a)
        }
        while true {
            skipSpace()
            a.append(try value())
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated array") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
            } else if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .array(a)
            } else {
                throw fail("expected ',' or ']'")
            }
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - i >= 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// §7: the escapes, and UTF-16 surrogate pairs written as two `\u` escapes.
    mutating func string() throws(JSONSyntaxError) -> String {
        i += 1
        var utf8: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                break
            }
            guard c >= 0x20 else { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") {
                utf8.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5C)
            case UInt8(ascii: "/"): utf8.append(0x2F)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"): utf8.append(contentsOf: Array(String(try unicodeEscape()).utf8))
            default: throw fail("invalid escape")
            }
        }
        guard let s = String(validating: utf8, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
        return s
    }

    /// The scalar of a `\u` escape of 4 hex digits (the `\u` already read), joining a high surrogate with a following low one.
    mutating func unicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        let start = i - 2
        let code = try hex4()
        if (0xD800..<0xDC00).contains(code), bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"),
            bytes[i + 1] == UInt8(ascii: "u")
        {
            let save = i
            i += 2
            let low = try hex4()
            if (0xDC00..<0xE000).contains(low) {
                return Unicode.Scalar(0x10000 + (code - 0xD800) << 10 + (low - 0xDC00))!
            }
            i = save
        }
        if let scalar = Unicode.Scalar(code) { return scalar }
        // A lone surrogate cannot be part of a Swift string.
        guard options.replacesLoneSurrogates else {
            i = start
            throw fail("lone surrogate in \\u escape")
        }
        return "\u{FFFD}"
    }

    /// §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; integers stay exact.
    mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = i
        var isInteger = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count else { throw fail("truncated number") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            throw fail("invalid number")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard digits() > 0 else { throw fail("invalid number") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("invalid number") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger {
            if let v = Int64(text) { return .int(v) }
            if options.unsignedIntegers, let v = UInt64(text) { return .uint(v) }
        }
        guard !options.integersOnly else {
            i = start
            throw fail(isInteger ? "integer \(text) out of range" : "only integers are accepted")
        }
        guard let d = Double(text) else { throw fail("invalid number") }
        return .double(d)
    }

    mutating func digits() -> Int {
        let s = i
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
        return i - s
    }
}
