import BagpipeJSON
import PropertyBased
import Testing

/// parse ∘ text = id over random values, in every layout, keeping member order.
@Suite("JSON round-trip properties")
struct JSONRoundTripTests {
    static let formats: [JSONFormat] = [
        .compact, JSONFormat(spaced: true), JSONFormat(indent: 2), JSONFormat(indent: 4, sortedKeys: true),
        JSONFormat(spaced: true, sortedKeys: true), JSONFormat(spaced: true, asciiOnly: true),
    ]

    @Test("parse(text(v)) == v in every format; member order kept unless sorted")
    func roundTrip() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 0...Int.max)) { seed in
            Self.check(seed: UInt64(seed))
        }
    }

    static func check(seed: UInt64) {
        var g = RandomJSON(seed: seed)
        let value = g.value()
        let options = JSONParseOptions(unsignedIntegers: true, replacesLoneSurrogates: false)
        for format in formats {
            let text = value.text(format)
            do {
                let back = try JSONValue(parsing: text, options: options)
                #expect(back == value, "seed \(seed), \(format): \(text)")
                if !format.sortedKeys { #expect(sameInOrder(back, value), "seed \(seed), order: \(text)") }
                #expect(back.text(format) == text, "seed \(seed): text is stable")
            } catch {
                Issue.record("seed \(seed), \(format): \(error) in \(text)")
            }
            if format.asciiOnly { #expect(text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(text)") }
            if format.indent == nil { #expect(!text.contains("\n"), "one line: \(text)") }
        }
    }

    @Test("Every proper prefix of a valid document is an error at or before its end, never a crash")
    func truncation() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...Int.max)) { seed in
            var g = RandomJSON(seed: UInt64(seed))
            // Inside an array, no proper prefix is itself a document (a bare number's prefix can be).
            let bytes = Array(JSONValue.array([g.value(), g.value()]).text(JSONFormat(spaced: true)).utf8)
            for n in 0..<bytes.count {
                do throws(JSONSyntaxError) {
                    let v = try JSONValue(parsing: bytes[0..<n])
                    Issue.record("seed \(seed): prefix of \(n) bytes parsed as \(v)")
                } catch {
                    #expect(error.offset <= n)
                }
            }
        }
    }

    @Test("Samples: every truncation of a sample fails cleanly", arguments: JSONParserTests.samples)
    func sampleTruncation(sample: String) {
        let bytes = Array("[\(sample)]".utf8)
        for n in 0..<bytes.count {
            #expect(throws: JSONSyntaxError.self, "\(n) bytes of [\(sample)]") { try JSONValue(parsing: bytes[0..<n]) }
        }
    }
}
