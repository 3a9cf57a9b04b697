import BagpipeJSON
import Testing

@Suite("JSON parser (RFC 8259)")
struct JSONParserTests {
    /// Valid documents covering every production; also the truncation samples.
    static let samples: [String] = [
        "null", "true", "false", "0", "-0", "12", "-9223372036854775808", "9223372036854775807",
        "18446744073709551615", "1.5", "-2.5e-3", "1E+2", #""""#, #""a\"\\\/\b\f\n\r\t\u0041\u00e9""#,
        #""\ud83d\ude00""#, "\"é😀\"", "[]", "{}", "[1, [2, [3]], {\"a\": {}}]", #"{"b": 1, "a": [true, null]}"#,
        " \t\r\n[ 1 , 2 ]\n",
    ]

    func parse(_ text: String, _ options: JSONParseOptions = .init()) throws(JSONSyntaxError) -> JSONValue {
        try JSONValue(parsing: text, options: options)
    }

    func error(_ text: String, _ options: JSONParseOptions = .init()) -> JSONSyntaxError? {
        do throws(JSONSyntaxError) {
            _ = try parse(text, options)
            return nil
        } catch {
            return error
        }
    }

    @Test("Valid samples parse", arguments: samples)
    func validSamples(text: String) throws {
        _ = try parse(text)
    }

    @Test("Scalars")
    func scalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse(" true ") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("\"x\"") == .string("x"))
    }

    @Test("§7 escapes, and raw non-ASCII")
    func escapes() throws {
        #expect(try parse(#""a\"\\\/\b\f\n\r\t\u0041\u00e9""#) == .string("a\"\\/\u{08}\u{0C}\n\r\tAé"))
        #expect(try parse("\"é😀\"") == .string("é😀"))
        #expect(error(#""\x""#)?.reason == "invalid escape")
        #expect(error(#""\u12G4""#)?.reason == #"invalid \u escape"#)
        #expect(error(#""\u12"#)?.reason == #"truncated \u escape"#)
        #expect(error("\"a\u{01}\"")?.reason == "control character in string")
        #expect(error("\"a\nb\"")?.offset == 2)
    }

    @Test("Surrogate pairs join; lone surrogates are U+FFFD by default, an error when asked")
    func surrogates() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD83D\uDE00x""#) == .string("😀x"))
        #expect(try parse(#""\ud83d""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\ude00""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\ud83dx""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
        let strict = JSONParseOptions(replacesLoneSurrogates: false)
        #expect(error(#""\ud83d""#, strict) == JSONSyntaxError(offset: 1, reason: "lone surrogate in \\u escape"))
        #expect(error(#""ab\ude00""#, strict)?.offset == 3)
        #expect(error(#""\ud83d\u0041""#, strict)?.offset == 1)
        #expect(try parse(#""\ud83d\ude00""#, strict) == .string("😀"))
    }

    @Test("Invalid UTF-8 in a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONSyntaxError(offset: 4, reason: "invalid UTF-8 in string")) {
            try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22])
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: [0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test("Integers are exact at the 64-bit edges; beyond them doubles, or uint when asked")
    func integers() throws {
        #expect(try parse("-9223372036854775808") == .int(.min))
        #expect(try parse("9223372036854775807") == .int(.max))
        #expect(try parse("9223372036854775808") == .double(0x1p63))
        #expect(try parse("-9223372036854775809") == .double(-0x1p63))
        let unsigned = JSONParseOptions(unsignedIntegers: true)
        #expect(try parse("9223372036854775808", unsigned) == .uint(1 << 63))
        #expect(try parse("18446744073709551615", unsigned) == .uint(.max))
        #expect(try parse("18446744073709551616", unsigned) == .double(0x1p64))
        #expect(try parse("5", unsigned) == .uint(5), "int and uint compare by value")
    }

    @Test("Numbers: §6 grammar, doubles, integers-only")
    func numbers() throws {
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("-2.5e-3") == .double(-0.0025))
        #expect(try parse("1E+2") == .double(100))
        #expect(try parse("1e400") == .double(.infinity))
        for bad in ["01", "-", "1.", ".5", "+1", "1e", "1e+", "-01", "0x1", "NaN", "Infinity", "1.e5"] {
            #expect(error(bad) != nil, "\(bad)")
        }
        #expect(error("01") == JSONSyntaxError(offset: 1, reason: "extra data after the JSON value"))
        #expect(error("1.") == JSONSyntaxError(offset: 2, reason: "invalid number"))
        let integers = JSONParseOptions(integersOnly: true, unsignedIntegers: true)
        #expect(error("[1.5]", integers) == JSONSyntaxError(offset: 1, reason: "only integers are accepted"))
        #expect(error("1e2", integers)?.reason == "only integers are accepted")
        #expect(
            error("18446744073709551616", integers)
                == JSONSyntaxError(offset: 0, reason: "integer 18446744073709551616 out of range"))
    }

    @Test("Structure errors name the offset")
    func structure() {
        #expect(error("") == JSONSyntaxError(offset: 0, reason: "unexpected end of input"))
        #expect(error("[1,]") == JSONSyntaxError(offset: 3, reason: "unexpected character"))
        #expect(error(#"{"a" 1}"#) == JSONSyntaxError(offset: 5, reason: "expected ':'"))
        #expect(error(#"{"a": 1 "b": 2}"#) == JSONSyntaxError(offset: 8, reason: "expected ',' or '}'"))
        #expect(error("[1 2]") == JSONSyntaxError(offset: 3, reason: "expected ',' or ']'"))
        #expect(error("{1: 2}") == JSONSyntaxError(offset: 1, reason: "expected a member name"))
        #expect(error("tru") == JSONSyntaxError(offset: 0, reason: "invalid literal"))
        #expect(error("nul!") == JSONSyntaxError(offset: 0, reason: "invalid literal"))
        #expect(error("[") == JSONSyntaxError(offset: 1, reason: "unexpected end of input"))
        #expect(error("\"abc") == JSONSyntaxError(offset: 4, reason: "unterminated string"))
        #expect(error("'a'")?.reason == "unexpected character")
    }

    @Test("Trailing garbage is refused; trailing white space is not")
    func trailing() throws {
        #expect(error("{} x") == JSONSyntaxError(offset: 3, reason: "extra data after the JSON value"))
        #expect(error("[1] [2]")?.offset == 4)
        #expect(error("1 2")?.offset == 2)
        #expect(try parse("{} \n\t\r") == [:])
        #expect(error("{}\u{0B}") != nil, "vertical tab is not JSON white space")
    }

    @Test("A leading byte order mark is skipped by default, refused when asked")
    func byteOrderMark() throws {
        #expect(try JSONValue(parsing: [0xEF, 0xBB, 0xBF, 0x31]) == .int(1))
        #expect(throws: JSONSyntaxError(offset: 0, reason: "unexpected character")) {
            try JSONValue(parsing: [0xEF, 0xBB, 0xBF, 0x31], options: JSONParseOptions(skipsByteOrderMark: false))
        }
    }

    @Test("Nesting is limited: containers up to maxDepth, one more is an error")
    func depth() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try parse(deepest)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(error(tooDeep) == JSONSyntaxError(offset: 512, reason: "nesting deeper than 512 levels"))
        let objects = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(error(objects)?.reason == "nesting deeper than 512 levels")
        let limited = JSONParseOptions(maxDepth: 3)
        _ = try parse("[[[1]]]", limited)
        #expect(error("[[[[1]]]]", limited)?.offset == 3)
        // Far deeper than any stack allows, refused before it matters.
        #expect(error(String(repeating: "[", count: 1_000_000)) != nil)
    }

    @Test("Object members keep their order")
    func order() throws {
        guard case .object(let o) = try parse(#"{"z": 1, "a": 2, "m": 3}"#) else {
            Issue.record("not an object")
            return
        }
        #expect(o.keys == ["z", "a", "m"])
        #expect(o.map(\.key) == ["z", "a", "m"])
    }

    @Test("Duplicate member names: the last value in the first position, or the first value when asked")
    func duplicates() throws {
        let text = #"{"a": 1, "b": 2, "a": 3}"#
        let last = try parse(text)
        #expect(last.objectValue?.keys == ["a", "b"])
        #expect(last["a"] == .int(3))
        let first = try parse(text, JSONParseOptions(keepsFirstDuplicate: true))
        #expect(first.objectValue?.keys == ["a", "b"])
        #expect(first["a"] == .int(1))
    }
}
