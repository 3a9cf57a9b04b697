/// JSON text: printing (compact or indented, keys in their given order) and a strict parser.
extension JSON {
    /// Compact text on one line (`pretty: false`), or indented by two spaces.
    public func text(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: Int) {
        let nl = pretty ? "\n" : ""
        func pad(_ n: Int) -> String { pretty ? String(repeating: "  ", count: n) : "" }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return
            }
            out += "[" + nl
            for (i, e) in a.enumerated() {
                out += pad(indent + 1)
                e.write(to: &out, pretty: pretty, indent: indent + 1)
                out += (i < a.count - 1 ? "," : "") + nl
            }
            out += pad(indent) + "]"
        case .object(let o):
            if o.isEmpty {
                out += "{}"
                return
            }
            out += "{" + nl
            for (i, (k, v)) in o.enumerated() {
                out += pad(indent + 1)
                JSON.quote(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(to: &out, pretty: pretty, indent: indent + 1)
                out += (i < o.count - 1 ? "," : "") + nl
            }
            out += pad(indent) + "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Parses JSON text (RFC 8259). Integers stay exact; numbers with a fraction or exponent are refused,
    /// since no BGP field needs them.
    public static func parse(_ text: String) throws(JSONError) -> JSON {
        var p = Parser(Array(text.utf8))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.b.count else { throw p.error("unexpected text after the JSON value") }
        return v
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0
        init(_ b: [UInt8]) { self.b = b }

        func error(_ why: String) -> JSONError { JSONError("", "JSON syntax at offset \(i): \(why)") }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func expect(_ word: String) throws(JSONError) {
            for c in word.utf8 {
                guard i < b.count, b[i] == c else { throw error("expected \(word)") }
                i += 1
            }
        }

        mutating func value(depth: Int) throws(JSONError) -> JSON {
            guard depth < 200 else { throw error("nested too deeply") }
            guard i < b.count else { throw error("unexpected end") }
            switch b[i] {
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                i += 1
                var a: [JSON] = []
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") {
                    i += 1
                    return .array(a)
                }
                while true {
                    skipSpace()
                    a.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < b.count else { throw error("unterminated array") }
                    if b[i] == UInt8(ascii: ",") {
                        i += 1
                    } else if b[i] == UInt8(ascii: "]") {
                        i += 1
                        return .array(a)
                    } else {
                        throw error("expected , or ]")
                    }
                }
            case UInt8(ascii: "{"):
                i += 1
                var o: [(String, JSON)] = []
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(o)
                }
                while true {
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a member name") }
                    let k = try string()
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    o.append((k, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < b.count else { throw error("unterminated object") }
                    if b[i] == UInt8(ascii: ",") {
                        i += 1
                    } else if b[i] == UInt8(ascii: "}") {
                        i += 1
                        return .object(o)
                    } else {
                        throw error("expected , or }")
                    }
                }
            default: return try number()
            }
        }

        mutating func number() throws(JSONError) -> JSON {
            let start = i
            if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            let digitsStart = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
            guard i > digitsStart else { throw error("unexpected character") }
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                throw error("only integers are accepted")
            }
            let s = String(decoding: b[start..<i], as: UTF8.self)
            if let v = Int64(s) { return .int(v) }
            if let v = UInt64(s) { return .uint(v) }
            throw error("integer \(s) out of range")
        }

        mutating func string() throws(JSONError) -> String {
            i += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var bytes: [UInt8] = []
            func flush() {
                if !bytes.isEmpty {
                    scalars.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
                    bytes.removeAll()
                }
            }
            while true {
                guard i < b.count else { throw error("unterminated string") }
                let c = b[i]
                i += 1
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw error("control character in string") }
                if c != UInt8(ascii: "\\") {
                    bytes.append(c)
                    continue
                }
                flush()
                guard i < b.count else { throw error("unterminated escape") }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("bad surrogate pair") }
                        code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(code) else { throw error("bad \\u escape") }
                    scalars.append(u)
                default: throw error("bad escape")
                }
            }
            flush()
            return String(scalars)
        }

        mutating func hex4() throws(JSONError) -> UInt32 {
            guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<i + 4], as: UTF8.self), radix: 16) else {
                throw error("bad \\u escape")
            }
            i += 4
            return v
        }
    }
}
