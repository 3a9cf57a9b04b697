import BagpipeJSON
import Testing

@Suite("JSON values and text")
struct JSONValueTests {
    @Test("Integers compare and hash by value whichever case holds them; objects ignore member order")
    func equality() {
        #expect(JSONValue.int(5) == .uint(5))
        #expect(JSONValue.int(5).hashValue == JSONValue.uint(5).hashValue)
        #expect(JSONValue.int(-1) != .uint(.max))
        #expect(JSONValue.int(1) != .double(1))
        #expect(JSONValue(UInt64.max) == .uint(.max))
        #expect(JSONValue(UInt8(7)) == .int(7))
        let a: JSONValue = ["x": 1, "y": [true, nil]]
        let b: JSONValue = ["y": [true, nil], "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
    }

    @Test("Accessors")
    func accessors() {
        let v: JSONValue = ["s": "x", "i": 3, "b": false, "a": [1, 2], "n": nil, "d": 1.5]
        #expect(v["s"]?.stringValue == "x")
        #expect(v["i"]?.intValue == 3)
        #expect(v["b"]?.boolValue == false)
        #expect(v["a"]?[1] == .int(2))
        #expect(v["a"]?[2] == nil)
        #expect(v["n"]?.isNull == true)
        #expect(v["missing"] == nil)
        #expect(v["d"] == .double(1.5))
        #expect(v.objectValue?.keys == ["s", "i", "b", "a", "n", "d"])
    }

    @Test("Ordered object: replacing keeps the position, removing drops it, merge is dict.update")
    func orderedObject() {
        var o: JSONObject = ["a": 1, "b": 2]
        o["a"] = 3
        o["c"] = 4
        #expect(o.keys == ["a", "b", "c"])
        o["b"] = nil
        #expect(o.keys == ["a", "c"])
        #expect(o.count == 2 && !o.isEmpty && o.contains("a") && !o.contains("b"))
        o.merge(["c": 5, "d": 6])
        #expect(o.keys == ["a", "c", "d"])
        #expect(o["c"] == .int(5))
        #expect(JSONObject([("x", 1), ("y", 2), ("x", 3)]).keys == ["x", "y"])
    }

    @Test("Compact, spaced, sorted and pretty layouts")
    func layouts() {
        let v: JSONValue = ["b": [1, "x", nil, true], "a": [:], "c": []]
        #expect(v.text(.compact) == #"{"b":[1,"x",null,true],"a":{},"c":[]}"#)
        #expect(v.text(JSONFormat(spaced: true)) == #"{"b": [1, "x", null, true], "a": {}, "c": []}"#)
        #expect(v.text(JSONFormat(spaced: true, sortedKeys: true)) == #"{"a": {}, "b": [1, "x", null, true], "c": []}"#)
        #expect(
            v.text(JSONFormat(indent: 2))
                == "{\n  \"b\": [\n    1,\n    \"x\",\n    null,\n    true\n  ],\n  \"a\": {},\n  \"c\": []\n}")
        #expect(JSONValue.int(1).text(JSONFormat(indent: 2)) == "1")
    }

    @Test("§7 escaping: quote, backslash and controls; non-ASCII as is or as UTF-16 escapes")
    func escaping() {
        let s: JSONValue = .string("q\"b\\s/\n\r\t\u{08}\u{0C}\u{00}\u{1F}\u{7F}é😀")
        #expect(s.text(.compact) == "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0000\\u001f\u{7F}é😀\"")
        #expect(
            s.text(JSONFormat(asciiOnly: true))
                == #""q\"b\\s/\n\r\t\b\f\u0000\u001f\u007f\u00e9\ud83d\ude00""#)
        #expect(JSONValue.object(["é": 1]).text(JSONFormat(asciiOnly: true)) == #"{"\u00e9":1}"#)
    }

    @Test("Numbers: integers exactly, doubles in their shortest form, non-finite as null or Python's literals")
    func numbers() {
        #expect(JSONValue.int(.min).text(.compact) == "-9223372036854775808")
        #expect(JSONValue.uint(.max).text(.compact) == "18446744073709551615")
        let doubles: [(Double, String)] = [
            (2.5, "2.5"), (1, "1.0"), (-0.0, "-0.0"), (1e-5, "1e-05"), (1e16, "1e+16"), (0.1, "0.1"),
            (123_456_789.125, "123456789.125"),
        ]
        for (d, text) in doubles { #expect(JSONValue.double(d).text(.compact) == text) }
        let nonFinite: JSONValue = [.double(.nan), .double(.infinity), .double(-.infinity)]
        #expect(nonFinite.text(.compact) == "[null,null,null]")
        #expect(nonFinite.text(JSONFormat(pythonNonFinite: true)) == "[NaN,Infinity,-Infinity]")
    }
}
